"""Secrecy markings (密级标志) on published pages and attachments: a 安全、泄密事故, veto under 国办秘函〔2019〕19号.

A marking is judged by where it stands, not by the words alone, because secrecy is also a common subject of
public text (“保守国家秘密”, “涉密人员管理”, news about 保密工作). What counts:

- the 密级 with its ★ and optional 保密期限 (“秘密★”, “机密★1年”, “绝密★长期”), the 内部 phrases (“内部资料
  注意保存”, “内部资料，请勿外传”) and the 附注 form “（此件不公开）” — as a line of their own in the head of an
  HTML page's article (份号 and 紧急程度 may share the line; anywhere on the page when no head is found, and
  the 附注 form anywhere), or anywhere in the 版头 (first characters) of an attachment;
- a bare level (“秘密”, “机密 1年”) or “内部资料” / “内部文件” / “不宜公开” only in the head of the document: the
  first characters of an attachment (PDF text loses its line breaks between CJK lines, so the head is a
  character window there), or a line of its own in the lines after the article's title on an HTML page
  (above the title only with a 文号 line between: the 版头 of a reproduced 公文, not the navigation).

Not counted: a mark in quotes or introduced as an example (“标注‘秘密★’”, “如：机密★”), and a page that lists
several levels (a 保密知识 page showing 绝密★/机密★/秘密★): one document carries one level.

`scan(text, url, ctx, …)` judges one page's or attachment's text (the monitor pipeline calls it through
`check` on a one-page snapshot); `check(snapshot, ctx)` judges every fetched page of an inspection.
"""
import re
from dataclasses import dataclass
from datetime import datetime

from services.checker.checks.base import CheckContext, clip, iso, site_pages
from services.checker.checks.html import page_text
from services.checker.checks.personal_data import is_attachment, mask_text
from services.checker.model import Evidence, Finding, Page, SiteSnapshot

CODE = "secrecy_marking"

HEAD_CHARS = 120          # an attachment's 版头 area: 份号, 密级和保密期限, 紧急程度, 发文机关标志
BARE_HEAD_CHARS = 40      # … of which a bare level or 内部资料 must stand in the first characters (份号 line)
HEAD_LINES_BEFORE = 6     # an HTML page's head: the 版头 above the article's title line (when a 文号 line
                          # stands between, so a navigation entry above a title is not taken for it) …
HEAD_LINES_AFTER = 20     # … and the lines after it (发布时间, 来源, then the document's own 版头)
MAX_EVIDENCE = 3

_LEVEL = r"(?P<level>绝密|机密|秘密)"
_STAR = r"[★☆✭✩＊*▲]"
_PERIOD = r"(?:\d{1,2}\s*(?:年|个月)|[一二三四五六七八九十]{1,3}\s*(?:年|个月)|长期)"
_KEEP = r"(?:注意保存|请勿外传|注意保密|妥善保管|不得外传|严禁外传|请勿扩散|不得翻印|不得公开)"
# Marks that are markings wherever they stand on their own.
_STRONG = re.compile(
    rf"{_LEVEL}[ \t\u3000]*\n?[ \t\u3000]*{_STAR}(?:[ \t\u3000]*\n?[ \t\u3000]*{_PERIOD})?"
    rf"|内部(?:资料|材料|文件|刊物)[ \t\u3000]*[，,、:：]?[ \t\u3000]*\n?[ \t\u3000]*{_KEEP}"
    r"|[（(]此件不(?:宜|予)?公开[）)]")
# Marks that are markings only in the head of a document.
_WEAK = re.compile(rf"{_LEVEL}(?:[ \t\u3000]*{_PERIOD})?|内部(?:资料|文件|材料)|[（(]?不宜公开[）)]?")
# What may share a marking's line: 份号 (6 digits, or 份号：N), 紧急程度, separators.
_LINE_COMPANIONS = re.compile(r"(?:份号[:：]?\s*)?\d{1,6}|特急|加急|特提|平急|[\s\u3000|｜/、，,;；]")
_URGENCY = ("特急", "加急", "特提", "平急")
_OPEN_QUOTES = "“\"「『《‘'〈【"
_CLOSE_QUOTES = "”\"」』》’'〉】"
# Words that introduce a mark as a subject ("标注‘秘密★’", "例如：机密★") rather than carry it.
_TALKED_ABOUT = re.compile(r"(?:标注|标明|标识|标志|标有|注明|例如|比如|如|即|为|是)[:：]?\s*$")
_DOC_NUMBER = re.compile(r"[〔［\[（(]\s*(?:19|20)\d{2}\s*[〕］\]）)]\s*\d+\s*号")
_TALKED_AFTER = re.compile(r"\s*(?:字样|标志|标识|标注|的|等|级|载体|事项|密件)")
_CUES = ("绝密", "机密", "秘密", "内部", "不宜公开", "此件不")   # every mark holds one of these
_CUE = re.compile("|".join(_CUES))   # one scan for all (re skips to their first characters)
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|—|--|\s-\s)\s*")


@dataclass(frozen=True)
class Mark:
    mark: str      # the marking as printed, whitespace collapsed (“机密★1年”)
    level: str     # 绝密 | 机密 | 秘密 | "" for 内部资料 / 不宜公开 forms
    start: int     # position in the scanned text
    where: str     # attachment_head | page_head | page_line
    context: str   # the marking's line, or an attachment's head window (personal numbers masked)


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value)


def _quoted(text: str, start: int, end: int) -> bool:
    """The mark is a subject of the text: quoted, introduced (“标有”), or followed by what it names (“字样”)."""
    before = text[max(0, start - 12):start].rstrip(" \t\u3000")
    after = text[end:end + 1]
    return (bool(before) and before[-1] in _OPEN_QUOTES) or bool(after and after in _CLOSE_QUOTES) \
        or bool(_TALKED_ABOUT.search(before)) or bool(_TALKED_AFTER.match(text, end))


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) if text.find("\n", end) >= 0 else len(text))


def _alone_on_line(text: str, start: int, end: int) -> bool:
    """The mark fills its line, apart from 份号, 紧急程度 and separators."""
    left, right = _line_bounds(text, start, end)
    rest = text[left:start] + " " + text[end:right]
    return _LINE_COMPANIONS.sub("", rest) == ""


def _head_boundary(text: str, start: int, end: int) -> bool:
    """A bare mark in an attachment's head stands apart: after the start, a line break, spacing or the 份号;
    before a line break, spacing, ★, a 紧急程度 or the end (PDF text joins CJK lines, so no line to test)."""
    before = text[start - 1] if start else "\n"
    after = text[end:end + 2]
    return (before.isspace() or before.isdigit() or before in "\u3000") and \
        (not after or after[0].isspace() or after[0] in "\u3000★☆*＊" or after.startswith(_URGENCY))


def _title_line(lines: list[str], title: str) -> int | None:
    parts = [p for p in _TITLE_SPLIT.split(title.strip()) if len(p) >= 4]
    if not parts:
        return None
    main = max(parts, key=len)
    for index, line in enumerate(lines):
        line = line.strip()
        if line and (line == main or (main in line and len(line) <= len(main) + 12)):
            return index
    return None


def find_marks(text: str, *, attachment: bool, title: str = "") -> list[Mark]:
    """The secrecy markings of one document's text (an attachment's extracted text, or a page's visible text
    with `title` its <title>), in order of position."""
    if not text or _CUE.search(text) is None:
        return []  # most pages: one scan for the cues instead of the patterns
    masked: list[str] = []

    def shown(start: int, end: int) -> str:
        """A context cut from the text with personal numbers masked first (same length), so none leaks in part."""
        if not masked:
            masked.append(mask_text(text))
        return clip(masked[0][start:end])

    marks: dict[int, Mark] = {}
    if attachment:
        offset = len(text) - len(text.lstrip())
        head_end = offset + HEAD_CHARS
        for pattern, bare in ((_STRONG, False), (_WEAK, True)):
            for m in pattern.finditer(text, offset, min(head_end, len(text))):
                if m.start() in marks or _quoted(text, m.start(), m.end()):
                    continue
                if bare and (m.start() >= offset + BARE_HEAD_CHARS or "\t" in text[m.start() - 1:m.end() + 1]
                             or not (_alone_on_line(text, m.start(), m.end())
                                     or _head_boundary(text, m.start(), m.end()))):
                    continue  # a table cell (“密级\t秘密”) or text further down is not the 版头
                marks[m.start()] = Mark(_compact(m.group()), m.groupdict().get("level") or "", m.start(),
                                        "attachment_head", shown(offset, head_end))
    else:
        lines = text.split("\n")
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        at = _title_line(lines, title)
        head = None
        if at is not None:
            last = min(len(lines) - 1, at + HEAD_LINES_AFTER)
            head = (starts[max(0, at - HEAD_LINES_BEFORE)], starts[last] + len(lines[last]), starts[at])
        for pattern, bare in ((_STRONG, False), (_WEAK, True)):
            for m in pattern.finditer(text):
                if m.start() in marks or not _alone_on_line(text, m.start(), m.end()) \
                        or _quoted(text, m.start(), m.end()):
                    continue
                in_head = head is not None and head[0] <= m.start() < head[1] and (
                    m.start() >= head[2] or bool(_DOC_NUMBER.search(text, m.end(), head[2])))
                # Once the article's head is known, a mark elsewhere is a line of body text (an emphasised
                # “秘密★” in a sentence splits into a line of its own); only the 附注 “（此件不公开）” stands at
                # a document's end. Without a known head a whole-line strong mark still counts.
                if not in_head and (bare or (head is not None and not m.group().startswith(("（", "(")))):
                    continue
                left, right = _line_bounds(text, m.start(), m.end())
                marks[m.start()] = Mark(_compact(m.group()), m.groupdict().get("level") or "", m.start(),
                                        "page_head" if in_head else "page_line", shown(left, right))
    found = sorted(marks.values(), key=lambda mark: mark.start)
    # One document carries one level: several levels are a listing (a 保密知识 page), not markings.
    if len({mark.level for mark in found if mark.level}) > 1:
        found = [mark for mark in found if not mark.level]
    return found


def scan(text: str, url: str, ctx: CheckContext, *, attachment: bool = False, title: str = "",
         observed_at: datetime | None = None, snapshot: str | None = None) -> list[Finding]:
    """Findings of one page's or attachment's text (at most one: a document is marked or it is not)."""
    del ctx  # no parameters: any marking is the incident
    marks = find_marks(text, attachment=attachment, title=title)
    if not marks:
        return []
    shown = list(dict.fromkeys(mark.mark for mark in marks))
    where = "附件版头" if attachment else "页面"
    at = iso(observed_at) if observed_at is not None else ""
    return [Finding(
        CODE, f"存在涉密标识信息：{where}标有“{'”“'.join(shown[:3])}”",
        [Evidence(url=url, excerpt=mark.context, observed_at=at, snapshot=snapshot)
         for mark in marks[:MAX_EVIDENCE]],
        count=1,
        data={"marks": [{"mark": m.mark, "level": m.level, "where": m.where, "position": m.start}
                        for m in marks],
              "attachment": attachment},
    )]


def page_check(page: Page, ctx: CheckContext) -> list[Finding]:
    """`scan` of a fetched page or attachment (an attachment is a page with extracted text and no HTML)."""
    attachment = is_attachment(page)
    text = page.text if attachment else page_text(page)
    return scan(text, page.final_url or page.url, ctx, attachment=attachment, title=page.title,
                observed_at=page.fetched_at, snapshot=page.snapshot_key)


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for page in site_pages(snapshot):
        findings += page_check(page, ctx)
    return findings
