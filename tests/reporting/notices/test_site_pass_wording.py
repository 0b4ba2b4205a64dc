"""Notice wording of the site pass's problems (政策解读, 转载): one clause each in 二、主要问题, zh-CN, in the
order the notice lists problems, and the table phrase for 问题 cells."""
from services.reporting.notices.wording import PHRASES, SENTENCE_ORDER, SENTENCES, clause, is_notice_wording


def test_site_pass_problems_read_as_one_clause_each() -> None:
    units = [("市民政局", None), ("市教育局", None), ("市卫生健康委", None), ("市应急局", None)]
    assert clause("policy_interpretation_missing", SENTENCES["policy_interpretation_missing"], "site", units[:2]) \
        == "市民政局、市教育局网站政策文件未同步发布解读或解读形式单一"
    assert clause("repost_missing", SENTENCES["repost_missing"], "site", units) \
        == "市民政局、市教育局等网站未及时转载上级重要政策信息"
    assert PHRASES["policy_interpretation_missing"] == "政策文件未按要求解读"
    assert is_notice_wording(PHRASES["repost_missing"])
    # After the content-safety problems, before links and typos (the order of 二、主要问题).
    order = SENTENCE_ORDER.index
    assert order("personal_data") < order("policy_interpretation_missing") < order("repost_missing") < order("dark_link")
