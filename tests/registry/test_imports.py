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
