"""All reporting tables (imported by the migrations environment)."""
from services.reporting.models_base import SCHEMA
from services.reporting.notices.models import Notice, NoticeFile, NoticeVersion
from services.reporting.statistics.models import TargetFact

__all__ = ["SCHEMA", "Notice", "NoticeFile", "NoticeVersion", "TargetFact"]
