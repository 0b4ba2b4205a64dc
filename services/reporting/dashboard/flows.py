"""What the dashboard reads from the registry and the checker, with the caller's own token: the upstream
services apply the caller's scope, so nothing outside it is ever counted. Reporting never reads their tables."""
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.common.settings import get_settings
from services.reporting.clients import UpstreamError
from services.reporting.settings import get_reporting_settings

PAGE = 500


@dataclass
class Upstream:
    """The office's direct sub-units, the running sites of its subtree and their monitoring coverage.
    `coverage` is None when the checker (or its monitoring) could not answer: the dashboard says so."""
    children: list[dict[str, Any]]
    sites: list[dict[str, Any]]
    coverage: list[dict[str, Any]] | None = field(default=None)


def _pages(client: httpx.Client, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        response = client.get(url, params={**params, "limit": PAGE, "offset": len(items)})
        if response.status_code != 200:
            raise UpstreamError(f"GET {url} answered {response.status_code}")
        body = response.json()
        page = body.get("items", [])
        items.extend(page)
        if not page or len(items) >= int(body.get("total", 0)):
            return items


def read_upstream(token: str, org_id: int) -> Upstream:
    """Children and active sites from the registry (required), coverage from the checker (optional)."""
    registry = get_settings().registry_url.rstrip("/")
    checker = get_reporting_settings().checker_url.rstrip("/")
    with httpx.Client(timeout=20, headers={"Authorization": f"Bearer {token}"}) as client:
        try:
            children = _pages(client, f"{registry}/api/v1/orgs", {"parent_id": org_id})
            sites = _pages(client, f"{registry}/api/v1/sites", {"org_id": org_id, "state": "active"})
        except httpx.HTTPError as exc:
            raise UpstreamError(f"registry unreachable: {exc!r}") from exc
        try:
            coverage: list[dict[str, Any]] | None = _pages(client, f"{checker}/api/v1/monitor/sites",
                                                           {"org_id": org_id})
        except (httpx.HTTPError, UpstreamError):
            coverage = None
    return Upstream(children=children, sites=sites, coverage=coverage)
