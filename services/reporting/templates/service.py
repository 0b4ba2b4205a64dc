"""Notice templates: the effective template of an office (saved, else its tier's default), saving one (the
office's admins), and the 文号 sequence. Plain functions on a session."""
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from services.common.auth import Principal, Role
from services.common.errors import ApiError
from services.reporting.models_base import utcnow
from services.reporting.rectification.service import audit
from services.reporting.templates import placeholders
from services.reporting.templates.defaults import default_template
from services.reporting.templates.models import DocSequence, NoticeTemplate, TemplateFields, TemplatePublic


def effective(session: Session, org: dict[str, Any], children: list[dict[str, Any]] | None = None,
              ) -> tuple[TemplateFields, NoticeTemplate | None]:
    row = session.get(NoticeTemplate, org["id"])
    if row is None:
        return default_template(org, children), None
    return TemplateFields.model_validate(row.fields), row


def doc_number(prefix: str, year: int, n: int) -> str:
    return f"{prefix}〔{year}〕{n}号"


def peek_number(session: Session, org_id: int, prefix: str, year: int) -> str:
    if not prefix:
        return ""
    row = session.get(DocSequence, (org_id, year))
    return doc_number(prefix, year, (row.last if row else 0) + 1)


def assign_number(session: Session, org_id: int, prefix: str, year: int) -> str:
    """The office's next 文号 of the year. One statement increments and reads the counter under the row's lock,
    so concurrent issues get distinct numbers; a number once handed out is never handed out again (the caller's
    transaction keeps it with the notice, and the counter never goes back)."""
    n = session.execute(text(
        "INSERT INTO reporting.doc_sequence (org_id, year, last) VALUES (:org, :year, 1) "
        "ON CONFLICT ON CONSTRAINT pk_doc_sequence DO UPDATE SET last = reporting.doc_sequence.last + 1 "
        "RETURNING last"), {"org": org_id, "year": year}).scalar_one()
    return doc_number(prefix, year, n)


def public(session: Session, org: dict[str, Any], children: list[dict[str, Any]] | None, year: int) -> TemplatePublic:
    fields, row = effective(session, org, children)
    return TemplatePublic(**fields.model_dump(), org_id=org["id"], org_path=org["path"],
                          source="saved" if row else "default", updated_by=row.updated_by if row else None,
                          updated_at=row.updated_at if row else None, placeholders=placeholders.PLACEHOLDERS,
                          next_doc_number=peek_number(session, org["id"], fields.doc_prefix, year))


def validate(fields: TemplateFields) -> None:
    for name, value in fields.model_dump().items():
        if isinstance(value, str):
            placeholders.check(name, value)


def save(session: Session, principal: Principal, org: dict[str, Any], fields: TemplateFields) -> NoticeTemplate:
    """An office's admins (or an admin of an office above it) set its template."""
    if principal.role != Role.admin:
        raise ApiError(403, "forbidden", "只有本机关的管理员可以修改通报模板")
    validate(fields)
    row = session.get(NoticeTemplate, org["id"], with_for_update=True)
    before = row.fields if row else None
    if row is None:
        row = NoticeTemplate(org_id=org["id"], org_path=org["path"], updated_by=principal.sub)
    row.fields, row.updated_by, row.updated_at = fields.model_dump(mode="json"), principal.sub, utcnow()
    session.add(row)
    audit(session, principal, "notice_template_saved", entity_kind="notice_template", entity_id=org["id"],
          org_path=org["path"], before=before, after=row.fields)
    session.commit()
    session.refresh(row)
    return row


def reset(session: Session, principal: Principal, org: dict[str, Any]) -> None:
    if principal.role != Role.admin:
        raise ApiError(403, "forbidden", "只有本机关的管理员可以修改通报模板")
    row = session.get(NoticeTemplate, org["id"])
    if row is not None:
        audit(session, principal, "notice_template_reset", entity_kind="notice_template", entity_id=org["id"],
              org_path=org["path"], before=row.fields)
        session.delete(row)
        session.commit()

