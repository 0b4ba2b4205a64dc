"""Migration 0005 on a database that already holds duplicate outbox rows (written by concurrent approvals
before the fix): the earliest row keeps the filing, later unpushed ones are resolved, the unique index
then holds."""
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from tests.registry.sync.processes import ROOT

OUTBOX = """INSERT INTO registry.sync_outbox (key, filing_id, subject_kind, subject_id, action, record, org_path,
            state, attempts, next_attempt_at, created_at, updated_at)
            VALUES (:key, :filing, 'site', 1, 'rename', '{}', '/1/', :state, 1, now(), now(), now()) RETURNING id"""


def alembic(url: str, revision: str) -> None:
    subprocess.run([sys.executable, "-m", "alembic", "-c", "services/registry/alembic.ini", "upgrade", revision],
                   cwd=ROOT, env={**os.environ, "GOVWATCH_DATABASE_URL": url}, check=True, capture_output=True,
                   timeout=120)


def test_duplicate_rows_are_detached_before_the_unique_index():
    base = make_url(os.environ["GOVWATCH_DATABASE_URL"])
    name = f"{base.database}_m0005"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        alembic(url, "0004")
        with engine.begin() as conn:
            filing = conn.execute(text(
                """INSERT INTO registry.filing (subject_kind, subject_id, subject_name, kind, state, payload, org_path,
                   supervising_path, requested_by, requested_at)
                   VALUES ('site', 1, '网站', 'rename', 'approved', '{}', '/1/', '/1/', 'u', now()) RETURNING id""")).scalar()
            ids = [conn.execute(text(OUTBOX), {"key": f"k{i}", "filing": filing, "state": state}).scalar()
                   for i, state in enumerate(["acknowledged", "pending", "acknowledged", "failed"])]
        alembic(url, "head")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, filing_id, state, resolution_note FROM registry.sync_outbox "
                                     "ORDER BY id")).all()
        assert [(r.id, r.filing_id, r.state) for r in rows] == [
            (ids[0], filing, "acknowledged"), (ids[1], None, "resolved"), (ids[2], None, "acknowledged"),
            (ids[3], None, "resolved")]
        assert rows[1].resolution_note == "重复审批产生的重复推送，已撤销" and rows[2].resolution_note is None
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(OUTBOX), {"key": "again", "filing": filing, "state": "pending"})
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
