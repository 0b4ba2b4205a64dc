"""Every checker operation × role × tier, generated from the OpenAPI document (tests/authz_matrix.py)."""
from tests.authz_matrix import run, target_inspection


def test_no_operation_leaks_a_sibling_subtree(checker, login):
    target_inspection()
    matrix = run("checker", "checker", checker, login)
    print(f"checker: {len(matrix.operations)} operations ({matrix.bound_operations} bound to objects of the "
          f"target subtree), {matrix.requests} requests")
    assert len(matrix.operations) >= 30 and matrix.bound_operations >= 8
    assert not matrix.problems, "\n".join(matrix.problems)
