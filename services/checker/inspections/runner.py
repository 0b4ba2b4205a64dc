"""The bridge from a planned target to the check engine (`services.checker.engine`).

The worker runs exactly the code path of `python -m services.checker check-site`; this module only
assembles its inputs (registry facts, the probe series, the indicator set, the organisation's word list)
and turns the `CheckResult` into the stored JSON shape.
"""
import inspect
from datetime import datetime
from typing import Any

from services.checker.model import Probe, RegistryFacts


class EngineUnavailable(RuntimeError):
    pass


def registry_facts(site: dict[str, Any]) -> RegistryFacts:
    return RegistryFacts(site_id=site.get("id"), name=site.get("name"), site_code=site.get("site_code"),
                         icp_number=site.get("icp_number"), psb_number=site.get("psb_number"),
                         has_badge=site.get("has_badge"), state=site.get("state"),
                         columns=[{k: c.get(k) for k in ("name", "url", "category", "should_update")}
                                  for c in site.get("columns") or []])


def as_probes(rows: list[Any]) -> list[Probe]:
    return [Probe(at=r.at, ok=r.ok, status=r.status, elapsed_ms=r.elapsed_ms, error=r.error) for r in rows]


def _supported(function: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Pass only the keyword options the engine function declares (it grows them over time)."""
    parameters = inspect.signature(function).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return options
    return {k: v for k, v in options.items() if k in parameters and v is not None}


def _to_json(result: Any) -> dict[str, Any]:
    if hasattr(result, "to_json"):
        return result.to_json()
    if isinstance(result, dict):
        return result
    raise TypeError(f"engine returned {type(result).__name__}")


async def check_site(url: str, *, now: datetime, indicator_set: Any, facts: RegistryFacts,
                     probes: list[Probe] | None, matcher: Any = None, crawl_settings: Any = None) -> dict[str, Any]:
    try:
        from services.checker import engine
    except ImportError as exc:
        raise EngineUnavailable(f"site check engine not installed: {exc}") from exc
    options = _supported(engine.check_site, {"indicator_set": indicator_set, "registry": facts, "probes": probes,
                                             "matcher": matcher, "settings": crawl_settings})
    return _to_json(await engine.check_site(url, now=now, **options))


async def check_account(account: dict[str, Any], *, now: datetime, indicator_set: Any,
                        matcher: Any = None) -> dict[str, Any]:
    try:
        from services.checker import engine
    except ImportError as exc:
        raise EngineUnavailable(f"account check engine not installed: {exc}") from exc
    function = getattr(engine, "check_account", None)
    if function is None:
        raise EngineUnavailable("account checks (platform adapters) are not available in this deployment")
    options = _supported(function, {"indicator_set": indicator_set, "matcher": matcher})
    return _to_json(await function(account, now=now, **options))
