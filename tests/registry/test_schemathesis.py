"""Schemathesis over the registry's OpenAPI document: no input, however malformed, gets a 5xx."""
from services.registry.main import app
from tests.registry.sync.conftest import national  # noqa: F401 (reconciliations talk to the national system)
from tests.schemathesis_runner import FUZZ_ADMIN, fuzz_subtree, run


def test_registry_api_has_no_server_errors(registry, login, national):  # noqa: F811
    fuzz_subtree()
    report = run("registry", app, login("weinan_admin"), login(FUZZ_ADMIN), max_examples=10)
    print(report.summary())
    print(report.details())  # conformance findings that are not server errors, for the log
    assert not report.server_errors, report.summary() + "\n" + report.details()
