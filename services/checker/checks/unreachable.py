"""Homepage availability over the monitoring window (a series of probes, or one at the time point)."""
from datetime import timedelta

from services.checker.checks.base import CheckContext, aware, failure_text, iso
from services.checker.model import Evidence, Finding, Probe, SiteSnapshot

CODE = "unreachable"
MAX_EVIDENCE = 10


def _describe(probe: Probe) -> str:
    if probe.error:
        return f"访问失败（{failure_text(probe.error)}），耗时{probe.elapsed_ms}毫秒"
    return f"HTTP {probe.status}，耗时{probe.elapsed_ms}毫秒"


def check(snapshot: SiteSnapshot, ctx: CheckContext) -> list[Finding]:
    now = aware(ctx.now)
    since = now - timedelta(days=ctx.params.unreachable_window_days)
    probes = [p for p in snapshot.probes if since <= aware(p.at) <= now] or snapshot.probes
    if not probes:
        return []
    failed = [p for p in probes if not p.ok]
    ratio = len(failed) / len(probes)
    if not failed or ratio < ctx.params.unreachable_ratio:
        return []
    if len(probes) == 1:
        message = "监测时间点无法访问"
    else:
        message = f"首页不能访问比例达{ratio:.1%}（{len(failed)}/{len(probes)}次）"
    evidence = [
        Evidence(url=snapshot.homepage_url, excerpt=_describe(p), observed_at=iso(p.at),
                 snapshot=snapshot.home.snapshot_key if snapshot.home else None)
        for p in failed[:MAX_EVIDENCE]
    ]
    return [Finding(CODE, message, evidence,
                    data={"failed": len(failed), "probes": len(probes), "ratio": round(ratio, 4)})]
