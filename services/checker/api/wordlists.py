"""Word lists (错敏词): the built-in lists (read only), and an organisation's additions and whitelist,
applied to its whole subtree."""
from collections import Counter
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.checker.api.deps import Reader, Runner, Token, org_path_of
from services.checker.store import wordlists
from services.checker.store.models import WordCategory, WordEntryCreate, WordEntryPublic, WordList
from services.checker.wordlists import builtin_version
from services.checker.wordlists.builtin import SOURCE_LABELS, builtin_rows
from services.common.db import SessionDep
from services.common.pagination import Page, PageDep

router = APIRouter(prefix="/api/v1/wordlists", tags=["word lists"])


class BuiltinWord(BaseModel):
    word: str
    category: WordCategory
    group: str                       # zh-CN kind within the category (赌博, 机构名称变更, 涉台港澳表述 …)
    suggestion: str | None           # correct form (serious_error, typo) or reason (sensitive_content)
    obsolete_since: date | None      # outdated names: text written earlier used the name rightly
    source: str                      # zh-CN name of the source (PROVENANCE.md)


class BuiltinGroup(BaseModel):
    category: WordCategory
    group: str
    count: int


class BuiltinSummary(BaseModel):
    version: str
    total: int
    groups: list[BuiltinGroup]


@router.get("/builtin/summary", response_model=BuiltinSummary,
            summary="Version of the built-in lists and their size per category and group")
def builtin_summary(principal: Reader) -> BuiltinSummary:
    counts = Counter((entry.category, entry.group or "") for entry, _ in builtin_rows())
    return BuiltinSummary(version=builtin_version(), total=sum(counts.values()),
                          groups=[BuiltinGroup(category=c, group=g, count=n) for (c, g), n in counts.items()])


@router.get("/builtin", response_model=Page[BuiltinWord], summary="Entries of the built-in lists (read only)")
def builtin_entries(principal: Reader, page: PageDep, category: WordCategory | None = None,
                    group: Annotated[str | None, Query(max_length=50)] = None,
                    q: Annotated[str | None, Query(max_length=200)] = None) -> Page[BuiltinWord]:
    needle = (q or "").strip().lower()
    rows = [(e, source) for e, source in builtin_rows()
            if (category is None or e.category == category) and (not group or e.group == group)
            and (not needle or needle in e.word.lower() or needle in (e.suggestion or "").lower())]
    items = [BuiltinWord(word=e.word, category=e.category, group=e.group or "", suggestion=e.suggestion,
                         obsolete_since=e.obsolete_since, source=SOURCE_LABELS.get(source, source))
             for e, source in rows[page.offset:page.offset + page.limit]]
    return Page(items=items, total=len(rows), limit=page.limit, offset=page.offset)


@router.get("/entries", response_model=Page[WordEntryPublic],
            summary="Entries of one's subtree and of one's ancestors (which apply to it)")
def list_entries(session: SessionDep, principal: Reader, page: PageDep,
                 list: Annotated[WordList | None, Query(description="addition or whitelist")] = None,
                 category: WordCategory | None = None, org_id: int | None = None,
                 q: Annotated[str | None, Query(max_length=200)] = None) -> Page[WordEntryPublic]:
    rows, total = wordlists.list_entries(session, principal, list_=list, category=category, org_id=org_id, q=q,
                                         limit=page.limit, offset=page.offset)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@router.post("/entries", response_model=WordEntryPublic, status_code=201)
async def create_entry(session: SessionDep, principal: Runner, token: Token,
                       body: WordEntryCreate) -> WordEntryPublic:
    org_id, path = await org_path_of(principal, token, body.org_id)
    return wordlists.create_entry(session, principal, body, org_id, path)


@router.delete("/entries/{entry_id}", status_code=204)
def delete_entry(session: SessionDep, principal: Runner, entry_id: int) -> None:
    wordlists.delete_entry(session, principal, entry_id)
