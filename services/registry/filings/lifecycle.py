"""The lifecycle as data: which filing kind moves a subject from which states to which state,
which payload it carries and which evidence must be attached before it can be approved."""
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from services.registry.accounts.models import AccountState
from services.registry.filings.models import (
    AccountChangePayload, ClosePayload, EmptyPayload, EvidenceKind, FilingKind, RenamePayload,
    SiteChangePayload, SubjectKind,
)
from services.registry.sites.models import SiteState

CLOSURE_NOTICE_DAYS = 30  # closure notice stays on the old homepage at least this long [L]


@dataclass(frozen=True)
class Transition:
    sources: frozenset[StrEnum]
    target: StrEnum | None  # None: the state does not change (rename, change)
    payload: type[BaseModel]
    evidence: tuple[EvidenceKind, ...]


def _t(sources: set, target, payload: type[BaseModel], *evidence: EvidenceKind) -> Transition:
    return Transition(frozenset(sources), target, payload, evidence)


S, A = SiteState, AccountState
E = EvidenceKind
SITE: dict[FilingKind, Transition] = {
    FilingKind.open: _t({S.pending_open}, S.active, EmptyPayload, E.approval_document),
    FilingKind.rename: _t({S.active}, None, RenamePayload, E.approval_document),
    FilingKind.change: _t({S.active}, None, SiteChangePayload, E.approval_document),
    FilingKind.suspend: _t({S.active}, S.suspended, EmptyPayload, E.approval_document),
    FilingKind.resume: _t({S.suspended}, S.active, EmptyPayload, E.approval_document),
    FilingKind.close: _t({S.active, S.suspended}, S.closing, ClosePayload,
                         E.approval_document, E.closure_notice, E.migration_proof),
    FilingKind.offline: _t({S.closing}, S.closed, EmptyPayload, E.closure_notice),
    FilingKind.deregister: _t({S.closed}, S.deregistered, EmptyPayload,
                              E.icp_cancelled, E.badge_cancelled, E.psb_cancelled, E.domain_released),
}
ACCOUNT: dict[FilingKind, Transition] = {
    FilingKind.open: _t({A.pending_open}, A.active, EmptyPayload, E.approval_document),
    FilingKind.rename: _t({A.active}, None, RenamePayload, E.approval_document),
    FilingKind.change: _t({A.active}, None, AccountChangePayload, E.approval_document),
    FilingKind.suspend: _t({A.active}, A.suspended, EmptyPayload, E.approval_document),
    FilingKind.resume: _t({A.suspended}, A.active, EmptyPayload, E.approval_document),
    FilingKind.close: _t({A.active, A.suspended}, A.closing, ClosePayload, E.approval_document, E.closure_notice),
    FilingKind.deregister: _t({A.closing}, A.deregistered, EmptyPayload, E.platform_cancellation),
}
TABLES = {SubjectKind.site: SITE, SubjectKind.account: ACCOUNT}


def allowed_kinds(subject_kind: SubjectKind, state: str) -> list[str]:
    return [kind.value for kind, t in TABLES[subject_kind].items() if state in t.sources]


def transition(subject_kind: SubjectKind, kind: FilingKind) -> Transition | None:
    return TABLES[subject_kind].get(kind)
