"""What national filing asks (issue 16): 负责人 and 联系电话 (mainland mobile, or a landline with its area code) on
sites and accounts, and the account's 二维码 image — uploaded, validated by structure, stored, shown, carried by
open, rename and change filings, exported and imported, and pushed to the national system."""
import csv
import io
import zipfile

import pytest
from sqlmodel import Session, select

from services.common.db import get_engine
from services.registry.contacts import PHONE_MESSAGE, normalise_phone
from services.registry.sync.models import OutboxRow
from tests.registry.helpers import account_payload, new_unit, org_id, png, site_payload, upload

OPERATOR, SUPERVISOR = "weinan_admin", "weinan_supervisor"  # files; decides


@pytest.mark.parametrize("raw,stored", [
    ("13912345678", "13912345678"), ("139 1234 5678", "13912345678"), ("+86 139-1234-5678".replace("-", ""), "13912345678"),
    ("0913-2123456", "0913-2123456"), ("09132123456", "0913-2123456"), ("(0913)2123456", "0913-2123456"),
    ("029-88881234", "029-88881234"), ("0913-2123456-802", "0913-2123456-802"), ("", None)])
def test_phones_are_normalised(raw, stored):
    assert normalise_phone(raw) == stored


@pytest.mark.parametrize("raw", ["12345", "2123456", "12912345678", "1391234567", "0913-21234", "电话13912345678",
                                 "913-2123456", "13912345678a"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(ValueError, match="联系电话格式有误"):
        normalise_phone(raw)


def _zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.txt", "not a picture")
    return out.getvalue()


def upload_qr(registry, headers, data: bytes | None = None, name: str = "二维码.png"):
    return registry.post("/api/v1/accounts/qr-codes", headers=headers,
                         files={"file": (name, io.BytesIO(data if data is not None else png()), "image/png")})


def test_a_site_is_opened_with_its_responsible_person_and_phone(registry, login):
    unit, _ = new_unit("渭南市")
    body = site_payload(unit, org_id("渭南市"), responsible_person=" 王建国 ", contact_phone="0913 2123456")
    filed = registry.post("/api/v1/sites", headers=login(OPERATOR), json=body)
    assert filed.status_code == 201, filed.text
    site = registry.get(f"/api/v1/sites/{filed.json()['subject_id']}", headers=login(SUPERVISOR)).json()
    assert site["responsible_person"] == "王建国" and site["contact_phone"] == "0913-2123456"


@pytest.mark.parametrize("field,value,message", [
    ("contact_phone", "12345", PHONE_MESSAGE), ("contact_phone", "0913-21", PHONE_MESSAGE),
    ("responsible_person", "<b>王</b>", "名称应为纯文本"), ("responsible_person", "王", "负责人姓名至少2个字")])
def test_bad_contacts_are_a_chinese_422(registry, login, field, value, message):
    unit, _ = new_unit("渭南市")
    for path, body in (("/api/v1/sites", site_payload(unit, org_id("渭南市"), **{field: value})),
                       ("/api/v1/accounts", account_payload(unit, org_id("渭南市"), **{field: value}))):
        response = registry.post(path, headers=login(OPERATOR), json=body)
        assert response.status_code == 422, response.text
        assert message in response.text and response.json()["detail"]["field"].endswith(field)


def test_an_account_is_opened_with_its_qr_code_and_the_supervisor_sees_it(registry, login):
    picture = png()
    uploaded = upload_qr(registry, login(OPERATOR), picture)
    assert uploaded.status_code == 201, uploaded.text
    sha = uploaded.json()["sha256"]
    assert uploaded.json()["content_type"] == "image/png"
    unit, _ = new_unit("渭南市")
    filed = registry.post("/api/v1/accounts", headers=login(OPERATOR), json=account_payload(
        unit, org_id("渭南市"), responsible_person="李秀梅", contact_phone="13912345678", qr_code_sha256=sha))
    assert filed.status_code == 201, filed.text
    account_id = filed.json()["subject_id"]
    account = registry.get(f"/api/v1/accounts/{account_id}", headers=login(SUPERVISOR)).json()
    assert account["qr_code_sha256"] == sha and account["contact_phone"] == "13912345678"
    image = registry.get(f"/api/v1/accounts/{account_id}/qr-code", headers=login(SUPERVISOR))
    assert image.status_code == 200 and image.content == picture
    assert image.headers["content-type"] == "image/png" and image.headers["x-content-type-options"] == "nosniff"
    # Approved: the national record carries the contacts and the picture's digest.
    assert upload(registry, login(OPERATOR), filed.json()["id"], "approval_document").status_code == 201
    approved = registry.post(f"/api/v1/filings/{filed.json()['id']}/approve", headers=login(SUPERVISOR), json={})
    assert approved.status_code == 200, approved.text
    with Session(get_engine()) as session:
        row = session.exec(select(OutboxRow).where(OutboxRow.filing_id == filed.json()["id"])).one()
    assert row.record["responsible_person"] == "李秀梅" and row.record["contact_phone"] == "13912345678"
    assert row.record["qr_code_sha256"] == sha
    # A change filing brings a new picture and phone; the account takes them on approval.
    other = _second_png()
    new_sha = upload_qr(registry, login(OPERATOR), other, "new.png").json()["sha256"]
    change = registry.post(f"/api/v1/accounts/{account_id}/filings", headers=login(OPERATOR), json={
        "kind": "change", "payload": {"qr_code_sha256": new_sha, "contact_phone": "029-88881234"}})
    assert change.status_code == 201, change.text
    proposed = registry.get(f"/api/v1/filings/{change.json()['id']}/qr-code", headers=login(SUPERVISOR))
    assert proposed.status_code == 200 and proposed.content == other
    assert upload(registry, login(OPERATOR), change.json()["id"], "approval_document").status_code == 201
    assert registry.post(f"/api/v1/filings/{change.json()['id']}/approve", headers=login(SUPERVISOR),
                         json={}).status_code == 200
    account = registry.get(f"/api/v1/accounts/{account_id}", headers=login(SUPERVISOR)).json()
    assert account["qr_code_sha256"] == new_sha and account["contact_phone"] == "029-88881234"
    assert registry.get(f"/api/v1/accounts/{account_id}/qr-code", headers=login(SUPERVISOR)).content == other


def _second_png() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (33, 33), (0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def test_qr_uploads_are_validated_by_structure(registry, login):
    headers = login(OPERATOR)
    zipped = upload_qr(registry, headers, _zip_bytes(), "qr.png")  # a PNG that is really a zip
    assert zipped.status_code == 415 and zipped.json()["detail"]["code"] == "file_type_not_allowed"
    polyglot = upload_qr(registry, headers, png() + _zip_bytes(), "qr.png")  # a PNG with a zip appended
    assert polyglot.status_code == 422 and polyglot.json()["detail"]["code"] == "file_polyglot"
    renamed = upload_qr(registry, headers, png(), "qr.jpg")  # the name's extension must agree with the content
    assert renamed.status_code == 422, renamed.text
    broken = upload_qr(registry, headers, png()[:-20], "qr.png")
    assert broken.status_code == 422
    from tests.registry.helpers import pdf
    assert upload_qr(registry, headers, pdf(), "qr.pdf").status_code == 415  # evidence may be a PDF, a QR not
    big = upload_qr(registry, headers, b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024), "qr.png")
    assert big.status_code == 413
    viewer = upload_qr(registry, login("weinan_viewer"))
    assert viewer.status_code == 403


def test_an_unknown_qr_digest_or_a_qr_on_a_site_is_refused(registry, login):
    unit, _ = new_unit("渭南市")
    missing = registry.post("/api/v1/accounts", headers=login(OPERATOR), json=account_payload(
        unit, org_id("渭南市"), qr_code_sha256="0" * 64))
    assert missing.status_code == 422 and missing.json()["detail"]["code"] == "qr_code_missing"
    assert "二维码图片未上传" in missing.json()["detail"]["message"]
    malformed = registry.post("/api/v1/accounts", headers=login(OPERATOR), json=account_payload(
        unit, org_id("渭南市"), qr_code_sha256="../../etc/passwd"))
    assert malformed.status_code == 422
    site = registry.get("/api/v1/sites", headers=login(SUPERVISOR), params={"state": "active", "limit": 1}).json()
    sha = upload_qr(registry, login(OPERATOR)).json()["sha256"]
    refused = registry.post(f"/api/v1/sites/{site['items'][0]['id']}/filings", headers=login(SUPERVISOR), json={
        "kind": "rename", "payload": {"new_name": "改名测试网站", "qr_code_sha256": sha}})
    assert refused.status_code == 422 and refused.json()["detail"]["code"] == "qr_code_not_for_sites"


def test_export_and_import_carry_the_contacts(registry, login):
    headers = login(SUPERVISOR)
    unit, unit_name = new_unit("渭南市")
    filed = registry.post("/api/v1/accounts", headers=login(OPERATOR), json=account_payload(
        unit, org_id("渭南市"), responsible_person="赵导出", contact_phone="13800001111"))
    assert filed.status_code == 201
    exported = registry.get("/api/v1/accounts/export", headers=headers, params={"format": "csv", "org_id": unit})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][-3:] == ["负责人", "联系电话", "二维码"]
    assert rows[1][-3:] == ["赵导出", "13800001111", "未上传"]

    def sheet(phone: str) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["网站名称", "首页网址", "网站类型", "主办单位", "负责人", "联系电话"])
        writer.writerow([f"导入联系人测试网{phone[-4:]}", f"https://imp{phone[-6:]}.weinan.gov.cn/", "部门网站",
                         unit_name, "钱导入", phone])
        return out.getvalue().encode()

    bad = registry.post("/api/v1/imports/sites", headers=headers, data={"dry_run": "false"},
                        files={"file": ("sites.csv", io.BytesIO(sheet("88-1")), "text/csv")})
    assert bad.status_code == 422, bad.text
    errors = bad.json()["detail"]["errors"]
    assert errors[0]["column"] == "联系电话" and errors[0]["message"] == PHONE_MESSAGE  # no English prefix
    good = registry.post("/api/v1/imports/sites", headers=headers, data={"dry_run": "false"},
                         files={"file": ("sites.csv", io.BytesIO(sheet("0913 2765432")), "text/csv")})
    assert good.status_code == 200, good.text
    listed = registry.get("/api/v1/sites", headers=headers, params={"org_id": unit}).json()["items"]
    assert [(s["responsible_person"], s["contact_phone"]) for s in listed] == [("钱导入", "0913-2765432")]
