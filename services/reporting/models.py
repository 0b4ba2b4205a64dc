"""All reporting tables (imported by the migrations environment)."""
from services.reporting.assessment.models import AssessmentWeights
from services.reporting.models_base import SCHEMA
from services.reporting.monitoring.models import UpstreamCursor
from services.reporting.notices.models import Notice, NoticeFile, NoticeVersion
from services.reporting.notifications.models import Delivery, Notification, NotifyChannel
from services.reporting.rectification.models import Audit, EvidenceFile, RectificationTask, TaskEvent, TaskNotice
from services.reporting.selfreports.models import SelfReport
from services.reporting.statistics.models import TargetFact
from services.reporting.templates.models import DocSequence, NoticeTemplate

__all__ = ["SCHEMA", "AssessmentWeights", "Audit", "Delivery", "DocSequence", "EvidenceFile", "Notice", "NoticeFile",
           "NoticeTemplate", "NoticeVersion", "Notification", "NotifyChannel", "RectificationTask", "SelfReport", "TargetFact",
           "TaskEvent", "TaskNotice", "UpstreamCursor"]
