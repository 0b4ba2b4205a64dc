"""Evidence files of a pending filing beyond the upload itself: the same file is attached once per kind of
material (one scanned document may prove two things, e.g. ICP and badge cancellation), and a wrong file can
be taken off again while the filing waits for its decision (the stored object stays: it is
content-addressed and may back another filing)."""
import hashlib

from sqlmodel import Session, select

from services.common.auth import Principal
from services.common.errors import conflict, not_found
from services.registry.audit import service as audit
from services.registry.filings.models import EvidenceKind, FilingEvidence, FilingState
from services.registry.filings.service import STATE_LABELS, get_filing


def ensure_not_attached(session: Session, principal: Principal, filing_id: int, kind: EvidenceKind,
                        data: bytes | None) -> None:
    """409 duplicate_file when this very content is already attached to the filing as this kind."""
    if not data:
        return  # the upload's own checks answer for an empty or too-large file
    filing = get_filing(session, principal, filing_id)
    digest = hashlib.sha256(data).hexdigest()
    existing = session.exec(select(FilingEvidence).where(
        FilingEvidence.filing_id == filing.id, FilingEvidence.sha256 == digest, FilingEvidence.kind == kind)).first()
    if existing is not None:
        raise conflict("duplicate_file", f"该文件已作为同类材料上传过（{existing.filename}），无需重复上传",
                       existing_id=existing.id, sha256=digest)


def remove_evidence(session: Session, principal: Principal, filing_id: int, evidence_id: int) -> None:
    filing = get_filing(session, principal, filing_id)
    if filing.state != FilingState.pending:
        raise conflict("filing_decided", f"该备案{STATE_LABELS[filing.state]}，材料不能再删除", state=filing.state,
                       state_label=STATE_LABELS[filing.state])
    evidence = session.exec(select(FilingEvidence).where(FilingEvidence.filing_id == filing.id,
                                                         FilingEvidence.id == evidence_id)).first()
    if evidence is None:
        raise not_found("证明材料")
    audit.record(session, principal, "filing.evidence_remove", "filing", filing.id, filing.org_path,
                 before=audit.snapshot(evidence))
    session.delete(evidence)
    session.commit()
