"""The notice body as plain text (preview in the API, and what the tests read back from the files)."""
import re

from services.reporting.notices.models import NoticeContent
from services.reporting.notices.wording import cn_date

NUMERALS = "一二三四五六七八九十"
NO_PROBLEMS = "本次检查未发现不合格情况。"
_PART = re.compile(r"^（[一二三四五六七八九十]+）([^。]{1,30})。(.*)$")


def body_sections(c: NoticeContent) -> list[tuple[str, str]]:
    """[(heading, text)]: the numbered sections of the body, in the template's layout."""
    if c.layout == "by_kind":
        sections = _by_kind(c)
        if sections is not None:
            return sections
    return [("一、总体情况", c.overview), ("二、主要问题", c.problems), ("三、有关要求", c.requirements)]


def _parts(text: str) -> list[tuple[str, str]] | None:
    parts = []
    for line in filter(None, (x.strip() for x in text.splitlines())):
        match = _PART.match(line)
        if match is None:
            return None
        parts.append((match.group(1), match.group(2)))
    return parts


def _by_kind(c: NoticeContent) -> list[tuple[str, str]] | None:
    """Seed 004's body: a section per kind of target holding its figures and its problems in one paragraph
    (“一、政府网站检查情况 / 截至…合格率92.2%，较去年第四次全面检查提升4%，市民政局…无法访问。”), the other parts of
    the overview as sections of their own, then 下一步工作要求. None when an edited draft's overview or problems no
    longer read as “（一）名称。内容” lines (the draft then keeps the three-section layout)."""
    overview, problems = _parts(c.overview), _parts(c.problems)
    if problems is None and c.problems.strip() == NO_PROBLEMS:
        problems = []             # the figures say 不合格0个 already
    if overview is None or problems is None:
        return None
    said = dict(problems)
    sections = []
    for head, text in overview:
        kind = head.removesuffix("检查情况").split("和")[0]
        problem = said.pop(kind, "")
        if problem:
            text = f"{text.rstrip('。')}，{problem}"
        sections.append((head, text))
    sections += [(f"{kind}存在问题", text) for kind, text in said.items()]
    sections.append(("下一步工作要求", c.requirements))
    return [(f"{NUMERALS[i]}、{head}", text) for i, (head, text) in enumerate(sections)]


def attachment_list(c: NoticeContent) -> list[str]:
    titles = []
    if c.site_rows or c.sites.total:
        titles.append(c.attachment1_title)
    if c.account_rows or c.accounts.total:
        titles.append(c.attachment2_title)
    if c.column_rows or c.columns.total:
        titles.append(c.columns_title)
    return titles


def plain_text(c: NoticeContent) -> str:
    lines = [c.issuing_office, c.doc_number, c.title, f"{c.addressees}：", c.intro]
    for heading, text in body_sections(c):
        lines += [heading, text]
    titles = attachment_list(c)
    if titles:
        lines.append("附件：" + "\n".join(f"{i}.{t}" for i, t in enumerate(titles, start=1)))
    lines += [c.signature, cn_date(c.issue_date)]
    if c.cc:
        lines.append(f"抄送：{c.cc}")
    if c.cc or c.printed_by:
        lines.append(f"{c.printed_by or c.issuing_office}　{cn_date(c.printed_on or c.issue_date)}印发")
    return "\n".join(x for x in lines if x)
