"""Schemathesis over the reporting service's OpenAPI document: no input, however malformed, gets a 5xx."""
from services.reporting.main import app
from tests.schemathesis_runner import FUZZ_ADMIN, fuzz_subtree, run


def test_reporting_api_has_no_server_errors(reporting, login):
    fuzz_subtree()
    report = run("reporting", app, login("hancheng_supervisor"), login(FUZZ_ADMIN), max_examples=10)
    print(report.summary())
    print(report.details())  # conformance findings that are not server errors, for the log
    assert not report.server_errors, report.summary() + "\n" + report.details()
