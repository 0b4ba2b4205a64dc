"""Every reporting operation × role × tier, generated from the OpenAPI document (tests/authz_matrix.py)."""
from tests.authz_matrix import run, target_inspection


def test_no_operation_leaks_a_sibling_subtree(reporting, login):
    notice = reporting.post("/api/v1/notices", headers=login("hancheng_supervisor"),
                            json={"inspection_id": target_inspection()})
    assert notice.status_code == 201, notice.text  # a draft notice of the target subtree
    matrix = run("reporting", "reporting", reporting, login)
    print(f"reporting: {len(matrix.operations)} operations ({matrix.bound_operations} bound to objects of the "
          f"target subtree), {matrix.requests} requests")
    assert len(matrix.operations) >= 40 and matrix.bound_operations >= 5
    assert not matrix.problems, "\n".join(matrix.problems)
