"""The checker's view of the registry, over REST with a service token (client-credentials grant).

The checker never reads the registry's tables: targets, columns and organisation paths come from here.
"""
from collections.abc import AsyncIterator
from typing import Any

import httpx

from services.common.service_token import ServiceToken
from services.common.settings import get_settings

PAGE = 500


class RegistryError(Exception):
    """The registry could not answer (down, refused our credentials, or answered nonsense)."""


class RegistryClient:
    def __init__(self, base_url: str | None = None, client_id: str | None = None,
                 client_secret: str | None = None, *, timeout: float = 15.0,
                 transport: httpx.AsyncBaseTransport | None = None):
        settings = get_settings()
        self.base_url = (base_url or settings.registry_url).rstrip("/")
        self._token = ServiceToken(client_id or settings.service_client_id,
                                   client_secret or settings.service_client_secret)
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, transport=transport)

    async def __aenter__(self) -> "RegistryClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _access_token(self, refresh: bool = False) -> str:
        if token := self._token.current(refresh):
            return token
        try:
            response = await self._http.post("/api/v1/auth/token", data=self._token.form)
        except httpx.HTTPError as exc:
            raise RegistryError(f"registry unreachable: {exc!r}") from exc
        return self._token.accept(response, RegistryError)

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        params = {k: v for k, v in (params or {}).items() if v is not None}
        for attempt in (0, 1):
            token = await self._access_token(refresh=attempt == 1)
            try:
                response = await self._http.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError as exc:
                raise RegistryError(f"registry unreachable: {exc!r}") from exc
            if response.status_code == 401 and attempt == 0:
                continue  # token revoked or keys rotated: fetch a fresh one once
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise RegistryError(f"GET {path} answered {response.status_code}: {response.text[:200]}")
            return response.json()
        raise RegistryError(f"GET {path}: unauthorized")

    async def _pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        offset = 0
        while True:
            body = await self.get(path, {**params, "limit": PAGE, "offset": offset})
            if body is None:
                return
            items = body.get("items", [])
            for item in items:
                yield item
            offset += len(items)
            if not items or offset >= body.get("total", 0):
                return

    async def get_org(self, org_id: int) -> dict[str, Any] | None:
        return await self.get(f"/api/v1/orgs/{org_id}")

    async def orgs(self) -> AsyncIterator[dict[str, Any]]:
        """Every organisation the service sees (unit names of exports)."""
        async for item in self._pages("/api/v1/orgs", {}):
            yield item

    async def sites(self, org_id: int | None, state: str = "active") -> AsyncIterator[dict[str, Any]]:
        """Sites of the subtree of `org_id` (None: the caller's whole scope)."""
        async for item in self._pages("/api/v1/sites", {"org_id": org_id, "state": state}):
            yield item

    async def get_site(self, site_id: int) -> dict[str, Any] | None:
        """A site with its registered columns (`columns: [{name, url, category, should_update}]`)."""
        return await self.get(f"/api/v1/sites/{site_id}")

    async def get_account(self, account_id: int) -> dict[str, Any] | None:
        return await self.get(f"/api/v1/accounts/{account_id}")

    async def accounts(self, org_id: int, state: str = "active") -> AsyncIterator[dict[str, Any]]:
        async for item in self._pages("/api/v1/accounts", {"org_id": org_id, "state": state}):
            yield item


async def org_as(base_url: str, token: str, org_id: int, *, timeout: float = 10.0) -> dict[str, Any] | None:
    """An organisation as the caller sees it: the caller's own token is forwarded, so the registry's scope
    rule decides (None when the organisation is missing or outside the caller's subtree)."""
    async with httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout) as http:
        try:
            response = await http.get(f"/api/v1/orgs/{org_id}", headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise RegistryError(f"registry unreachable: {exc!r}") from exc
    if response.status_code in (403, 404):
        return None
    if response.status_code != 200:
        raise RegistryError(f"GET /api/v1/orgs/{org_id} answered {response.status_code}")
    return response.json()
