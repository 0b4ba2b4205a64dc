"""Bootstrap from the national systems' export files: matched by 网站标识码 / platform + 账号ID, previewed
per row (created / updated / unchanged / error), applied all-or-nothing, never pushed back."""
import io
import itertools

from sqlmodel import Session, select

from services.common.db import get_engine
from services.registry.filings.models import Filing, FilingKind
from services.registry.imports.tables import write_xlsx
from services.registry.sync.models import OutboxRow
from tests.registry.helpers import new_unit
from tests.registry.sync.helpers import SUP, active_account, active_site

_n = itertools.count(1)
HEADERS = ["网站名称", "网站标识码", "首页网址", "主办单位", "ICP备案号", "公安机关备案号", "运行状态"]


def csv_bytes(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    return ("\n".join(",".join(r) for r in [headers, *rows]) + "\n").encode("utf-8-sig")


def post(registry, login, kind: str, data: bytes, name: str, dry_run: bool):
    return registry.post(f"/api/v1/sync/bootstrap/{kind}", headers=login(SUP), params={"dry_run": dry_run},
                         files={"file": (name, io.BytesIO(data), "application/octet-stream")})


def test_site_export_dry_run_then_apply(registry, login):
    scope_id, scope_name = new_unit("渭南市")
    same = registry.get(f"/api/v1/sites/{active_site(registry, login, scope_name)['subject_id']}",
                        headers=login(SUP)).json()
    other = registry.get(f"/api/v1/sites/{active_site(registry, login, scope_name)['subject_id']}",
                         headers=login(SUP)).json()
    _, host_name = new_unit(scope_name)
    n = next(_n)
    code = f"BS{n:08d}"

    def row(site, **over):
        values = {"网站名称": site["name"], "网站标识码": site["site_code"], "首页网址": site["homepage_url"],
                  "主办单位": "", "ICP备案号": site["icp_number"], "公安机关备案号": site["psb_number"], "运行状态": "运行"}
        values.update(over)
        return [values[h] for h in HEADERS]

    good = [row(same), row(other, 网站名称="国家系统里的新名称"),
            [f"存量网站{n}", code, f"https://bs{n}.weinan.gov.cn/", host_name, "陕ICP备5号", "", "运行"]]
    bad = [["无主网站", f"BX{n:08d}", f"https://bx{n}.weinan.gov.cn/", "不存在的单位", "", "", "运行"],
           row(same), ["无标识码网站", "", "https://nocode.weinan.gov.cn/", host_name, "", "", "运行"]]

    preview = post(registry, login, "sites", csv_bytes(good + bad), "全国政府网站.csv", True)
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert (report["created"], report["updated"], report["unchanged"], report["errors"]) == (1, 1, 1, 3)
    actions = [i["action"] for i in report["items"]]
    assert actions == ["unchanged", "updated", "created", "error", "error", "error"]
    assert report["items"][1]["changes"] == {"name": [other["name"], "国家系统里的新名称"]}
    assert report["items"][3]["errors"][0]["column"] == "主办单位"
    assert "重复" in report["items"][4]["errors"][0]["message"]
    assert report["items"][5]["errors"][0]["column"] == "网站标识码"

    refused = post(registry, login, "sites", csv_bytes(good + bad), "全国政府网站.csv", False)
    assert refused.status_code == 422 and refused.json()["detail"]["code"] == "import_invalid"
    assert registry.get(f"/api/v1/sites/{other['id']}", headers=login(SUP)).json()["name"] == other["name"]

    applied = post(registry, login, "sites", csv_bytes(good), "全国政府网站.csv", False)
    assert applied.status_code == 200, applied.text
    created_id = applied.json()["items"][2]["subject_id"]
    assert registry.get(f"/api/v1/sites/{other['id']}", headers=login(SUP)).json()["name"] == "国家系统里的新名称"
    created = registry.get(f"/api/v1/sites/{created_id}", headers=login(SUP)).json()
    assert created["site_code"] == code and created["state"] == "active"
    with Session(get_engine()) as session:
        filings = session.exec(select(Filing).where(Filing.subject_id.in_([created_id, other["id"]]),
                                                    Filing.subject_kind == "site", Filing.kind == FilingKind.import_)).all()
        assert len(filings) == 2 and all(f.payload["source"] == "national:全国政府网站.csv" for f in filings)
        assert session.exec(select(OutboxRow).where(OutboxRow.filing_id.in_([f.id for f in filings]))).all() == []
    again = post(registry, login, "sites", csv_bytes(good), "全国政府网站.csv", True).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_account_export_xlsx(registry, login):
    scope_id, scope_name = new_unit("渭南市")
    existing = registry.get(f"/api/v1/accounts/{active_account(registry, login, scope_name)['subject_id']}",
                            headers=login(SUP)).json()
    _, host_name = new_unit(scope_name)
    n = next(_n)
    headers = ["账号名称", "账号类型", "账号ID", "主办单位", "运行状态"]
    data = write_xlsx("新媒体", headers, [
        [existing["registered_name"], "新浪微博", existing["platform_id"], "", "暂停更新"],
        [f"存量账号{n}", "抖音", f"dy-bootstrap-{n}", host_name, "运行"],
        [f"未知平台{n}", "某某平台", f"x-{n}", host_name, "运行"]])
    preview = post(registry, login, "accounts", data, "新媒体.xlsx", True).json()
    assert [i["action"] for i in preview["items"]] == ["updated", "created", "error"]
    assert preview["items"][0]["changes"] == {"state": ["active", "suspended"]}
    data = write_xlsx("新媒体", headers, [
        [existing["registered_name"], "新浪微博", existing["platform_id"], "", "暂停更新"],
        [f"存量账号{n}", "抖音", f"dy-bootstrap-{n}", host_name, "运行"]])
    applied = post(registry, login, "accounts", data, "新媒体.xlsx", False)
    assert applied.status_code == 200, applied.text
    assert registry.get(f"/api/v1/accounts/{existing['id']}", headers=login(SUP)).json()["state"] == "suspended"
    new_id = applied.json()["items"][1]["subject_id"]
    account = registry.get(f"/api/v1/accounts/{new_id}", headers=login(SUP)).json()
    assert account["platform"] == "douyin" and account["state"] == "active"


def test_bootstrap_is_for_supervisors_and_in_scope(registry, login):
    data = csv_bytes([["x", "ABCD1234", "https://x.weinan.gov.cn/", "渭南市教育局", "", "", "运行"]])
    assert post(registry, login, "sites", data, "a.csv", True).status_code == 200
    forbidden = registry.post("/api/v1/sync/bootstrap/sites", headers=login("minzheng_operator"),
                              files={"file": ("a.csv", io.BytesIO(data), "text/csv")})
    assert forbidden.status_code == 403
    county = registry.post("/api/v1/sync/bootstrap/sites", headers=login("linwei_supervisor"),
                           files={"file": ("a.csv", io.BytesIO(data), "text/csv")}).json()
    assert county["errors"] == 1 and county["items"][0]["errors"][0]["column"] == "主办单位"


def test_a_header_only_or_oversized_file_is_a_clear_422(registry, login, monkeypatch):
    for kind, headers in (("sites", HEADERS), ("accounts", ["账号名称", "账号类型", "账号ID", "主办单位"])):
        response = post(registry, login, kind, csv_bytes([], headers), "只有表头.csv", dry_run=True)
        assert response.status_code == 422, response.text
        assert response.json()["detail"]["code"] == "import_no_rows"
        assert response.json()["detail"]["message"].startswith("文件中没有数据行")
    from services.common.settings import get_settings

    monkeypatch.setattr(get_settings(), "import_max_rows", 3)
    rows = [[f"超限网站{i}", f"LIM{i:07d}", f"https://lim{i}.weinan.gov.cn/", "", "", "", "运行"] for i in range(4)]
    response = post(registry, login, "sites", write_xlsx("网站", HEADERS, rows), "超限.xlsx", dry_run=True)
    assert response.status_code == 422 and response.json()["detail"]["code"] == "import_too_many_rows"
