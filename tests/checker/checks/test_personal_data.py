"""personal_data: citizens' ID, mobile and bank card numbers in published lists, with masked evidence (the full
number appears nowhere in a finding, nor in the monitor's ledger); office hotlines, 文号, dates, serials,
statistics and checksum-failing IDs are not exposures."""
import asyncio
import json
import random
import re
from dataclasses import asdict

import pytest
from sqlalchemy import text as sql
from sqlmodel import Session

from services.checker.checks import CheckContext, personal_data
from services.checker.checks.html import page_text
from services.checker.crawl.attachments import extract_text
from services.checker.indicators import builtin_sets, evaluate, resolve
from services.checker.model import Finding, Page
from tests.checker.checks.snap import CTX, HOME, NOW, REAL, make_page, make_snapshot, real_page
from tests.fixtures.farm.attachments import make_attachment


def id_number(first17: str) -> str:
    """An 18-digit ID with its ISO 7064 MOD 11-2 check digit (written here independently of the check)."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def card_number(first: str) -> str:
    """A card number with its Luhn digit."""
    digits = [int(d) for d in reversed(first)]
    total = sum(sum(divmod(d * 2, 10)) if i % 2 == 0 else d for i, d in enumerate(digits))
    return first + str((10 - total % 10) % 10)


IDS = [id_number(f"610502{1950 + n:04d}{n % 12 + 1:02d}{n % 28 + 1:02d}{n:03d}") for n in range(12)]
MOBILES = [f"13{n % 7 + 3}{n:04d}{5678 + n:04d}" for n in range(12)]
CARDS = [card_number(f"622202{n:012d}") for n in range(3)]


def roster(rows: int) -> str:
    """A published 名单 table: 序号, 姓名, 身份证号, 联系电话."""
    cells = "".join(f"<tr><td>{n + 1}</td><td>张{n}</td><td>{IDS[n]}</td><td>{MOBILES[n]}</td></tr>"
                    for n in range(rows))
    return ("<html><head><title>2024年度城乡低保对象名单公示</title></head><body><div class='nav'><a href='/'>首页</a><a href='/lxwm/'>联系我们</a><a href='/bszn/'>办事指南</a>"
            "</div><h1>2024年度城乡低保对象名单公示</h1><table><tr><th>序号</th><th>姓名</th><th>身份证号</th>"
            f"<th>联系电话</th></tr>{cells}</table></body></html>")


def findings_of(*pages: Page) -> list[Finding]:
    return personal_data.check(make_snapshot(make_page(html="<html><body>首页</body></html>"), pages=list(pages)),
                               CTX)


def assert_masked(findings: list[Finding], numbers: list[str]) -> None:
    dumped = json.dumps([asdict(f) for f in findings], ensure_ascii=False)
    for number in numbers:
        # Nor a part of it beyond what the mask shows (an excerpt's edge must not cut a number unmasked).
        assert number not in dumped and number[-8:] not in dumped and number[:10 if len(number) > 11 else 7] \
            not in dumped, number


def test_published_roster_with_ids_and_mobiles_is_a_veto_with_masked_evidence() -> None:
    page = make_page(f"{HOME}gsgg/1.html", roster(12), title="2024年度城乡低保对象名单公示")
    [finding] = findings_of(page)
    assert finding.indicator == "personal_data"
    assert finding.message == "泄露公民个人信息：公开身份证号码12个、手机号码12个"
    assert finding.data["kinds"] == {"id_number": 12, "mobile": 12} and finding.data["records"] == 24
    assert finding.data["bulk"] is True
    assert finding.data["samples"][:2] == [f"{IDS[0][:6]}********{IDS[0][-4:]}", f"{MOBILES[0][:3]}****{MOBILES[0][-4:]}"]
    assert all("*" in e.excerpt for e in finding.evidence) and all(e.snapshot is None for e in finding.evidence)
    assert_masked([finding], IDS + MOBILES)
    verdict, _, [rated] = evaluate([finding], resolve("gov-2019"))
    assert verdict == "fail" and rated.severity == "veto"


def test_a_short_list_is_deducted_and_the_threshold_is_the_sets() -> None:
    page = make_page(f"{HOME}gsgg/2.html", roster(3), title="困难群众救助名单")
    [finding] = findings_of(page)
    assert finding.data["records"] == 6 and finding.data["bulk"] is False
    verdict, score, [rated] = evaluate([finding], resolve("gov-2019"))
    assert (verdict, score, rated.severity, rated.points) == ("pass", 98.0, "deduct", 2.0)
    raw = builtin_sets()
    raw["gov-2019"]["parameters"]["personal_data_bulk_records"] = 5
    strict = resolve("gov-2019", raw.__getitem__)
    [finding] = personal_data.check(make_snapshot(pages=[page]), CheckContext.for_set(strict, NOW))
    assert finding.data["bulk"] is True and evaluate([finding], strict)[0] == "fail"


def test_xlsx_and_pdf_lists_are_read_like_pages() -> None:
    rows = "\n".join(f"{n + 1}\t李{n}\t{IDS[n]}\t{CARDS[n % 3]}" for n in range(4))
    for kind in ("xlsx", "pdf", "docx"):
        extracted = extract_text(make_attachment(kind, f"惠民补贴发放花名册\n序号\t姓名\t身份证号\t银行卡号\n{rows}"))
        url = f"{HOME}files/list.{kind}"
        page = Page(url=url, final_url=url, status=200, error=None, fetched_at=NOW, html="", text=extracted.text)
        [finding] = findings_of(page)
        assert finding.data["kinds"] == {"id_number": 4, "bank_card": 3}, kind
        assert f"{CARDS[0][:4]}{'*' * 11}{CARDS[0][-4:]}" in finding.data["samples"]
        assert_masked([finding], IDS[:4] + CARDS)


def test_one_id_in_a_notice_is_an_exposure() -> None:
    page = make_page(f"{HOME}gsgg/3.html", text=f"行政处罚决定书\n当事人：王某，身份证号：{IDS[5]}，住址：某村。",
                     title="行政处罚决定书")
    [finding] = findings_of(page)
    assert finding.message == "泄露公民个人信息：公开身份证号码1个" and finding.data["bulk"] is False
    assert_masked([finding], [IDS[5]])


OFFICE = f"""首页
联系我们
渭南市人民政府办公室
地址：渭南市朝阳大街1号
咨询电话：0913-2123456
服务热线：12345
值班手机：{MOBILES[0]}
联系人：王科长 {MOBILES[1]}（联系电话）
传真：029-86868686"""
GUIDE = f"""办事指南
事项名称：城乡居民最低生活保障审批
设定依据：《社会救助暂行办法》
咨询电话：{MOBILES[2]}
监督电话：{MOBILES[3]}
办理地点：各镇（街道）便民服务中心 窗口电话 {MOBILES[4]}
收费标准：不收费"""
LOOKALIKES = f"""关于印发渭南市2024年政务公开工作要点的通知
陕政办发〔2024〕12号　渭政办发〔2024〕7号
发布日期：20240115　2024-01-15　2024年1月15日
订单号：{CARDS[0]}　流水号：{card_number("2024011512345678")}　项目编号：6101002024000123
统一社会信用代码：11610500016000000X　赣公网安备 36092202000105号
全市地区生产总值13456789012元，同比增长6.5%，户籍人口5201234人。
校验位错误的号码：{IDS[1][:17]}{"0" if IDS[1][17] != "0" else "1"}
出生日期不存在的号码：{id_number("61050219900230123")}　未来出生：{id_number("61050220990101123")}
已脱敏：610502********1234　138****5678
办公电话：029-86868686　13800000000.5　http://www.weinan.gov.cn/art/13812345678.html
网站标识码6105000001　ICP备05001234号-1　邮编714000"""


def test_office_numbers_and_numeric_lookalikes_are_not_exposures() -> None:
    office = make_page(f"{HOME}lxwm/index.html", text=OFFICE, title="联系我们_渭南市人民政府")
    guide = make_page(f"{HOME}bszn/1.html", text=GUIDE, title="城乡居民最低生活保障审批办事指南")
    lookalikes = make_page(f"{HOME}zwgk/1.html", text=LOOKALIKES, title="关于印发渭南市2024年政务公开工作要点的通知")
    # An office's own contacts in an article: labelled, and fewer than a list.
    article = make_page(f"{HOME}news/1.html", text=f"如有疑问，请联系市民政局王老师，电话{MOBILES[6]}；"
                        f"或咨询{MOBILES[7]}。", title="关于开展低保核查的通知")
    assert findings_of(office, guide, lookalikes, article) == []
    # A unit's payment account published for 缴款 is not a citizen's card.
    account = make_page(f"{HOME}zwgk/2.html", text=f"户名：渭南市财政局\n开户行：工商银行渭南分行\n账号：{CARDS[1]}",
                        title="非税收入缴款账户")
    assert findings_of(account) == []


def test_a_column_of_serials_is_not_cards() -> None:
    """A 成绩公示 of 16-digit 准考证号 beginning with 4: a few pass Luhn by chance, the column does not."""
    serials = [f"41610524{n:08d}" for n in range(20)]
    lucky = [n for n in serials if personal_data.valid_card_number(n)]
    assert 0 < len(lucky) < 10
    rows = "\n".join(f"{n + 1}\t考生{n}\t{serial}\t{70 + n % 20}.5" for n, serial in enumerate(serials))
    page = make_page(f"{HOME}gsgg/7.html", text=f"2024年事业单位公开招聘笔试成绩公示\n序号\t姓名\t准考证号\t成绩\n{rows}",
                     title="2024年事业单位公开招聘笔试成绩公示")
    assert findings_of(page) == []
    # 11-digit 准考证号 that look like mobile numbers: one 号段 and consecutive.
    rows = "\n".join(f"{n + 1}\t考生{n}\t{13210010101 + n}\t合格" for n in range(15))
    exam = make_page(f"{HOME}gsgg/9.html", text=f"资格复审合格人员名单\n{rows}", title="资格复审合格人员名单")
    assert findings_of(exam) == []
    # Real cards in a column pass whole.
    cards = make_page(f"{HOME}gsgg/8.html", text="补贴发放\n" + "\n".join(f"张{n}\t{c}" for n, c in enumerate(CARDS)),
                      title="补贴发放明细")
    assert findings_of(cards)[0].data["kinds"] == {"bank_card": 3}


def test_mobile_list_without_ids_and_mobiles_beside_an_id() -> None:
    listing = "\n".join(f"{n + 1}\t赵{n}\t{MOBILES[n]}" for n in range(4))
    page = make_page(f"{HOME}gsgg/4.html", text=f"参保人员名单\n序号\t姓名\t联系电话\n{listing}", title="参保人员名单")
    [finding] = findings_of(page)
    # The first number stands right under the 联系电话 header: read as labelled; the other three are a list.
    assert finding.data["kinds"] == {"mobile": 3}
    two = make_page(f"{HOME}gsgg/5.html", text=f"名单\n赵一\t{MOBILES[0]}\n赵二\t{MOBILES[1]}", title="名单")
    assert findings_of(two) == []
    with_id = make_page(f"{HOME}gsgg/6.html", text=f"名单\n赵一\t{IDS[0]}\t{MOBILES[0]}", title="名单")
    assert findings_of(with_id)[0].data["kinds"] == {"id_number": 1, "mobile": 1}


def test_validators() -> None:
    assert all(personal_data.valid_id_number(n) for n in IDS)
    assert personal_data.valid_id_number(IDS[0][:17] + ("0" if IDS[0][17] != "0" else "1")) is False
    assert personal_data.valid_id_number(id_number("99050219900101123")) is False   # no such province
    assert personal_data.valid_card_number(CARDS[0]) and personal_data.valid_card_number(card_number("436742001234567"))
    assert personal_data.valid_card_number("4111111111111111") is False   # a repeated-digit sample, not a card
    assert personal_data.valid_card_number(CARDS[0][:-1] + str((int(CARDS[0][-1]) + 1) % 10)) is False
    assert personal_data.valid_card_number(card_number("123456789012345")) is False   # no card scheme
    assert personal_data.mask_text(f"a{IDS[0]}b{MOBILES[0]}c") == \
        f"a{IDS[0][:6]}********{IDS[0][-4:]}b{MOBILES[0][:3]}****{MOBILES[0][-4:]}c"


def test_real_pages_expose_nothing() -> None:
    if not REAL.is_dir():
        pytest.skip("shared corpus of real pages absent")
    names = sorted(p.name for p in REAL.glob("*.html"))
    assert names
    for name in names:
        page = real_page(name, f"{HOME}{name}")
        assert personal_data.check(make_snapshot(page), CTX) == [], name
        assert personal_data.find_exposures(page_text(page), url=page.url).items == [], name


def test_monitor_ledger_holds_masked_evidence_only() -> None:
    from services.checker.monitor import ledger
    from services.common.db import get_engine
    from tests.checker.monitor.site import Site
    from tests.checker.monitor.test_monitor import cycle, register, rel, settings

    site = Site("127.0.9.42", lists=1, per_list=2)
    site.files["/gsgg/dibao.html"] = ("text/html; charset=utf-8", roster(12).encode())
    site.files["/files/huamingce.xlsx"] = ("application/octet-stream", make_attachment(
        "xlsx", "补贴发放花名册\n" + "\n".join(f"{n}\t李{n}\t{IDS[n]}\t{CARDS[n]}" for n in range(3))))
    site.files["/lxwm/index.html"] = ("text/html; charset=utf-8", f"<html><head><title>联系我们</title></head><body>"
                                      f"<pre>{OFFICE}</pre></body></html>".encode())
    site.start()
    try:
        site_id = 881402
        register(site_id, site)
        asyncio.run(cycle(site_id, settings()))
        with Session(get_engine()) as session:
            problems = {rel(site, p.url): p for p in ledger.open_problems(session, site_id)
                        if p.indicator == "personal_data"}
            stored = session.exec(sql("SELECT row_to_json(f)::text FROM checker.monitor_finding f "
                                      "WHERE site_id = :s").bindparams(s=site_id)).all()
        assert set(problems) == {"/gsgg/dibao.html", "/files/huamingce.xlsx"}
        assert problems["/gsgg/dibao.html"].severity == "veto"          # a list of 24 numbers
        assert problems["/files/huamingce.xlsx"].severity == "deduct"   # 6 numbers
        assert problems["/gsgg/dibao.html"].message == "泄露公民个人信息：公开身份证号码12个、手机号码12个"
        everything = "\n".join(row[0] for row in stored)
        for number in IDS + MOBILES + CARDS:
            assert number not in everything and number[-8:] not in everything, number
            assert number[:10 if len(number) > 11 else 7] not in everything, number
        assert f"{IDS[0][:6]}********{IDS[0][-4:]}" in everything
    finally:
        site.stop()


def test_long_runs_are_those_of_the_plain_pattern():
    # _ANY_LONG starts only at a run's first digit and never backtracks: the same runs as the plain pattern.
    plain = re.compile(r"\d(?:[ -]?\d){10,}[\dXx]?")
    rnd = random.Random(7)
    texts = ["".join(rnd.choice("0123456789 -Xx年１２") for _ in range(rnd.randint(0, 50))) for _ in range(20000)]
    texts += ["1234 5678 9012 3456", "2024-02-20 13800138000", "1 -23456789012", "12345678901X5", "123456789012  345"]
    for text in texts:
        assert [m.span() for m in personal_data._ANY_LONG.finditer(text)] == [m.span() for m in plain.finditer(text)], text
