"""Scope helpers: organisations form a tree addressed by materialised paths such as "/1/5/23/".

A principal sees records whose owning organisation path starts with its own path. Every query that
lists or loads a scoped record filters on it, so scope is enforced in SQL, not in the UI.
"""
from typing import Any

from sqlalchemy import ColumnElement

from services.common.auth import Principal


def scope_filter(path_column: Any, principal: Principal) -> ColumnElement[bool]:
    return path_column.startswith(principal.org_path, autoescape=True)


def child_path(parent_path: str | None, org_id: int) -> str:
    return f"{parent_path or '/'}{org_id}/"


def ancestor_paths(path: str) -> list[str]:
    """"/1/5/12/" → ["/1/", "/1/5/", "/1/5/12/"]: the organisation and every one above it."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
