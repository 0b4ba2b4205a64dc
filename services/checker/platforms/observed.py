"""The `import` data source: an account as a reviewer last observed it (platform export or hand-recorded
observation, services/checker/observations). No observation → FeedError("not_configured")."""
import asyncio
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from services.checker.platforms.base import AccountRef, Entry, FeedError, Post, Profile
from services.checker.platforms.config import FeedConfig
from services.checker.platforms.dates import parse_moment


def latest(platform: str, platform_id: str) -> dict[str, Any] | None:
    from services.checker.observations.models import AccountObservation
    from services.common.db import get_engine
    with Session(get_engine()) as session:
        row = session.exec(select(AccountObservation).where(
            AccountObservation.platform == platform, AccountObservation.platform_id == platform_id,
        ).order_by(AccountObservation.observed_at.desc(), AccountObservation.id.desc()).limit(1)).first()
        return None if row is None else row.model_dump()


class ObservationAdapter:
    source = "observation"

    def __init__(self, config: FeedConfig) -> None:
        self.config = config
        self.row: dict[str, Any] | None = None
        self.evidence_keys: list[str] = []
        self.observed_at: datetime | None = None

    async def _row(self, account: AccountRef) -> dict[str, Any]:
        if self.row is None:
            try:
                self.row = await asyncio.to_thread(latest, account.platform, account.platform_id)
            except Exception as exc:  # noqa: BLE001 - no database (command line) is "no observation"
                raise FeedError("not_configured", f"无法读取人工观察记录（{type(exc).__name__}）") from exc
            if self.row is None:
                raise FeedError("not_configured", "该平台未配置数据接口，且没有人工录入或导入的观察记录")
            self.evidence_keys = [e["key"] for e in self.row.get("evidence") or [] if e.get("key")]
            self.observed_at = self.row.get("observed_at")
        return self.row

    async def profile(self, account: AccountRef) -> Profile:
        p = (await self._row(account)).get("profile") or {}
        return Profile(exists=p.get("exists", True) is not False, name=p.get("name"),
                       verified_subject=p.get("verified_subject"), interaction_enabled=p.get("interaction_enabled"),
                       url=p.get("url"))

    async def posts(self, account: AccountRef, since: datetime, *, live_name: str | None = None) -> list[Post]:
        return [Post(published=parse_moment(p.get("published")), title=p.get("title") or "", url=p.get("url"),
                     original=p.get("original", True) is not False, text=p.get("text") or "", id=p.get("id"))
                for p in (await self._row(account)).get("posts") or []]

    async def entries(self, account: AccountRef) -> list[Entry]:
        return [Entry(e.get("name") or "", e.get("url"), e.get("kind") or "menu",
                      reported="人工检查无法打开" if e.get("works") is False else None)
                for e in (await self._row(account)).get("entries") or []]

    async def aclose(self) -> None:
        pass
