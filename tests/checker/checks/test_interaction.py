from services.checker.checks import message_unanswered, messages, no_interaction_channel, reply_slow
from services.checker.checks.html import parse
from services.checker.checks.messages import board_messages
from services.checker.metrics import site_metrics
from tests.checker.checks.snap import CTX, HOME, column, days_ago, item, link, make_page, make_snapshot, status

BOARD = f"{HOME}hdjl/zxts/"


def board_table(rows: list[tuple[str, str, str, str]]) -> str:
    body = "".join(f"<tr><td>{t}</td><td>{a}</td><td>{r}</td><td>{s}</td></tr>" for t, a, r, s in rows)
    return ("<html><body><table><tr><td><table class='list'>"
            "<tr><th>留言标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>"
            f"{body}</table></td></tr></table></body></html>")


def board(rows, title="网上咨询") -> "object":
    return make_page(BOARD, board_table(rows), title=title)


# --- no_interaction_channel ---
def test_working_message_link_is_a_channel():
    home = make_page(links=[link(f"{HOME}hdjl/", "政民互动")])
    assert no_interaction_channel.check(make_snapshot(home, links=[status(f"{HOME}hdjl/", 200)]), CTX) == []


def test_petition_and_report_links_do_not_count_and_dead_channel_does_not_work():
    home = make_page(links=[link("https://xf.example.gov.cn/", "网上信访"),
                            link(f"{HOME}jb/", "纪检监察举报"), link(f"{HOME}xx/", "县长信箱")])
    snap = make_snapshot(home, links=[status("https://xf.example.gov.cn/", 200), status(f"{HOME}jb/", 200),
                                      status(f"{HOME}xx/", 404)])
    [finding] = no_interaction_channel.check(snap, CTX)
    assert finding.message == "未提供有效的互动交流渠道"
    assert "县长信箱" in finding.evidence[0].excerpt and finding.data["candidates"] == [f"{HOME}xx/"]


def test_no_channel_at_all():
    [finding] = no_interaction_channel.check(make_snapshot(make_page(links=[link(f"{HOME}zwgk/", "政务公开")])), CTX)
    assert "未发现" in finding.evidence[0].excerpt


def test_interaction_column_fetched_ok_is_a_channel():
    col = column("在线咨询", "interaction", [item("问", days_ago(1))])
    assert no_interaction_channel.check(make_snapshot(columns=[col]), CTX) == []


# --- board parsing ---
def test_board_table_inside_layout_table():
    page = board([("关于路灯的咨询", "2024-01-02", "2024-01-05", "已回复"),
                  ("关于低保的咨询", "2023/10/1", "", "未回复")])
    first, second = board_messages(page)
    assert (first.title, str(first.asked), str(first.replied), first.answered) == \
        ("关于路灯的咨询", "2024-01-02", "2024-01-05", True)
    assert (str(second.asked), second.replied, second.answered) == ("2023-10-01", None, False)


def test_board_list_with_labels():
    html = ("<html><body><ul>"
            "<li><a href='/1'>咨询办证流程</a> 留言时间：2023年10月8日 状态：待回复</li>"
            "<li><a href='/2'>道路维修建议</a> 留言时间：2024-01-03 回复时间：2024-01-05 已回复</li>"
            "</ul></body></html>")
    first, second = board_messages(make_page(BOARD, html, title="县长信箱"))
    assert (first.title, str(first.asked), first.answered) == ("咨询办证流程", "2023-10-08", False)
    assert (str(second.replied), second.answered) == ("2024-01-05", True)


def test_tables_that_are_not_boards_are_ignored():
    html = ("<html><body><table><tr><th>项目名称</th><th>发布时间</th><th>状态</th></tr>"
            "<tr><td>道路工程招标</td><td>2023-01-01</td><td>未开标</td></tr></table></body></html>")
    assert board_messages(make_page(f"{HOME}zbgg/", html, title="招标公告")) == []


def test_board_headings_written_as_character_references_are_read():
    # A page without a board title is parsed only when its source may hold a board heading.
    html = board_table([("关于路灯的咨询", "2024-01-02", "2024-01-05", "已回复")]).replace(
        "<th>留言标题</th>", "<th>&#30041;&#35328;标题</th>").replace("<th>留言时间</th>", "<th>&#30041;&#35328;时间</th>")
    [message] = board_messages(make_page(f"{HOME}list/", html, title="列表"))
    assert (message.title, str(message.asked), message.answered) == ("关于路灯的咨询", "2024-01-02", True)


def test_each_page_is_parsed_once_for_every_board_reader(monkeypatch):
    parsed = []
    monkeypatch.setattr(messages, "parse", lambda page: parsed.append(page.url) or parse(page))
    page = board([("超期未回复", str(days_ago(100)), "", "未回复"), ("慢", str(days_ago(50)), str(days_ago(20)), "已回复")])
    plain = make_page(f"{HOME}art/1.html", "<html><body><p>领导信箱</p></body></html>", title="新闻")
    # The navigation names a 信箱 before the page's only table: no board heading can be in that table.
    layout = make_page(f"{HOME}art/2.html", "<html><body><a href='/xx/'>领导信箱</a><table><tr><th>项目</th>"
                       "<th>发布时间</th><th>状态</th></tr><tr><td>工程</td><td>2024-01-02</td><td>已办结</td></tr>"
                       "</table></body></html>", title="公示")
    snapshot = make_snapshot(pages=[page, plain, layout])
    assert len(message_unanswered.check(snapshot, CTX)) == 1 and len(reply_slow.check(snapshot, CTX)) == 1
    assert sum(m["received"] for m in site_metrics(snapshot, CTX)["messages_by_month"].values()) == 2
    assert parsed == [BOARD]  # the board once; a page with no board title and no table (after the word) never
    page.html = board_table([("新留言", str(days_ago(3)), "", "未回复")])  # a changed page is read again
    assert [m.title for m in board_messages(page)] == ["新留言"] and parsed == [BOARD, BOARD]


# --- message_unanswered ---
def test_message_unanswered_over_three_months_within_a_year():
    page = board([("超期未回复", str(days_ago(100)), "", "未回复"),
                  ("近期未回复", str(days_ago(30)), "", "未回复"),
                  ("一年多以前", str(days_ago(400)), "", "未回复"),
                  ("已回复", str(days_ago(120)), str(days_ago(110)), "已回复")])
    [finding] = message_unanswered.check(make_snapshot(pages=[page]), CTX)
    assert finding.message == "存在超过3个月未回复的网民留言1条"
    assert finding.count == 1 and "超期未回复" in finding.evidence[0].excerpt
    assert finding.evidence[0].url == BOARD


def test_all_answered_board_is_clean():
    page = board([("a", str(days_ago(100)), str(days_ago(95)), "已办结"), ("b", str(days_ago(5)), "", "办理中")])
    assert message_unanswered.check(make_snapshot(pages=[page]), CTX) == []


# --- reply_slow ---
def test_late_replies_and_waiting_messages_are_slow():
    page = board([("慢", str(days_ago(50)), str(days_ago(20)), "已回复"),
                  ("等待", str(days_ago(25)), "", "未回复"),
                  ("及时", str(days_ago(10)), str(days_ago(8)), "已回复")])
    [finding] = reply_slow.check(make_snapshot(pages=[page]), CTX)
    assert finding.message == "2条留言未在15天内答复" and finding.count == 2


def test_no_reply_published_in_two_months():
    page = board([("旧", str(days_ago(80)), str(days_ago(75)), "已回复"),
                  ("新", str(days_ago(3)), "", "未回复")])
    [finding] = reply_slow.check(make_snapshot(pages=[page]), CTX)
    assert finding.message == "近2个月未公开留言答复" and finding.data["scope"] == "recent"


def test_timely_board_is_clean():
    page = board([("a", str(days_ago(10)), str(days_ago(5)), "已回复"), ("b", str(days_ago(2)), "", "未回复")])
    assert reply_slow.check(make_snapshot(pages=[page]), CTX) == []


def test_message_detail_pages_when_no_list_is_parsed():
    detail = make_page(f"{HOME}liuyan/detail/1.html", title="关于小区停水的咨询",
                       text=f"留言标题：关于小区停水的咨询 留言时间：{days_ago(100)} 办理状态：办理中")
    answered = make_page(f"{HOME}liuyan/detail/2.html", title="路灯",
                         text=f"留言时间：{days_ago(100)} 回复时间：{days_ago(98)} 回复内容：已修复")
    [finding] = message_unanswered.check(make_snapshot(pages=[detail, answered]), CTX)
    assert finding.count == 1 and "关于小区停水的咨询" in finding.evidence[0].excerpt


def test_board_of_div_entries():
    html = ("<html><body><div class='gbook'><h2>领导信箱</h2>"
            "<div class='msg'><a href='/1'>关于道路破损的反映</a><span>留言时间：2024年2月19日</span><span>状态：办理中</span></div>"
            "<div class='msg'><a href='/2'>关于路灯不亮的问题</a><span>留言时间：2024年1月8日</span>"
            "<span>回复时间：2024年1月10日</span><span>状态：已回复</span></div></div></body></html>")
    first, second = board_messages(make_page(f"{HOME}gbook/list.aspx", html, title="领导信箱"))
    assert (first.title, str(first.asked), first.answered) == ("关于道路破损的反映", "2024-02-19", False)
    assert (second.title, str(second.replied), second.answered) == ("关于路灯不亮的问题", "2024-01-10", True)


def test_an_article_about_soliciting_opinions_is_not_a_channel():
    url = f"{HOME}art/2024/1/29/art_4003_27010.html"
    home = make_page(links=[link(url, "关于征集数字政府建设意见建议的公告"), link(f"{HOME}xf/", "网上信访")])
    snap = make_snapshot(home, links=[status(url, 200), status(f"{HOME}xf/", 200)])
    assert len(no_interaction_channel.check(snap, CTX)) == 1
