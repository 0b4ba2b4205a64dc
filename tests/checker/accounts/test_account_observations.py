"""Reviewer observations over the API (export upload, hand-recorded with screenshots), scoped like the
inspections, and the `import` data source that checks an account from them."""
import io
from datetime import datetime, timedelta

from openpyxl import Workbook

from services.checker.engine import check_account
from services.checker.platforms import FeedConfig
from tests.checker.accounts.conftest import SIM

NOW = SIM.now


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PNG = _png()  # screenshots must decode: a PNG signature followed by anything else is refused


def account_dict(account) -> dict:
    return {"id": account.id, "platform": str(account.platform), "platform_id": account.platform_id,
            "registered_name": account.registered_name, "interaction_url": account.interaction_url}


def test_hand_recorded_observation_with_screenshot_is_checked(checker, tokens, world):
    headers = tokens("ct_supervisor")
    account = world.accounts["county"]
    old = (NOW - timedelta(days=40)).isoformat()
    response = checker.post("/api/v1/observations", headers=headers, json={
        "account_id": account.id, "observed_at": NOW.isoformat(),
        "profile": {"exists": True, "name": "检查测试县发布", "interaction_enabled": False},
        "posts": [{"published": old, "title": "转发：省里的通知", "original": False, "url": "https://weibo.example/1"}],
        "entries": [{"name": "在线留言", "url": "weixin://dl/chat", "kind": "interaction", "works": False}],
        "note": "人工检查：留言菜单点击无反应"})
    assert response.status_code == 201, response.text
    observation = response.json()
    assert observation["source"] == "manual" and observation["org_path"] == world.county.path
    shot = checker.post(f"/api/v1/observations/{observation['id']}/screenshots", headers=headers,
                        files={"file": ("menu.png", PNG, "image/png")})
    assert shot.status_code == 201, shot.text
    key = shot.json()["evidence"][0]["key"]
    assert key.startswith(f"observations/{observation['id']}/")
    refused = checker.post(f"/api/v1/observations/{observation['id']}/screenshots", headers=headers,
                           files={"file": ("x.png", b"not an image", "image/png")})
    assert refused.status_code == 422
    for hostile in (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", PNG + b"<html></html>"):
        refused = checker.post(f"/api/v1/observations/{observation['id']}/screenshots", headers=headers,
                               files={"file": ("x.png", hostile, "image/png")})
        assert refused.status_code == 422 and refused.json()["detail"]["code"] in ("file_invalid", "file_polyglot")
    assert len(checker.get(f"/api/v1/observations/{observation['id']}", headers=headers).json()["evidence"]) == 1

    import asyncio
    result = asyncio.run(check_account(account_dict(account), now=NOW, indicator_set="weinan-2024",
                                       feed=FeedConfig(kind="import")))
    codes = {f.indicator: f for f in result.findings}
    assert set(codes) == {"account_not_updated", "account_no_original", "account_interaction_link_broken"}
    assert result.target["source"] == "observation" and result.verdict == "fail"
    assert codes["account_interaction_link_broken"].evidence[0].snapshot == key
    assert codes["account_interaction_link_broken"].evidence[0].observed_at.startswith("2024-06-14")


def test_export_upload_csv_xlsx_json(checker, tokens, world):
    headers = tokens("ct_supervisor")
    edu = world.accounts["edu"]
    recent = (NOW - timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    csv_text = f"发布时间,标题,链接,类型,正文\n{recent},教育动态,https://w.example/2,原创,要再接再励\n"
    response = checker.post("/api/v1/observations/import", headers=headers, data={"account_id": str(edu.id)},
                            files={"file": ("export.csv", csv_text.encode("gb18030"), "text/csv")})
    assert response.status_code == 201, response.text
    assert response.json()["posts"][0]["original"] is True and response.json()["source"] == "import"

    book = Workbook()
    sheet = book.active
    sheet.append(["发布时间", "标题", "是否原创"])
    sheet.append([datetime(2024, 6, 13, 9, 0), "一条转发", "否"])
    data = io.BytesIO()
    book.save(data)
    response = checker.post("/api/v1/observations/import", headers=headers, data={"account_id": str(edu.id)},
                            files={"file": ("export.xlsx", data.getvalue(), "application/octet-stream")})
    assert response.status_code == 201, response.text
    assert response.json()["posts"][0]["original"] is False

    bad = checker.post("/api/v1/observations/import", headers=headers, data={"account_id": str(edu.id)},
                       files={"file": ("export.csv", "foo,bar\n1,2\n".encode(), "text/csv")})
    assert bad.status_code == 422 and "发布时间" in bad.text
    wrong_type = checker.post("/api/v1/observations/import", headers=headers, data={"account_id": str(edu.id)},
                              files={"file": ("export.pdf", b"%PDF", "application/pdf")})
    assert wrong_type.status_code == 422
    doc = checker.post("/api/v1/observations/import", headers=headers, data={"account_id": str(edu.id)},
                       files={"file": ("export.json", b'{"profile": {"name": "\\u6d4b\\u8bd5\\u53bf\\u6559\\u80b2"},'
                                       b' "posts": [{"published": "2024-06-13T08:00:00+08:00", "title": "t"}]}',
                                       "application/json")})
    assert doc.status_code == 201, doc.text


def test_observations_are_scoped(checker, tokens, world):
    supervisor, neighbour, operator = tokens("ct_supervisor"), tokens("nb_supervisor"), tokens("ct_operator")
    # The neighbour county's account is outside the county supervisor's subtree, and the other way round.
    outside = checker.post("/api/v1/observations", headers=supervisor,
                           json={"account_id": world.accounts["neighbour"].id})
    assert outside.status_code == 404
    mine = checker.get("/api/v1/observations", headers=supervisor).json()
    assert mine["total"] >= 1 and all(o["org_path"].startswith(world.county.path) for o in mine["items"])
    theirs = checker.get("/api/v1/observations", headers=neighbour).json()
    assert all(o["org_path"].startswith(world.neighbour.path) for o in theirs["items"])
    assert checker.get(f"/api/v1/observations/{mine['items'][0]['id']}", headers=neighbour).status_code == 404
    # Recording is the supervising offices' work; operators may read within their scope.
    assert checker.post("/api/v1/observations", headers=operator,
                        json={"account_id": world.accounts["edu"].id}).status_code == 403
    assert checker.get("/api/v1/observations", headers=operator).status_code == 200
