"""The body's sections in each template layout (text.body_sections; the SPA's preview mirrors it in
frontend/src/utils/noticeSections.ts)."""
from datetime import date

from services.reporting.notices.models import NoticeContent
from services.reporting.notices.text import NO_PROBLEMS, body_sections

OVERVIEW = "\n".join([
    "（一）政府网站检查情况。截至2024年2月，全市政府系统共运行网站51个。检查结果为：合格政府网站47个，不合格政府网站4个，合格率92.2%。",
    "（二）政务新媒体检查情况。截至2024年2月，全市政府系统共运行政务新媒体470个，检查结果为：合格政务新媒体437个，合格率93%。",
    "（三）网民留言办理情况。2024年第一季度，全市政府网站共接到网民留言12条，已办结12条，办结率100%。"])
PROBLEMS = "（一）政府网站。市民政局网站存在多个栏目更新不及时。\n（二）政务新媒体。澄城公安等微信公众号内容14天未更新。"


def content(layout: str, overview: str = OVERVIEW, problems: str = PROBLEMS) -> NoticeContent:
    return NoticeContent(title="t", issuing_office="o", issue_date=date(2024, 2, 28), basis="b", scope_name="s",
                         inspection_name="i", layout=layout, overview=overview, problems=problems, requirements="要求。")


def test_overview_layout_has_the_three_sections():
    assert [h for h, _ in body_sections(content("overview"))] == ["一、总体情况", "二、主要问题", "三、有关要求"]


def test_by_kind_merges_figures_and_problems_and_keeps_other_parts():
    sections = body_sections(content("by_kind"))
    assert [h for h, _ in sections] == ["一、政府网站检查情况", "二、政务新媒体检查情况", "三、网民留言办理情况", "四、下一步工作要求"]
    assert sections[0][1].endswith("合格率92.2%，市民政局网站存在多个栏目更新不及时。")
    assert sections[2][1].startswith("2024年第一季度") and sections[3][1] == "要求。"


def test_by_kind_without_problems_and_after_an_edit_that_breaks_the_lines():
    clean = body_sections(content("by_kind", problems=NO_PROBLEMS))
    assert clean[0][1].endswith("合格率92.2%。") and clean[-1][0] == "四、下一步工作要求"
    edited = body_sections(content("by_kind", overview="全市网站运行平稳。"))
    assert [h for h, _ in edited] == ["一、总体情况", "二、主要问题", "三、有关要求"]
