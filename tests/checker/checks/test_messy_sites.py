"""Issue 11 item 8, accuracy on messy sites: service and system-link columns are not empty, reply dates in a
status cell are read, an unanswered message counts once (as unanswered, not also as a slow reply)."""
from services.checker.checks import column_empty, message_unanswered, reply_slow
from services.checker.checks.messages import board_messages
from tests.checker.checks.snap import CTX, HOME, column, days_ago, link, make_page, make_snapshot

TEMPLATE = "网站首页\n政务公开\n互动交流\n办事服务\n版权所有：某县人民政府"
NAV = [link(f"{HOME}zwgk/", "政务公开"), link(f"{HOME}hdjl/", "互动交流"), link(f"{HOME}bsfw/", "办事服务")]


def _site(col, *others):
    home = make_page(text=TEMPLATE, links=list(NAV))
    article = make_page(f"{HOME}art/1.html", text="文章", links=list(NAV))
    return make_snapshot(home, pages=[article], columns=[col, *others])


# --- column_empty ---
def test_a_page_of_service_items_is_not_an_empty_column():
    col = column("便民服务", "service", [], url=f"{HOME}bmfw/")
    col.page.text = TEMPLATE + "\n便民服务\n社保\n医保\n公积金\n户籍\n婚育\n教育"
    col.page.links = NAV + [link(f"{HOME}bmfw/{slug}.html", label) for slug, label in
                            (("sb", "社保"), ("yb", "医保"), ("gjj", "公积金"), ("hj", "户籍"), ("hy", "婚育"))]
    assert column_empty.check(_site(col), CTX) == []


def test_a_page_linking_to_another_system_is_not_an_empty_column():
    col = column("网上办事", "service", [], url=f"{HOME}wsbs/")
    col.page.text = TEMPLATE + "\n网上办事\n请访问陕西政务服务网"
    col.page.links = NAV + [link("http://zwfw.shaanxi.gov.cn/", "陕西政务服务网")]
    framed = column("依申请公开", "disclosure", [], url=f"{HOME}ysqgk/")
    framed.page.text = TEMPLATE + "\n依申请公开"
    framed.page.links = NAV + [link("http://ysqgk.example.gov.cn/apply", "", tag="iframe")]
    assert column_empty.check(_site(col, framed), CTX) == []


def test_an_empty_list_with_only_a_side_menu_is_still_empty():
    menu = [link(f"{HOME}zwgk/{slug}/", name) for slug, name in
            (("tzgg", "通知公告"), ("zcwj", "政策文件"), ("ghjh", "规划计划"), ("tjsj", "统计数据"))]
    columns = []
    for slug, name in (("tzgg", "通知公告"), ("zcwj", "政策文件"), ("ghjh", "规划计划")):
        col = column(name, "other", [], url=f"{HOME}zwgk/{slug}/")
        col.page.text = TEMPLATE + "\n" + "\n".join(m.text for m in menu)
        col.page.links = NAV + menu + [link(col.url, name)]
        columns.append(col)
    # the first two show their lists; the third shows only the menu it shares with its siblings
    for col in columns[:2]:
        col.page.links += [link(f"{col.url}t2024010{i}_{i}.html", f"关于做好第{i}项工作的通知") for i in range(3)]
    findings = column_empty.check(_site(*columns), CTX)
    assert [f.data["column"] for f in findings] == ["规划计划"]


def test_hidden_links_do_not_fill_a_column():
    col = column("专题专栏", "other", [], url=f"{HOME}ztzl/")
    col.page.text = TEMPLATE + "\n专题专栏"
    col.page.links = NAV + [link("http://bet.example.com/", "北京赛车", hidden=True, reason="display_none"),
                            link("http://bet.example.com/2", "时时彩", hidden=True, reason="display_none")]
    assert len(column_empty.check(_site(col), CTX)) == 1


# --- reply dates in a status cell ---
BOARD = f"{HOME}hdjl/ldxx/"


def status_board(rows: list[tuple[str, str, str]]):
    body = "".join(f"<tr><td><a href='/d/{i}'>{t}</a></td><td>{a}</td><td>{s}</td></tr>"
                   for i, (t, a, s) in enumerate(rows))
    html = ("<html><body><table class='mail-list'><tr><th>留言主题</th><th>留言时间</th><th>办理状态</th></tr>"
            f"{body}</table></body></html>")
    return make_page(BOARD, html, title="领导信箱")


def test_reply_date_in_the_status_cell_is_read():
    page = status_board([("关于路灯的咨询", str(days_ago(60)), f"已回复 {days_ago(20)}"),
                         ("关于低保的咨询", str(days_ago(10)), f"{days_ago(8)} 已办结"),
                         ("关于停水的咨询", str(days_ago(2)), "办理中")])
    slow, timely, pending = board_messages(page)
    assert (slow.replied, slow.answered) == (days_ago(20), True)
    assert (timely.replied, timely.answered) == (days_ago(8), True)
    assert (pending.replied, pending.answered) == (None, False)
    [finding] = reply_slow.check(make_snapshot(pages=[page]), CTX)
    assert finding.message == "1条留言未在15天内答复" and "关于路灯的咨询" in finding.evidence[0].excerpt


def test_reply_date_after_the_status_word_in_list_entries():
    html = ("<html><body><ul>"
            f"<li><a href='/1'>道路维修建议</a> 留言时间：{days_ago(70)} 状态：已办结（{days_ago(30)}）</li>"
            f"<li><a href='/2'>咨询办证流程</a> 留言时间：{days_ago(5)} 状态：待回复</li></ul></body></html>")
    first, second = board_messages(make_page(BOARD, html, title="县长信箱"))
    assert (first.asked, first.replied, first.answered) == (days_ago(70), days_ago(30), True)
    assert (second.replied, second.answered) == (None, False)


def test_status_cell_dates_keep_a_board_current():
    """With the reply dates read, a board answering promptly is not "no reply in two months"."""
    page = status_board([("a", str(days_ago(10)), f"已回复 {days_ago(7)}"), ("b", str(days_ago(80)), "未回复"),
                         ("c", str(days_ago(3)), "办理中")])
    assert [f.data["scope"] for f in reply_slow.check(make_snapshot(pages=[page]), CTX)] == ["late"]


# --- an unanswered message counts once ---
def test_a_long_unanswered_message_is_unanswered_not_also_slow():
    page = status_board([("超期未回复", str(days_ago(130)), "未回复"),
                         ("及时", str(days_ago(12)), f"已回复 {days_ago(10)}"),
                         ("新留言", str(days_ago(1)), "办理中")])
    snapshot = make_snapshot(pages=[page])
    [finding] = message_unanswered.check(snapshot, CTX)
    assert finding.count == 1
    assert reply_slow.check(snapshot, CTX) == []


def test_unanswered_within_three_months_but_past_the_reply_limit_is_slow():
    page = status_board([("等待中", str(days_ago(36)), "办理中"), ("及时", str(days_ago(12)), f"已回复 {days_ago(10)}")])
    snapshot = make_snapshot(pages=[page])
    assert message_unanswered.check(snapshot, CTX) == []
    [finding] = reply_slow.check(snapshot, CTX)
    assert finding.count == 1 and "等待中" in finding.evidence[0].excerpt


def test_a_board_whose_only_waiting_message_is_overdue_is_not_also_silent():
    """No reply at all, one message waiting for four months: message_unanswered, not also reply_slow's
    "no reply published in two months" on the strength of the same message."""
    page = status_board([("超期未回复", str(days_ago(120)), "未回复")])
    snapshot = make_snapshot(pages=[page])
    assert len(message_unanswered.check(snapshot, CTX)) == 1
    assert reply_slow.check(snapshot, CTX) == []
