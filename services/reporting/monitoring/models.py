"""How far the reporting service has read an upstream feed (the checker's monitoring alerts)."""
from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from services.reporting.models_base import SCHEMA, ts_now


class UpstreamCursor(SQLModel, table=True):
    """One row per feed: the last upstream id turned into notifications. Losing it costs a re-read, not a
    duplicate (notifications are deduplicated by key)."""
    __tablename__ = "upstream_cursor"
    __table_args__ = {"schema": SCHEMA}
    name: str = Field(primary_key=True, max_length=60)
    position: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    updated_at: datetime = ts_now()
