"""The outbox: one row per approved change, written in the change's own transaction; read, retried and
resolved by supervisors; pushed by the worker (sync/worker.py)."""
import uuid
from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from services.common.auth import Principal
from services.common.errors import ApiError, conflict, not_found
from services.common.scope import scope_filter
from services.registry.accounts.models import Account
from services.registry.audit import service as audit
from services.registry.filings.models import Filing, SubjectKind
from services.registry.listing import order_by, paginate
from services.registry.models_base import utcnow
from services.registry.orgs.models import Organisation
from services.registry.sites.models import Site
from services.registry.sync.models import STATE_LABELS as OUTBOX_LABELS
from services.registry.sync.models import OPEN_STATES, Difference, DifferenceKind, OutboxRow, OutboxState

# How far along its life a subject is: a push never moves the national record to an earlier stage.
STAGE = {"pending_open": 0, "active": 1, "suspended": 1, "closing": 2, "closed": 3, "deregistered": 4}
STATE_LABELS = {"active": "运行", "suspended": "临时关停", "closing": "关停中", "closed": "已下线",
                "deregistered": "已注销"}


def national_record(session: Session, subject: Site | Account) -> dict[str, Any]:
    """The subject as the national system receives it (its state after the change)."""
    host = session.get(Organisation, subject.host_org_id)
    supervising = session.get(Organisation, subject.supervising_org_id)
    common = {"govwatch_id": subject.id, "state": str(subject.state.value), "org_path": subject.org_path,
              "host_unit": host.name if host else None, "supervising_unit": supervising.name if supervising else None,
              "region_code": host.region_code if host else None,
              # 负责人 and 联系电话, as national filing asks them (issue 16)
              "responsible_person": subject.responsible_person, "contact_phone": subject.contact_phone}
    if isinstance(subject, Site):
        return {"type": "site", "name": subject.name, "site_code": subject.site_code,
                "homepage_url": subject.homepage_url, "icp_number": subject.icp_number,
                "psb_number": subject.psb_number, "has_badge": subject.has_badge, "site_kind": subject.kind.value,
                "migration_target_url": subject.migration_target_url,
                "closure_notice_on": subject.closure_notice_on.isoformat() if subject.closure_notice_on else None,
                **common}
    return {"type": "account", "name": subject.registered_name, "platform": subject.platform.value,
            "platform_id": subject.platform_id, "interaction_url": subject.interaction_url,
            "qr_code_sha256": subject.qr_code_sha256, **common}


def enqueue(session: Session, subject_kind: SubjectKind, subject: Site | Account, action: str,
            filing: Filing | None = None) -> OutboxRow:
    """Adds the outbox row to the caller's transaction (commits with the change or not at all)."""
    session.flush()
    row = OutboxRow(key=uuid.uuid4().hex, filing_id=filing.id if filing else None, subject_kind=subject_kind,
                    subject_id=subject.id, action=action, org_path=subject.org_path,
                    record={"action": action, "filing_id": filing.id if filing else None,
                            **national_record(session, subject)})
    session.add(row)
    return row


def national_stage_adopted(session: Session, subject_kind: SubjectKind, subject_id: int) -> str | None:
    """The national state a supervisor adopted for this subject from a reconciliation ("closed there,
    running here" turned into a filing), if any: the national record is already that far along."""
    return session.exec(select(Difference.theirs).where(
        Difference.subject_kind == subject_kind, Difference.subject_id == subject_id,
        Difference.kind == DifferenceKind.closed_there_running_here, Difference.filing_id.is_not(None))
        .order_by(Difference.id.desc()).limit(1)).first()


def enqueue_filing(session: Session, filing: Filing, subject: Site | Account) -> OutboxRow:
    """The filing's outbox row. A step that would put the national record behind the state it already has
    (a closure adopted from the national register: 关停中 after 已下线) is recorded but not pushed."""
    row = enqueue(session, filing.subject_kind, subject, filing.kind.value, filing)
    there = national_stage_adopted(session, filing.subject_kind, subject.id)
    here = str(subject.state.value)
    if there and STAGE.get(here, 0) < STAGE.get(there, 0):
        row.state = OutboxState.resolved
        row.resolution_note = (f"国家系统已是「{STATE_LABELS.get(there, there)}」，本次「{STATE_LABELS.get(here, here)}」"
                               "不再报送，以免国家系统状态倒退")
    return row


def claim_query():  # noqa: ANN201
    """The next due row, skipping rows other workers hold, and never overtaking an earlier open row of the
    same subject (so a rename is never pushed before the open it follows)."""
    earlier = aliased(OutboxRow)
    blocked = exists().where(and_(earlier.subject_kind == OutboxRow.subject_kind,
                                  earlier.subject_id == OutboxRow.subject_id, earlier.id < OutboxRow.id,
                                  earlier.state.in_(OPEN_STATES)))
    return (select(OutboxRow)
            .where(OutboxRow.state.in_((OutboxState.pending, OutboxState.sent)),
                   OutboxRow.next_attempt_at <= utcnow(), ~blocked)
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id).limit(1)
            .with_for_update(skip_locked=True, of=OutboxRow))


def list_rows(session: Session, principal: Principal, *, state: OutboxState | None, filing_id: int | None,
              subject_kind: SubjectKind | None, subject_id: int | None, sort: str, limit: int,
              offset: int) -> tuple[list[OutboxRow], int]:
    query = select(OutboxRow).where(scope_filter(OutboxRow.org_path, principal))
    if state:
        query = query.where(OutboxRow.state == state)
    if filing_id is not None:
        query = query.where(OutboxRow.filing_id == filing_id)
    if subject_kind:
        query = query.where(OutboxRow.subject_kind == subject_kind)
    if subject_id is not None:
        query = query.where(OutboxRow.subject_id == subject_id)
    return paginate(session, query, order_by(OutboxRow, sort, {"id", "created_at", "updated_at", "next_attempt_at"}),
                    limit, offset)


def get_row(session: Session, principal: Principal, row_id: int, lock: bool = False) -> OutboxRow:
    row = session.get(OutboxRow, row_id, with_for_update=lock)
    if row is None or not principal.sees(row.org_path):
        raise not_found("推送记录")
    return row


def summary(session: Session, principal: Principal) -> dict[str, int]:
    rows = session.exec(select(OutboxRow.state, func.count()).where(scope_filter(OutboxRow.org_path, principal))
                        .group_by(OutboxRow.state)).all()
    counts = {s.value: 0 for s in OutboxState}
    counts.update({OutboxState(s).value: n for s, n in rows})
    return counts


def retry(session: Session, principal: Principal, row_id: int) -> OutboxRow:
    row = get_row(session, principal, row_id, lock=True)
    if row.state != OutboxState.failed:
        raise conflict("not_failed", f"只有推送失败的记录可以重试（当前为{OUTBOX_LABELS[row.state]}）", state=row.state)
    before = audit.snapshot(row)
    row.state, row.attempts, row.next_attempt_at, row.updated_at = OutboxState.pending, 0, utcnow(), utcnow()
    audit.record(session, principal, "sync.retry", "sync_outbox", row.id, row.org_path, before=before,
                 after=audit.snapshot(row))
    session.commit()
    session.refresh(row)
    return row


def resolve(session: Session, principal: Principal, row_id: int, note: str) -> OutboxRow:
    row = get_row(session, principal, row_id, lock=True)
    if row.state != OutboxState.failed:
        raise conflict("not_failed", f"只有推送失败的记录可以标记为已处理（当前为{OUTBOX_LABELS[row.state]}）", state=row.state)
    before = audit.snapshot(row)
    row.state, row.resolution_note, row.updated_at = OutboxState.resolved, note, utcnow()
    audit.record(session, principal, "sync.resolve", "sync_outbox", row.id, row.org_path, note=note,
                 before=before, after=audit.snapshot(row))
    session.commit()
    session.refresh(row)
    return row


def push_again(session: Session, principal: Principal, subject_kind: SubjectKind, subject_id: int) -> OutboxRow:
    """A fresh push of the subject's current record (reconciliation: the national side is behind)."""
    model = Site if subject_kind == SubjectKind.site else Account
    subject = session.get(model, subject_id)
    if subject is None or not principal.sees(subject.org_path):
        raise not_found("网站" if subject_kind == SubjectKind.site else "新媒体账号")
    if subject.state.value == "pending_open":
        raise ApiError(409, "not_approved", "尚未批准开设的对象不报送国家系统")
    row = enqueue(session, subject_kind, subject, "resync")
    session.flush()
    audit.record(session, principal, "sync.resync", "sync_outbox", row.id, row.org_path, after=audit.snapshot(row))
    return row
