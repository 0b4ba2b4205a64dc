"""The audit log is searched by the name people know an actor by, not only by the internal subject."""
from tests.registry.helpers import new_unit


def test_audit_filters_by_actor_name_or_subject(registry, login):
    admin = login("weinan_admin")
    unit, _ = new_unit("渭南市")
    assert registry.patch(f"/api/v1/orgs/{unit}", headers=admin, json={"name": "审计筛选测试单位"}).status_code == 200
    by_name = registry.get("/api/v1/audit", headers=admin, params={"actor": "市政务公开办管理员", "action": "org.update",
                                                                   "limit": 500}).json()["items"]
    assert unit in [e["entity_id"] for e in by_name]
    assert {e["actor_name"] for e in by_name} == {"市政务公开办管理员"}
    subject = by_name[0]["actor"]
    by_subject = registry.get("/api/v1/audit", headers=admin, params={"actor": subject, "action": "org.update",
                                                                      "limit": 500}).json()["items"]
    assert [e["id"] for e in by_subject] == [e["id"] for e in by_name]
    nobody = registry.get("/api/v1/audit", headers=admin, params={"actor": "不存在的人%"}).json()
    assert nobody["total"] == 0


def test_entries_that_record_no_state_still_name_their_object(registry, login):
    """A password reset or an evidence upload records no before/after: the log names the user or the filing's
    subject as it is called today (and a national push by the site it pushed), never by a number."""
    from tests.registry.test_filing_evidence_upload import SUP, pending_filing
    from tests.registry.test_login_hardening import new_user
    from tests.registry.helpers import upload

    admin = login("weinan_admin")
    user_id, _ = new_user(registry, login)
    assert registry.post(f"/api/v1/users/{user_id}/password", headers=admin,
                         json={"new_password": "Temporary#2024"}).status_code == 204
    filing = pending_filing(registry, login)
    assert upload(registry, login(SUP), filing["id"], "approval_document").status_code == 201

    def entries(action: str, entity_id: int) -> list[dict]:
        return registry.get("/api/v1/audit", headers=admin,
                            params={"action": action, "entity_id": entity_id}).json()["items"]
    reset, = entries("user.password_reset", user_id)
    assert (reset["before"], reset["after"], reset["entity_name"]) == (None, None, "加固测试")
    uploaded, = entries("filing.evidence", filing["id"])
    assert uploaded["entity_name"] == filing["subject_name"]
    created, = entries("site.create", filing["subject_id"])
    assert created["entity_name"] == filing["subject_name"]  # named by its state too; the present name agrees


def test_a_national_push_is_named_by_what_it_pushed_and_a_gone_object_by_its_kind_alone():
    import uuid

    from sqlmodel import Session

    from services.common.db import get_engine
    from services.registry.audit.models import AuditLog
    from services.registry.audit.service import with_names
    from services.registry.filings.models import SubjectKind
    from services.registry.sync.models import OutboxRow
    from tests.registry.helpers import site_id

    with Session(get_engine()) as session:
        pushed = OutboxRow(key=uuid.uuid4().hex, subject_kind=SubjectKind.site, subject_id=site_id("渭南市人民政府"),
                           action="resync", org_path="/1/")
        session.add(pushed)
        session.flush()
        rows = [AuditLog(id=1, actor="user:1", action="sync.retry", entity_kind="sync_outbox", entity_id=pushed.id,
                         org_path="/1/"),
                AuditLog(id=2, actor="user:1", action="user.password_reset", entity_kind="user", entity_id=-5,
                         org_path="/1/"),
                AuditLog(id=3, actor="user:1", action="auth.lockout", entity_kind="login", entity_id=None,
                         org_path="/1/")]
        named = with_names(session, rows)
        session.rollback()
    assert [row.entity_name for row in named] == ["渭南市人民政府", None, None]
