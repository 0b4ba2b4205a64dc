"""What happens to a subject once its filing is approved."""
from typing import Any

from sqlmodel import Session

from services.registry.accounts import qrcode
from services.registry.accounts.models import Account
from services.registry.filings.lifecycle import transition
from services.registry.filings.models import Filing, FilingKind
from services.registry.models_base import utcnow
from services.registry.orgs.models import Organisation
from services.registry.sites.models import Site
from services.registry.sync import service as sync


def apply_approved(session: Session, filing: Filing, subject: Site | Account) -> None:
    step = transition(filing.subject_kind, filing.kind)
    assert step is not None
    payload: dict[str, Any] = step.payload.model_validate(filing.payload).model_dump(exclude_none=True)
    match filing.kind:
        case FilingKind.rename:
            if isinstance(subject, Site):
                subject.name = payload["new_name"]
                subject.homepage_url = payload.get("new_homepage_url", subject.homepage_url)
            else:
                subject.registered_name = payload["new_name"]
        case FilingKind.change:
            subject.sqlmodel_update({k: v for k, v in payload.items() if k != "qr_code_sha256"})
            if "host_org_id" in payload:
                host = session.get(Organisation, payload["host_org_id"])
                assert host is not None
                subject.org_path = host.path
        case FilingKind.close:
            subject.sqlmodel_update(payload)
        case FilingKind.deregister if isinstance(subject, Site):
            # The checklist is proven by the evidence kinds the approval required.
            subject.icp_cancelled = subject.badge_cancelled = True
            subject.psb_cancelled = subject.domain_released = True
        case _:
            pass
    if isinstance(subject, Account) and payload.get("qr_code_sha256"):  # rename or change with a new picture
        subject.qr_code_sha256 = payload["qr_code_sha256"]
        subject.qr_code_type = qrcode.uploaded(payload["qr_code_sha256"]).content_type
    if filing.override_reason:
        subject.rule_override_reason = filing.override_reason
    if step.target is not None:
        subject.state = step.target
    subject.updated_at = utcnow()
    session.add(subject)
    # Reported to the national system: the outbox row commits with the change (pushed by sync.worker).
    sync.enqueue_filing(session, filing, subject)
