"""The notice body as plain text (preview in the API, and what the tests read back from the files)."""
from services.reporting.notices.models import NoticeContent
from services.reporting.notices.wording import cn_date


def body_sections(c: NoticeContent) -> list[tuple[str, str]]:
    """[(heading, text)]: the three numbered sections of the body."""
    return [("一、总体情况", c.overview), ("二、主要问题", c.problems), ("三、有关要求", c.requirements)]


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
