"""What an evidence upload may be, as the SPA shows it: one size limit (GOVWATCH_EVIDENCE_MAX_BYTES, filings and
rectification alike) and the accepted file types."""
from fastapi import APIRouter
from pydantic import BaseModel

from services.common.files import EVIDENCE_TYPES
from services.common.settings import get_settings
from services.registry.api.deps import Reader

router = APIRouter(prefix="/api/v1/uploads", tags=["uploads"])


class UploadLimits(BaseModel):
    evidence_max_bytes: int
    evidence_max_mb: float
    evidence_extensions: list[str]   # without the dot, as a file picker's accept list takes them
    evidence_types_label: str        # “PDF、DOCX、XLSX、JPG、PNG”


@router.get("/limits", response_model=UploadLimits, summary="Size limit and file types of evidence uploads")
def upload_limits(principal: Reader) -> UploadLimits:
    limit = get_settings().evidence_max_bytes
    return UploadLimits(evidence_max_bytes=limit, evidence_max_mb=round(limit / (1024 * 1024), 1),
                        evidence_extensions=[e for t in EVIDENCE_TYPES for e in t.extensions],
                        evidence_types_label="、".join(t.extension.upper() for t in EVIDENCE_TYPES))
