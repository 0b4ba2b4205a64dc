"""The client-credentials token a service holds towards the registry, shared by the services' REST
clients (sync or async: each sends the request with its own HTTP client)."""
import time

import httpx


class ServiceToken:
    def __init__(self, client_id: str, client_secret: str):
        self.form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        self._token: str | None = None
        self._expires = 0.0

    def current(self, refresh: bool = False) -> str | None:
        """The cached token, unless refreshing or within a minute of expiry (a long run never sends a stale one)."""
        if self._token and not refresh and time.monotonic() < self._expires - 60:
            return self._token
        return None

    def accept(self, response: httpx.Response, error: type[Exception]) -> str:
        if response.status_code != 200:
            raise error(f"registry refused the service credentials ({response.status_code})")
        body = response.json()
        self._token = body["access_token"]
        self._expires = time.monotonic() + float(body.get("expires_in", 300))
        return self._token
