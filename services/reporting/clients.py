"""The reporting service's view of the registry and the checker, over REST with a service token
(client-credentials grant at the registry). Reporting never reads another service's tables."""
from collections.abc import Iterator
from typing import Any

import httpx

from services.common.service_token import ServiceToken
from services.common.settings import get_settings
from services.reporting.settings import get_reporting_settings

PAGE = 500


class UpstreamError(Exception):
    """The registry or the checker could not answer (down, refused our credentials, answered nonsense)."""


class ServiceClient:
    """GETs against the registry and the checker with a cached service token (renewed before expiry)."""

    def __init__(self, registry_url: str | None = None, checker_url: str | None = None, *, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None):
        settings, rs = get_settings(), get_reporting_settings()
        self.registry_url = (registry_url or settings.registry_url).rstrip("/")
        self.checker_url = (checker_url or rs.checker_url).rstrip("/")
        self._token = ServiceToken(settings.reporting_client_id, settings.reporting_client_secret)
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def __enter__(self) -> "ServiceClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def _access_token(self, refresh: bool = False) -> str:
        if token := self._token.current(refresh):
            return token
        try:
            response = self._http.post(f"{self.registry_url}/api/v1/auth/token", data=self._token.form)
        except httpx.HTTPError as exc:
            raise UpstreamError(f"registry unreachable: {exc!r}") from exc
        return self._token.accept(response, UpstreamError)

    def _send(self, method: str, url: str, params: dict[str, Any] | None = None,
              json: dict[str, Any] | None = None) -> httpx.Response:
        params = {k: v for k, v in (params or {}).items() if v is not None}
        for attempt in (0, 1):
            token = self._access_token(refresh=attempt == 1)
            try:
                response = self._http.request(method, url, params=params, json=json,
                                              headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError as exc:
                raise UpstreamError(f"{url} unreachable: {exc!r}") from exc
            if response.status_code == 401 and attempt == 0:
                continue
            return response
        raise UpstreamError(f"{method} {url}: unauthorized")

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        response = self._send("GET", url, params)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise UpstreamError(f"GET {url} answered {response.status_code}: {response.text[:200]}")
        return response.json()

    def post(self, url: str, body: dict[str, Any]) -> Any:
        response = self._send("POST", url, json=body)
        if response.status_code not in (200, 201, 202):
            raise UpstreamError(f"POST {url} answered {response.status_code}: {response.text[:300]}")
        return response.json()

    def pages(self, url: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            body = self.get(url, {**(params or {}), "limit": PAGE, "offset": offset})
            if body is None:
                return
            items = body.get("items", [])
            yield from items
            offset += len(items)
            if not items or offset >= body.get("total", 0):
                return

    # -- checker ------------------------------------------------------------------------------------

    def inspection(self, inspection_id: int) -> dict[str, Any] | None:
        return self.get(f"{self.checker_url}/api/v1/inspections/{inspection_id}")

    def inspections(self, **params: Any) -> Iterator[dict[str, Any]]:
        return self.pages(f"{self.checker_url}/api/v1/inspections", params)

    def results(self, inspection_id: int, **params: Any) -> Iterator[dict[str, Any]]:
        return self.pages(f"{self.checker_url}/api/v1/inspections/{inspection_id}/results", params)

    def result_count(self, inspection_id: int, **params: Any) -> int:
        body = self.get(f"{self.checker_url}/api/v1/inspections/{inspection_id}/results", {**params, "limit": 1})
        return int(body.get("total", 0)) if body else 0

    def result(self, inspection_id: int, kind: str, target_id: int) -> dict[str, Any] | None:
        return self.get(f"{self.checker_url}/api/v1/inspections/{inspection_id}/results/{kind}/{target_id}")

    def create_inspection(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.post(f"{self.checker_url}/api/v1/inspections", body)

    def period_summary(self, org_id: int, start: str, end: str) -> dict[str, Any] | None:
        return self.get(f"{self.checker_url}/api/v1/period-summary", {"org_id": org_id, "start": start, "end": end})

    def monitor_alerts(self, after_id: int, limit: int) -> dict[str, Any] | None:
        return self.get(f"{self.checker_url}/api/v1/monitor/alerts", {"after_id": after_id, "limit": limit})

    def targets(self, inspection_id: int, **params: Any) -> Iterator[dict[str, Any]]:
        return self.pages(f"{self.checker_url}/api/v1/inspections/{inspection_id}/targets", params)

    # -- registry -----------------------------------------------------------------------------------

    def org(self, org_id: int) -> dict[str, Any] | None:
        return self.get(f"{self.registry_url}/api/v1/orgs/{org_id}")

    def orgs(self) -> Iterator[dict[str, Any]]:
        return self.pages(f"{self.registry_url}/api/v1/orgs")

    def sites(self, org_id: int) -> Iterator[dict[str, Any]]:
        return self.pages(f"{self.registry_url}/api/v1/sites", {"org_id": org_id})

    def inventory_count(self, kind: str, org_id: int, state: str = "active", site_kind: str | None = None) -> int:
        """Active sites (kind "sites", of one site kind when given) or accounts ("accounts") of an organisation's
        subtree."""
        query = {"org_id": org_id, "state": state, "limit": 1, **({"kind": site_kind} if site_kind else {})}
        body = self.get(f"{self.registry_url}/api/v1/{kind}", query)
        return int(body.get("total", 0)) if body else 0

    def accounts(self, org_id: int) -> Iterator[dict[str, Any]]:
        return self.pages(f"{self.registry_url}/api/v1/accounts", {"org_id": org_id})

    def filings(self, **params: Any) -> Iterator[dict[str, Any]]:
        return self.pages(f"{self.registry_url}/api/v1/filings", params)


def org_as(token: str, org_id: int) -> dict[str, Any] | None:
    """An organisation as the caller sees it (the caller's token is forwarded: the registry's scope decides)."""
    url = f"{get_settings().registry_url.rstrip('/')}/api/v1/orgs/{org_id}"
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    except httpx.HTTPError as exc:
        raise UpstreamError(f"registry unreachable: {exc!r}") from exc
    if response.status_code in (403, 404):
        return None
    if response.status_code != 200:
        raise UpstreamError(f"GET /api/v1/orgs/{org_id} answered {response.status_code}")
    return response.json()
