"""Region codes: an edit is validated exactly like a creation, and a bad code already stored never takes an
organisation list down (issue 12, item 5)."""
import itertools
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from services.common.db import get_engine
from services.registry.orgs.models import Organisation
from tests.registry.helpers import new_unit, org_id


_names = itertools.count(1)


def _create(registry, admin, **body):
    return registry.post("/api/v1/orgs", headers=admin, json={"name": f"区划测试县{next(_names)}", "kind": "county",
                                                               "parent_id": org_id("渭南市"), **body})


@pytest.mark.parametrize("code", ["abc", "6105ab", "61050", "6105011", "٦١٠٥٠١", " 61050", "６１０５０１"])
def test_patch_refuses_what_creation_refuses(registry, login, code):
    admin = login("weinan_admin")
    assert _create(registry, admin, region_code=code).status_code == 422
    county = _create(registry, admin, region_code="610599").json()
    patched = registry.patch(f"/api/v1/orgs/{county['id']}", headers=admin, json={"region_code": code})
    assert patched.status_code == 422, patched.text
    detail = patched.json()["detail"]
    assert detail["field"] == "body.region_code" and "6位数字" in detail["message"]
    assert registry.get(f"/api/v1/orgs/{county['id']}", headers=admin).json()["region_code"] == "610599"


def test_tier_messages_name_the_tiers_in_chinese(registry, login):
    admin = login("weinan_admin")
    city = registry.post("/api/v1/orgs", headers=admin, json={"name": "下辖市", "kind": "city",
                                                              "parent_id": org_id("渭南市")})
    assert city.status_code == 422 and city.json()["detail"]["message"] == "市级单位下只能设立：县级、部门单位"
    tier = registry.patch(f"/api/v1/orgs/{org_id('渭南市')}", headers=login("shaanxi_admin"),
                          json={"region_code": "610501"})
    assert tier.status_code == 422 and tier.json()["detail"]["message"] == "市级单位的区划代码应以 00 结尾"


def test_patch_applies_the_tier_rules_of_creation(registry, login):
    admin = login("weinan_admin")
    county = _create(registry, admin, region_code="610598").json()
    outside = registry.patch(f"/api/v1/orgs/{county['id']}", headers=admin, json={"region_code": "620101"})
    assert outside.status_code == 422 and outside.json()["detail"]["code"] == "region_code_parent"
    cleared = registry.patch(f"/api/v1/orgs/{county['id']}", headers=admin, json={"region_code": None})
    assert cleared.status_code == 422 and cleared.json()["detail"]["code"] == "region_code_required"
    city = org_id("渭南市")
    not_a_city_code = registry.patch(f"/api/v1/orgs/{city}", headers=login("shaanxi_admin"),
                                     json={"region_code": "610501"})
    assert not_a_city_code.status_code == 422 and not_a_city_code.json()["detail"]["code"] == "region_code_tier"
    root = registry.get("/api/v1/orgs", headers=login("shaanxi_admin"), params={"limit": 1}).json()["items"][0]
    assert root["parent_id"] is None
    bad_root = registry.patch(f"/api/v1/orgs/{root['id']}", headers=login("shaanxi_admin"),
                              json={"region_code": "610500"})  # a province's code ends in 0000
    assert bad_root.status_code == 422 and bad_root.json()["detail"]["code"] == "region_code_tier"
    null_name = registry.patch(f"/api/v1/orgs/{county['id']}", headers=admin, json={"name": None})
    assert null_name.status_code == 422 and null_name.json()["detail"]["field"] == "body.name"
    ok = registry.patch(f"/api/v1/orgs/{county['id']}", headers=admin, json={"region_code": "610597", "name": "改名县"})
    assert ok.status_code == 200 and ok.json()["region_code"] == "610597" and ok.json()["name"] == "改名县"


def corrupt(names: list[str]) -> list[int]:
    """New units under `names` whose stored values no longer pass the input rules (written around the API,
    as the old PATCH let through): a region code that is not six digits; the second also a one-character name."""
    ids = [new_unit(name)[0] for name in names]
    with Session(get_engine()) as session:
        for n, pk in enumerate(ids):
            session.execute(text("UPDATE registry.organisation SET region_code = :code, name = :name WHERE id = :id"),
                            {"id": pk, "code": "ab\\cd" if n % 2 == 0 else "61", "name": "单" if n % 2 else f"坏{pk}"})
        session.commit()
    return ids


def restore(ids: list[int]) -> None:
    """Put the parent's code back, so the session's other tests see a clean tree."""
    with Session(get_engine()) as session:
        for org in session.exec(select(Organisation).where(Organisation.id.in_(ids))):
            org.region_code, org.name = session.get(Organisation, org.parent_id).region_code, f"已修复单位{org.id}"
        session.commit()


@pytest.fixture
def bad_rows() -> Iterator[list[int]]:
    ids = corrupt(["渭南市", "华州区"])
    yield ids
    restore(ids)


def test_a_bad_stored_row_never_takes_a_list_down(registry, login, bad_rows):
    supervisor = login("weinan_supervisor")
    seen: dict[int, dict] = {}
    offset = 0
    while True:
        page = registry.get("/api/v1/orgs", headers=supervisor, params={"limit": 500, "offset": offset})
        assert page.status_code == 200, page.text
        body = page.json()
        seen.update({o["id"]: o for o in body["items"]})
        offset += len(body["items"])
        if not body["items"] or offset >= body["total"]:
            break
    for org_pk in bad_rows:
        assert seen[org_pk]["region_code"] is None and seen[org_pk]["region_code_valid"] is False
        one = registry.get(f"/api/v1/orgs/{org_pk}", headers=supervisor)
        assert one.status_code == 200 and one.json()["region_code_valid"] is False
    assert seen[bad_rows[1]]["name"] == "单"
    good = next(o for o in seen.values() if o["id"] not in bad_rows)
    assert good["region_code_valid"] is True and len(good["region_code"]) == 6
    # The admin corrects it through the (validated) edit.
    fixed = registry.patch(f"/api/v1/orgs/{bad_rows[0]}", headers=login("weinan_admin"),
                           json={"region_code": "610500"})
    assert fixed.status_code == 200 and fixed.json()["region_code_valid"] is True
