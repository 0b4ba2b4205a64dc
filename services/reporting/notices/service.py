"""Notices: plain functions on a session. Scope is enforced in every query: a principal manages a notice
only when the inspection's scope organisation lies inside the principal's subtree; it also reads (and
downloads) the issued versions of a notice that names a unit of its subtree."""
from typing import Any

from sqlalchemy import and_, exists, or_, update
from sqlmodel import Session, func, select

from services.common.auth import Principal
from services.common.errors import conflict, not_found
from services.common.scope import scope_filter
from services.reporting.clients import ServiceClient
from services.reporting.notices import assembly
from services.reporting.notices.models import (
    EDITABLE, EDITABLE_FIELDS, ISSUABLE, STATE_LABELS, FileFormat, Notice, NoticeContent, NoticeCreate, NoticeFile,
    NoticeFilePublic, NoticeProgress, NoticePublic, NoticeState, NoticeSummary, NoticeUpdate, NoticeVersion,
)
from services.reporting.notices.text import plain_text
from services.reporting.models_base import utcnow
from services.reporting.statistics.models import TargetFact
from services.reporting.templates import service as templates

AUTO_TEXT = ("overview", "problems", "requirements")


def content_of(notice: Notice) -> NoticeContent:
    return NoticeContent.model_validate(notice.content)


def public(session: Session, notice: Notice, principal: Principal | None = None) -> NoticePublic:
    """The notice as `principal` may read it: a unit it merely names reads the latest issued version, never a
    draft of the next one (nor a rendering error)."""
    content, extra = content_of(notice), {}
    if principal is not None and not principal.sees(notice.scope_org_path) and notice.state != NoticeState.issued:
        issued = session.exec(select(NoticeVersion).where(NoticeVersion.notice_id == notice.id)
                              .order_by(NoticeVersion.version.desc())).first()
        content = NoticeContent.model_validate(issued.content if issued is not None else {})
        extra = {"state": NoticeState.issued, "error": None}
    files = session.exec(select(NoticeFile).where(NoticeFile.notice_id == notice.id)
                         .order_by(NoticeFile.version.desc(), NoticeFile.format)).all()
    return NoticePublic.model_validate(notice, update={
        **extra, "content": content, "text": plain_text(content), "progress": progress(notice),
        "files": [NoticeFilePublic.model_validate(f, update={
            "url": f"/api/v1/notices/{notice.id}/versions/{f.version}/files/{f.format}"}) for f in files]})


# The steps of a rendering (notices/flows.py), as a person reads them.
STEP_LABELS = {"queued": "排队等待生成", "docx": "正在生成 Word 文件", "pdf": "正在生成 PDF 文件",
               "xlsx": "正在生成 Excel 文件", "store": "正在保存文件", "done": "文件已生成", "failed": "文件生成失败"}


def progress(notice: Notice) -> NoticeProgress | None:
    r = notice.render
    if not r:
        return None
    formats = [FileFormat(f) for f in r.get("formats", [])]
    step = r.get("step", "queued")
    return NoticeProgress(step=step, label=STEP_LABELS.get(step, STEP_LABELS["queued"]),
                          done=len(r.get("done", [])), total=len(formats) + 1, attempt=r.get("attempt", 1),
                          formats=formats, requested_at=r.get("requested_at"), started_at=r.get("started_at"),
                          finished_at=r.get("finished_at"))


def summary(notice: Notice, principal: Principal | None = None) -> NoticeSummary:
    # A unit the notice names reads its issued versions only, whatever the issuer is drafting next.
    named_only = principal is not None and not principal.sees(notice.scope_org_path)
    return NoticeSummary.model_validate(notice, update={
        "title": notice.content.get("title", ""), **({"state": NoticeState.issued} if named_only else {})})


def get_visible(session: Session, principal: Principal, notice_id: int, *, lock: bool = False) -> Notice:
    query = select(Notice).where(Notice.id == notice_id, scope_filter(Notice.scope_org_path, principal))
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise not_found("通报")
    return row


def readable(principal: Principal) -> Any:
    """Notices of the caller's subtree, and issued ones whose inspection checked a target of it (the 通报 that
    names a department or county is theirs to open and download)."""
    named = exists().where(TargetFact.inspection_id == Notice.inspection_id,
                           scope_filter(TargetFact.org_path, principal))
    return or_(scope_filter(Notice.scope_org_path, principal), and_(Notice.version > 0, named))


def get_readable(session: Session, principal: Principal, notice_id: int) -> Notice:
    row = session.exec(select(Notice).where(Notice.id == notice_id, readable(principal))).first()
    if row is None:
        raise not_found("通报")
    return row


def list_notices(session: Session, principal: Principal, *, limit: int, offset: int, state: NoticeState | None,
                 inspection_id: int | None) -> tuple[list[Notice], int]:
    query = select(Notice).where(readable(principal))
    if state is not None:
        query = query.where(Notice.state == state)
    if inspection_id is not None:
        query = query.where(Notice.inspection_id == inspection_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Notice.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def record_facts(session: Session, gathered: assembly.Gathered) -> None:
    """Replace the statistics rows of the inspection (the latest assembly wins)."""
    ins = gathered.inspection
    session.exec(TargetFact.__table__.delete().where(TargetFact.inspection_id == ins["id"]))  # type: ignore[attr-defined]
    now = ins["now"]
    for fact in assembly.facts(gathered):
        session.add(TargetFact(inspection_id=ins["id"], inspection_name=ins.get("name", "")[:200],
                               inspection_now=now, scope_org_path=ins["scope_org_path"], **fact))


def create_draft(session: Session, principal: Principal, client: ServiceClient, body: NoticeCreate) -> Notice:
    gathered = assembly.gather(client, body.inspection_id, body.previous_inspection_id, sees=principal.sees)
    ins = gathered.inspection
    content = assembly.build(gathered, issue_date=body.issue_date, doc_number=body.doc_number,
                             issuing_office=body.issuing_office, deadline=body.deadline, report_to=body.report_to,
                             **assembly.office_inputs(session, gathered))
    notice = Notice(inspection_id=ins["id"], previous_inspection_id=(gathered.previous or {}).get("id"),
                    scope_org_id=ins["scope_org_id"], scope_org_path=ins["scope_org_path"],
                    content=content.model_dump(mode="json"), created_by=principal.sub)
    session.add(notice)
    record_facts(session, gathered)
    session.commit()
    session.refresh(notice)
    return notice


def update_draft(session: Session, principal: Principal, notice_id: int, body: NoticeUpdate) -> Notice:
    notice = get_visible(session, principal, notice_id, lock=True)
    if notice.state not in EDITABLE:
        raise conflict("notice_not_editable",
                       f"通报已{'印发' if notice.state == NoticeState.issued else '在生成中'}，不能修改"
                       f" ({notice.state}); 如需更正请先 POST /revise 开始新版本", state=str(notice.state))
    changes = body.model_dump(exclude_unset=True)
    content = content_of(notice)
    data = content.model_dump()
    for name, value in changes.items():
        if name in EDITABLE_FIELDS and value is not None:
            data[name] = value
    content = NoticeContent.model_validate(data)
    edited = list(dict.fromkeys([*notice.edited, *(k for k in changes if changes[k] is not None)]))
    # Generated sections follow the figures' formatting (precision, deadline) until someone edits them.
    if "overview" not in edited:
        content.overview = assembly.overview_text(content)
    if "requirements" not in edited:
        content.requirements = assembly.requirements_text(content)
    notice.content = content.model_dump(mode="json")
    notice.edited = edited
    notice.updated_at = utcnow()
    session.add(notice)
    session.commit()
    session.refresh(notice)
    return notice


def revise(session: Session, principal: Principal, notice_id: int) -> Notice:
    """An issued notice back to draft for its next version (the issued versions stay as they are)."""
    notice = get_visible(session, principal, notice_id, lock=True)
    if notice.state != NoticeState.issued:
        raise conflict("notice_not_issued", f"只有已印发的通报可以修订（当前为{STATE_LABELS[notice.state]}）", state=str(notice.state))
    notice.state = NoticeState.draft
    notice.updated_at = utcnow()
    session.add(notice)
    session.commit()
    session.refresh(notice)
    return notice


def claim_issue(session: Session, principal: Principal, client: ServiceClient, notice_id: int,
                render: dict[str, Any]) -> Notice:
    """The notice to `rendering` with its rendering record (notices/flows.py renders it); 409 when it is
    not issuable. The database decides: of two issuing at once, one claims and the other gets 409."""
    notice = get_visible(session, principal, notice_id)
    if notice.state not in ISSUABLE:
        raise conflict("notice_not_issuable", f"通报当前为{STATE_LABELS[notice.state]}，不能印发", state=str(notice.state))
    # The inspection must still be completed (a re-run or a cancelled one cannot be issued).
    try:
        assembly.require_completed(client.inspection(notice.inspection_id))
    except assembly.UpstreamError as exc:
        raise assembly._upstream(exc) from exc
    claimed = session.exec(update(Notice).where(Notice.id == notice.id, Notice.state.in_(ISSUABLE))  # type: ignore[attr-defined]
                           .values(state=NoticeState.rendering, error=None, updated_at=utcnow(), render=render))
    session.commit()
    if claimed.rowcount != 1:
        raise conflict("notice_not_issuable", "通报正在生成或已印发，不能重复印发", state="rendering")
    session.refresh(notice)
    content = content_of(notice)
    if not content.doc_number and content.doc_prefix:
        # The office's next 文号, kept with the notice at once: a failed rendering re-issues with it.
        content.doc_number = templates.assign_number(session, notice.scope_org_id, content.doc_prefix,
                                                     content.issue_date.year)
        notice.content = content.model_dump(mode="json")
        session.add(notice)
        session.commit()
        session.refresh(notice)
    return notice


def get_file(session: Session, principal: Principal, notice_id: int, version: int | None,
             fmt: FileFormat) -> tuple[Notice, NoticeFile]:
    notice = get_readable(session, principal, notice_id)
    query = select(NoticeFile).where(NoticeFile.notice_id == notice.id, NoticeFile.format == fmt)
    if version is not None:
        query = query.where(NoticeFile.version == version)
    row = session.exec(query.order_by(NoticeFile.version.desc())).first()
    if row is None:
        raise not_found("通报文件")
    return notice, row


def file_name(notice: Notice, row: NoticeFile) -> str:
    title = notice.content.get("title", "通报")[:80]
    return f"{title}-v{row.version}.{row.format}"


def versions(session: Session, notice: Notice) -> list[dict[str, Any]]:
    rows = session.exec(select(NoticeVersion).where(NoticeVersion.notice_id == notice.id)
                        .order_by(NoticeVersion.version)).all()
    return [{"version": r.version, "issued_by": r.issued_by, "issued_at": r.issued_at,
             "title": r.content.get("title")} for r in rows]


