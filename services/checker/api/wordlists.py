"""Word lists (错敏词): an organisation's additions and whitelist, applied to its whole subtree."""
from typing import Annotated

from fastapi import APIRouter, Query

from services.checker.api.deps import Reader, Runner, Token, org_path_of
from services.checker.store import wordlists
from services.checker.store.models import WordCategory, WordEntryCreate, WordEntryPublic, WordList
from services.common.db import SessionDep
from services.common.pagination import Page, PageDep

router = APIRouter(prefix="/api/v1/wordlists", tags=["word lists"])


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
