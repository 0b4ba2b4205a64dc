"""The built-in lists through the API: version, size per category and group, entries with their category."""
from services.checker.wordlists import builtin_entries, builtin_version
from tests.checker.inspections.harness import checker, checker_env, tokens, world  # noqa: F401


def test_summary_names_the_version_and_every_category(checker, tokens):
    response = checker.get("/api/v1/wordlists/builtin/summary", headers=tokens("ct_operator"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == builtin_version() and body["total"] == len(builtin_entries())
    groups = {(g["category"], g["group"]): g["count"] for g in body["groups"]}
    assert groups[("sensitive_content", "赌博")] > 1000 and groups[("typo", "机构名称变更")] > 80
    assert sum(groups.values()) == body["total"]


def test_entries_filtered_by_category_group_and_text(checker, tokens):
    headers = tokens("ct_operator")
    page = checker.get("/api/v1/wordlists/builtin", headers=headers,
                       params={"category": "typo", "group": "机构名称变更", "q": "卫生和计划生育局"}).json()
    [entry] = [e for e in page["items"] if e["word"] == "卫生和计划生育局"]
    assert entry == {"word": "卫生和计划生育局", "category": "typo", "group": "机构名称变更",
                     "suggestion": "卫生健康局", "obsolete_since": "2019-04-01",
                     "source": "2018—2019年地方机构改革（据国家方案生成）"}
    gambling = checker.get("/api/v1/wordlists/builtin", headers=headers,
                           params={"group": "赌博", "limit": 5, "offset": 10}).json()
    assert gambling["total"] > 1000 and len(gambling["items"]) == 5
    assert {e["group"] for e in gambling["items"]} == {"赌博"}
    # Every source reads in Chinese (no internal id reaches a user's screen).
    sources = {e["source"] for e in checker.get("/api/v1/wordlists/builtin", headers=headers,
                                                  params={"limit": 500}).json()["items"]}
    assert all(not s.isascii() for s in sources)
    assert checker.get("/api/v1/wordlists/builtin", headers=headers,
                       params={"q": "不存在的词条甲乙丙"}).json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert checker.get("/api/v1/wordlists/builtin", headers=headers, params={"category": "nope"}).status_code == 422
    assert checker.get("/api/v1/wordlists/builtin").status_code == 401


def test_the_monitor_records_the_lists_version_with_every_page(checker_env):
    """The monitor's per-page word-list version starts with the built-in lists' version and fits its column."""
    from sqlmodel import Session

    from services.checker.monitor.jobs import wordlist_version
    from services.checker.monitor.models import MonitorPage
    from services.common.db import get_engine

    with Session(get_engine()) as session:
        version = wordlist_version(session, "/0/不存在的单位/")
    assert version.startswith(f"{builtin_version()}-")
    assert len(version) <= MonitorPage.__table__.c.wordlist_version.type.length == 32
