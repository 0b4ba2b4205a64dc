"""Parsing public message boards (留言列表) out of page HTML: tables with 留言时间/回复时间/状态 columns,
and lists whose entries carry labelled dates and a status word."""
import re
from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from services.checker.checks.base import site_pages
from services.checker.checks.html import INVISIBLE, has_descendant, page_text, parse, per_page
from services.checker.model import Page, SiteSnapshot

DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
TIME_HEAD = re.compile(r"时间|日期")
REPLY_WORD = re.compile(r"回复|答复|办结|处理|反馈")
STATUS_HEAD = re.compile(r"状态|是否回复|是否答复|办理情况|回复情况")
TITLE_HEAD = re.compile(r"标题|主题|内容|事项")
BOARD = re.compile(r"留言|来信|信件|咨询|提问|问政|信箱|诉求")
BOARD_URL = re.compile(r"liuyan|zixun|xinxiang|hudong|guestbook|mailbox|message|consult", re.I)
UNANSWERED = re.compile(r"未回复|待回复|未答复|待答复|未办结|办理中|处理中|待处理|未处理|已受理|受理中")
ANSWERED = re.compile(r"已回复|已答复|已办结|已处理|已反馈|办结")
ASKED_LABEL = re.compile(r"(?:留言|提问|来信|咨询|写信|提交)(?:时间|日期)\s*[:：]?\s*" + DATE.pattern)
REPLIED_LABEL = re.compile(r"(?:回复|答复|办结|处理|反馈)(?:时间|日期)\s*[:：]?\s*" + DATE.pattern)
# A reply date written after the status word: "已回复 2026-11-18", "已办结（2024年1月5日）".
STATUS_DATE = re.compile(r"(?:已回复|已答复|已办结|已处理|已反馈)\s*[（(\[【]?\s*(?:于\s*)?" + DATE.pattern)
TABLE_TAG = re.compile(r"<table", re.I)


@dataclass(frozen=True)
class Message:
    title: str
    asked: date | None
    replied: date | None
    answered: bool | None        # from a status word or a reply date; None when the board does not say
    page: Page


def _date(match: re.Match[str] | None) -> date | None:
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _answered(status: str, replied: date | None, reply_column: bool) -> bool | None:
    if UNANSWERED.search(status):
        return False
    if ANSWERED.search(status) or replied is not None:
        return True
    return False if reply_column else None  # an empty cell under a reply-time heading


def _cells(row: LexborNode) -> list[str]:
    return [" ".join(c.text(separator=" ").split()) for c in row.css("th, td")]


def _from_table(table: LexborNode, page: Page) -> list[Message]:
    rows = table.css("tr")
    if len(rows) < 2:
        return []
    head = [h if len(h) <= 12 else "" for h in _cells(rows[0])]
    def find(test) -> int | None:
        return next((i for i, h in enumerate(head) if h and test(h)), None)
    status_i = find(lambda h: STATUS_HEAD.search(h) and not TIME_HEAD.search(h))
    replied_i = find(lambda h: TIME_HEAD.search(h) and REPLY_WORD.search(h))
    asked_i = find(lambda h: TIME_HEAD.search(h) and not REPLY_WORD.search(h))
    if asked_i is None or (status_i is None and replied_i is None):
        return []
    title_i = find(lambda h: TITLE_HEAD.search(h) and not TIME_HEAD.search(h) and not STATUS_HEAD.search(h))
    messages = []
    for row in rows[1:]:
        cells = _cells(row)
        if len(cells) != len(head):
            continue
        asked = _date(DATE.search(cells[asked_i]))
        replied = _date(DATE.search(cells[replied_i])) if replied_i is not None else None
        status = cells[status_i] if status_i is not None else ""
        if replied is None and ANSWERED.search(status) and not UNANSWERED.search(status):
            replied = _date(DATE.search(status))   # "已回复 2026-11-18" in the status cell
        title = cells[title_i] if title_i is not None else next(
            (c for c in cells if len(c) > 4 and not DATE.search(c)), "")
        answered = _answered(status, replied, replied_i is not None)
        messages.append(Message(title, asked, replied, answered, page))
    return messages


def _from_entry(text: str, page: Page) -> Message | None:
    asked = _date(ASKED_LABEL.search(text))
    if asked is None:
        return None
    replied = _date(REPLIED_LABEL.search(text)) or _date(STATUS_DATE.search(text))
    status = text if (UNANSWERED.search(text) or ANSWERED.search(text)) else ""
    if not status and replied is None:
        return None
    title = DATE.split(text, maxsplit=1)[0]
    title = re.sub(r"(?:留言|提问|来信|咨询|写信|提交)(?:时间|日期)\s*[:：]?\s*$", "", title).strip(" |·-—")
    return Message(title[:80], asked, replied, _answered(status, replied, False), page)


def _entry_texts(tree: LexborHTMLParser) -> list[str]:
    """Texts of list entries, whatever their markup (li, dl, div.msg …): the outermost elements that
    hold exactly one labelled message time, inside a parent holding several."""
    texts = []
    for node in tree.css("li, dl, dd, div, p, section, article, tr"):
        text = " ".join(node.text(separator=" ").split())
        if len(ASKED_LABEL.findall(text)) != 1:
            continue
        parent = node.parent
        if parent is not None and len(ASKED_LABEL.findall(parent.text(separator=" "))) == 1:
            continue  # the parent is still this one message's container
        texts.append(text)
    return texts


def board_messages(page: Page) -> list[Message]:
    """Messages listed on the page; a page is read as a board when its title or address, or the headings
    of one of its tables, speak of messages (other tables have dates and states too: tenders …).
    Read once per page: message_unanswered, reply_slow and the metrics each ask for the site's messages."""
    return [Message(*row, page) for row in _read_board(page)]


@per_page
def _read_board(page: Page) -> tuple[tuple[str, date | None, date | None, bool | None], ...]:
    """The board's messages without their page (a value kept per page must not hold it)."""
    if not page.html:
        return ()
    titled = bool(BOARD.search(f"{page.title} {page.url}") or BOARD_URL.search(page.url))
    # Without a board title only a table can hold messages, and only one whose first row speaks of messages:
    # a page is not parsed without <table>, or without such a word (or a character written as &#…;) after
    # the first one in its source (a table's rows follow its tag; the navigation's 信箱 usually precedes it).
    html, table = page.html, TABLE_TAG.search(page.html)
    if not titled and not (table and (BOARD.search(html, table.start()) or html.find("&#", table.start()) >= 0)):
        return ()
    tree = parse(page)
    if tree is None:
        return ()
    tree.strip_tags(INVISIBLE)
    messages: list[Message] = []
    for table in tree.css("table"):
        first_row = table.css_first("tr")
        about_messages = titled or (first_row is not None and BOARD.search(first_row.text()))
        # Innermost tables only: layouts nest tables.
        if about_messages and not has_descendant(table, "table"):
            messages += _from_table(table, page)
    if not messages and titled:
        messages = [m for text in _entry_texts(tree) if (m := _from_entry(text, page)) is not None]
    return tuple((m.title, m.asked, m.replied, m.answered) for m in messages)


def detail_message(page: Page) -> Message | None:
    """A page showing one message with its labelled dates (the detail page of a board entry)."""
    if not (BOARD.search(f"{page.title} {page.url}") or BOARD_URL.search(page.url)):
        return None
    text = " ".join(page_text(page).split())
    if len(ASKED_LABEL.findall(text)) != 1:
        return None
    message = _from_entry(text[ASKED_LABEL.search(text).start():], page)
    return Message(page.title, message.asked, message.replied, message.answered, page) if message else None


def site_messages(snapshot: SiteSnapshot) -> list[Message]:
    """Messages of every board list, once each (boards repeat across paginated and column pages); when the
    site lists none, the message detail pages that were fetched."""
    pages = site_pages(snapshot)
    seen: set[tuple[str, date | None]] = set()
    out = []
    for page in pages:
        for message in board_messages(page):
            key = (message.title, message.asked)
            if key not in seen:
                seen.add(key)
                out.append(message)
    return out or [m for m in map(detail_message, pages) if m is not None]
