"""Indicator sets (data, versioned, inheriting) and the aggregation of findings into a verdict."""
from services.checker.indicators.aggregate import Verdict, evaluate
from services.checker.indicators.loader import DEFAULT_SET, Loader, builtin_sets, resolve
from services.checker.indicators.model import IndicatorRule, IndicatorSet, Parameters, RequiredColumn, VetoWhen

__all__ = [
    "DEFAULT_SET", "IndicatorRule", "IndicatorSet", "Loader", "Parameters", "RequiredColumn", "Verdict", "VetoWhen",
    "builtin_sets", "evaluate", "resolve",
]
