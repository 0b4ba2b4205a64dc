"""Built-in sets (YAML files beside this module) and inheritance: a child overrides its parent's values."""
from collections.abc import Callable, Mapping
from copy import deepcopy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from services.checker.indicators.model import IndicatorSet

DATA = Path(__file__).with_name("data")
DEFAULT_SET = "gov-2019"
Loader = Callable[[str], Mapping[str, Any]]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader: the same result, in C


@cache
def _builtin() -> dict[str, dict[str, Any]]:
    sets = {}
    for path in sorted(DATA.glob("*.yaml")):
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        sets[raw["id"]] = raw
    return sets


def builtin_sets() -> dict[str, dict[str, Any]]:
    """Raw (unresolved) built-in sets by id; a copy, so callers may store or edit them."""
    return deepcopy(_builtin())


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; any other value (lists included) replaces the parent's."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = deepcopy(value)
    return merged


def resolve(set_id: str, loader: Loader | None = None) -> IndicatorSet:
    """The set with its ancestors' values filled in. `loader` maps an id to the raw stored dict
    (files or database); by default the built-in sets. Raises KeyError for an unknown id."""
    load = loader or (lambda key: _builtin()[key])
    chain: list[Mapping[str, Any]] = []
    seen: set[str] = set()
    current: str | None = set_id
    while current is not None:
        if current in seen:
            raise ValueError(f"indicator set inheritance cycle at {current!r}")
        seen.add(current)
        raw = load(current)
        missing = {"id", "version", "name"} - raw.keys()
        if missing:
            raise ValueError(f"indicator set {current!r} lacks {sorted(missing)}")
        chain.append(raw)
        current = raw.get("parent")
    merged: dict[str, Any] = {}
    for raw in reversed(chain):
        merged = _merge(merged, raw)
    merged["parent"] = chain[0].get("parent")  # identity fields are the child's own
    return IndicatorSet.model_validate(merged)
