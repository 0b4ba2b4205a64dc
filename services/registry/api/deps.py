"""Typed dependency aliases of the registry API."""
from typing import Annotated

from fastapi import Depends

from services.common.auth import Principal, Role, require_roles

# Reading the inventory: everyone but machines of other kinds.
READ_ROLES = (Role.admin, Role.supervisor, Role.operator, Role.viewer, Role.integration, Role.service)
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
