import pytest
from pydantic import ValidationError

from services.checker.indicators import IndicatorSet, builtin_sets, resolve


def test_builtin_sets_are_raw_dicts_and_gov_2019_validates_alone():
    raw = builtin_sets()
    assert set(raw) >= {"gov-2019", "weinan-2024"}
    national = IndicatorSet.model_validate(raw["gov-2019"])
    assert (national.id, national.version, national.parent, national.pass_score) == ("gov-2019", 1, None, 60)
    assert national.parameters.home_window_days == 14 and national.parameters.unreachable_ratio == 0.05
    assert national.indicators["unreachable"].severity == "veto"


def test_child_inherits_and_overrides():
    city = resolve("weinan-2024")
    national = resolve("gov-2019")
    assert (city.id, city.parent, city.version) == ("weinan-2024", "gov-2019", 1)
    for code in ("account_no_original", "account_renamed_unfiled", "account_interaction_link_broken"):
        assert national.indicators[code].severity == "deduct"
        assert city.indicators[code].severity == "veto"
    assert city.parameters == national.parameters
    assert city.indicators["column_not_updated"] == national.indicators["column_not_updated"]


def test_loader_from_stored_dicts_with_partial_override_of_a_rule_and_a_parameter():
    stored = builtin_sets()
    stored["county-x"] = {"id": "county-x", "version": 3, "parent": "weinan-2024", "name": "某县",
                          "parameters": {"news_window_days": 7},
                          "indicators": {"typo": {"max_points": 10}}}
    county = resolve("county-x", stored.__getitem__)
    assert county.parameters.news_window_days == 7 and county.parameters.home_window_days == 14
    assert county.indicators["typo"].max_points == 10 and county.indicators["typo"].points == 1
    assert county.indicators["account_no_original"].severity == "veto"   # from the middle generation
    assert county.version == 3


def test_bad_sets_are_refused():
    stored = builtin_sets()
    stored["typo-param"] = {"id": "typo-param", "version": 1, "parent": "gov-2019", "name": "x",
                            "parameters": {"home_window_dayz": 7}}
    with pytest.raises(ValidationError):
        resolve("typo-param", stored.__getitem__)
    stored["bad-veto"] = {"id": "bad-veto", "version": 1, "parent": "gov-2019", "name": "x",
                          "indicators": {"column_empty": {"veto_when": [{"count_param": "nope"}]}}}
    with pytest.raises(ValidationError):
        resolve("bad-veto", stored.__getitem__)
    stored["a"] = {"id": "a", "version": 1, "parent": "b", "name": "a"}
    stored["b"] = {"id": "b", "version": 1, "parent": "a", "name": "b"}
    with pytest.raises(ValueError, match="cycle"):
        resolve("a", stored.__getitem__)
    with pytest.raises(KeyError):
        resolve("missing")
    stored["no-version"] = {"id": "no-version", "parent": "gov-2019", "name": "x"}
    with pytest.raises(ValueError, match="version"):
        resolve("no-version", stored.__getitem__)
