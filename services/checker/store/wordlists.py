"""Per-organisation word-list entries: additions (extra words to flag) and whitelist phrases.

An entry applies to its organisation's whole subtree, so a check of a site uses the entries of the
site's host organisation and all its ancestors on top of the built-in lists.
"""
from typing import Any

from sqlalchemy import literal, or_
from sqlmodel import Session, func, select

from services.checker.inspections.service import audit, dump
from services.checker.store.models import WordCategory, WordEntry, WordEntryCreate, WordList
from services.common.auth import Principal
from services.common.errors import ApiError, conflict, not_found
from services.common.scope import scope_filter


def visible(principal: Principal):
    # One's own subtree's entries, and the ancestors' entries that apply to one.
    return or_(scope_filter(WordEntry.org_path, principal),
               literal(principal.org_path).startswith(WordEntry.org_path))


def list_entries(session: Session, principal: Principal, *, list_: WordList | None, category: WordCategory | None,
                 org_id: int | None, q: str | None, limit: int, offset: int) -> tuple[list[WordEntry], int]:
    query = select(WordEntry).where(visible(principal))
    if list_ is not None:
        query = query.where(WordEntry.list == list_)
    if category is not None:
        query = query.where(WordEntry.category == category)
    if org_id is not None:
        query = query.where(WordEntry.org_id == org_id)
    if q:
        query = query.where(WordEntry.word.icontains(q, autoescape=True))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(WordEntry.id).offset(offset).limit(limit)).all()
    return list(rows), total


def create_entry(session: Session, principal: Principal, body: WordEntryCreate, org_id: int,
                 org_path: str) -> WordEntry:
    if body.list == WordList.addition and body.category is None:
        raise ApiError(422, "category_required", "新增词条须指定类别 (serious_error, sensitive_content, typo)",
                       field="category")
    entry = WordEntry(**body.model_dump(exclude={"org_id"}), org_id=org_id, org_path=org_path,
                      created_by=principal.sub)
    if entry.list == WordList.whitelist:
        entry.category = None
    exists = session.exec(select(WordEntry).where(
        WordEntry.org_id == org_id, WordEntry.list == entry.list, WordEntry.word == entry.word,
        WordEntry.category == entry.category if entry.category else WordEntry.category.is_(None))).first()
    if exists is not None:
        raise conflict("word_exists", f"词条已存在: {entry.word}", id=exists.id)
    session.add(entry)
    session.flush()
    audit(session, principal, "wordlist.add", "word_entry", entry.id, org_path, after=dump(entry))
    session.commit()
    session.refresh(entry)
    return entry


def delete_entry(session: Session, principal: Principal, entry_id: int) -> None:
    entry = session.get(WordEntry, entry_id)
    # Only the owning subtree may delete; an ancestor's entry is visible but not deletable from below.
    if entry is None or not principal.sees(entry.org_path):
        raise not_found("词条")
    audit(session, principal, "wordlist.delete", "word_entry", entry.id, entry.org_path, before=dump(entry))
    session.delete(entry)
    session.commit()


def entries_for(session: Session, org_path: str) -> tuple[list[WordEntry], list[WordEntry]]:
    """Additions and whitelist applying to an organisation (its own and its ancestors')."""
    rows = session.exec(select(WordEntry).where(literal(org_path).startswith(WordEntry.org_path))
                        .order_by(WordEntry.id)).all()
    return [r for r in rows if r.list == WordList.addition], [r for r in rows if r.list == WordList.whitelist]


_matchers: dict[tuple[int, ...], Any] = {}


def matcher_for(session: Session, org_path: str) -> Any:
    """The built-in matcher extended with the organisation's entries; None when nothing is added (the
    engine then uses its default). Cached per set of entries: building an automaton costs milliseconds."""
    additions, whitelist = entries_for(session, org_path)
    if not additions and not whitelist:
        return None
    key = tuple(sorted(e.id for e in additions + whitelist))
    if key not in _matchers:
        from services.checker.wordlists import Entry, default_matcher
        if len(_matchers) > 256:
            _matchers.clear()
        _matchers[key] = default_matcher().extended(
            [Entry(word=e.word, category=e.category, suggestion=e.suggestion) for e in additions],
            [e.word for e in whitelist])
    return _matchers[key]
