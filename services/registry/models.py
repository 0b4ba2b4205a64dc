"""Every registry table, imported in one place for Alembic and the demo loader."""
from services.registry.accounts.models import Account
from services.registry.audit.models import AuditLog
from services.registry.filings.models import Filing, FilingEvidence
from services.registry.models_base import SCHEMA
from services.registry.orgs.models import Organisation
from services.registry.sites.models import Site, SiteColumn
from services.registry.sync.models import Difference, OutboxRow, Reconciliation
from services.registry.users.models import ApiClient, User

__all__ = ["SCHEMA", "Account", "ApiClient", "AuditLog", "Difference", "Filing", "FilingEvidence", "Organisation",
           "OutboxRow", "Reconciliation", "Site", "SiteColumn", "User"]
