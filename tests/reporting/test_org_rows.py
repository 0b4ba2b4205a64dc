"""The annual assessment reads the registry's organisations: a unit whose stored region code is not valid
(the old unvalidated PATCH) must not turn the assessment into a 500 (issue 12, item 5)."""
from services.reporting.rectification.service import today
from tests.registry.test_org_region import corrupt, restore


def test_assessment_survives_a_bad_stored_org(reporting, auth):
    ids = corrupt(["潼关县", "潼关县"])
    try:
        response = reporting.get("/api/v1/assessment", headers=auth("weinan_supervisor"),
                                 params={"year": today().year})
        assert response.status_code == 200, response.text
        assert response.json()["rows"] is not None
    finally:
        restore(ids)
