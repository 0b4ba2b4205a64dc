"""Pass rates per subtree, kind, site type and platform, and the trend across inspections."""
import pytest
from sqlmodel import Session

from services.common.db import get_engine
from tests.reporting.conftest import org


@pytest.fixture(scope="module")
def assembled(reporting, auth, seed004):
    h = auth("weinan_supervisor")
    for key in ("previous", "current"):
        response = reporting.post("/api/v1/notices", headers=h, json={"inspection_id": seed004[key]})
        assert response.status_code == 201, response.text
    return seed004


def test_pass_rates_of_the_city(reporting, auth, assembled):
    body = reporting.get("/api/v1/statistics/pass-rates", headers=auth("weinan_supervisor"),
                         params={"inspection_id": assembled["current"]}).json()
    kinds = {r["kind"]: r for r in body["by_kind"]}
    assert (kinds["site"]["checked"], kinds["site"]["passed"], kinds["site"]["failed"]) == (51, 47, 4)
    assert (kinds["account"]["checked"], kinds["account"]["passed"]) == (470, 437)
    assert kinds["site"]["pass_rate"] == pytest.approx(47 / 51, abs=1e-6)
    assert body["overall"]["checked"] == 521
    sites = {r["site_kind"]: r["checked"] for r in body["by_site_kind"]}
    assert sites == {"portal": 12, "department": 39}
    platforms = {r["platform"]: r for r in body["by_platform"]}
    assert platforms["douyin"]["failed"] == 2 and platforms["weibo"]["failed"] == 3
    assert sum(r["checked"] for r in body["by_platform"]) == 470


def test_pass_rates_of_a_county_subtree_and_scope(reporting, auth, assembled):
    with Session(get_engine()) as session:
        hancheng, weinan = org(session, "韩城市"), org(session, "渭南市")
    body = reporting.get("/api/v1/statistics/pass-rates", headers=auth("weinan_supervisor"),
                         params={"org_id": hancheng.id, "inspection_id": assembled["current"]}).json()
    site = next(r for r in body["by_kind"] if r["kind"] == "site")
    assert (site["checked"], site["failed"]) == (3, 1)  # 韩城市人民政府, 财政局 (failed), 自然资源局
    # A county asking for the city above it: 404, as for anything outside its subtree.
    response = reporting.get("/api/v1/statistics/pass-rates", headers=auth("hancheng_supervisor"),
                             params={"org_id": weinan.id})
    assert response.status_code == 404


def test_trend_across_inspections(reporting, auth, assembled):
    body = reporting.get("/api/v1/statistics/trend", headers=auth("weinan_supervisor"),
                         params={"kind": "site"}).json()
    points = [p for p in body["points"] if p["inspection_id"] in assembled.values()]
    assert [(p["passed"], p["checked"]) for p in points] == [(45, 51), (47, 51)]
    assert points[1]["change_points"] == pytest.approx((47 - 45) / 51 * 100, abs=1e-3)
