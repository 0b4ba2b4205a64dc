"""Every registry operation × role × tier, generated from the OpenAPI document (tests/authz_matrix.py)."""
from sqlmodel import Session, select

from services.common.db import get_engine
from services.registry.orgs.models import Organisation
from tests.authz_matrix import TARGET, run
from tests.registry.sync.conftest import national  # noqa: F401 (reconciliations talk to the national system)


def test_no_operation_leaks_a_sibling_subtree(registry, login, national):  # noqa: F811
    matrix = run("registry", "registry", registry, login)
    print(f"registry: {len(matrix.operations)} operations ({matrix.bound_operations} bound to objects of the "
          f"target subtree), {matrix.requests} requests")
    assert len(matrix.operations) >= 50 and matrix.bound_operations >= 18
    assert not matrix.problems, "\n".join(matrix.problems)


def test_the_matrix_sees_a_leak_when_there_is_one(registry, login):
    """The checks are not vacuous: run as a caller inside the target subtree, every object route answers,
    and the matrix reports each of them."""
    with Session(get_engine()) as session:
        inside = session.exec(select(Organisation).where(Organisation.name == TARGET)).one().path
    matrix = run("registry", "registry", registry, login, users={"hancheng_supervisor": inside})
    reported = {p.split(" as ")[0] for p in matrix.problems if p.startswith(f"object of {TARGET} answered")}
    assert any(r.startswith("object of 韩城市 answered: GET /api/v1/sites/") for r in reported), matrix.problems
    assert len(reported) >= 5
