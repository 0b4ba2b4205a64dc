"""An inspection's results with their findings as one workbook: one row per active finding (a target
without findings gets one row with its verdict), for the office's own follow-up in a spreadsheet.
Written through services/common/exports.py, so no cell is ever a formula."""
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from services.checker.indicators.labels import indicator_name
from services.checker.inspections.models import Finding, Inspection, InspectionResult, ResultStatus, TargetKind, Verdict
from services.common.clock import to_beijing
from services.common.exports import write_xlsx

HEADERS = ["序号", "检查对象", "类型", "网址或平台", "责任单位", "检查结论", "得分", "问题", "严重程度", "问题描述",
           "发现次数", "证据链接", "首次发现（北京时间）"]
KIND = {TargetKind.site: "政府网站", TargetKind.account: "政务新媒体"}
SEVERITY = {"veto": "单项否决", "deduct": "扣分"}


def _verdict(row: InspectionResult) -> str:
    if row.status == ResultStatus.error:
        return "未能完成检查"
    return {Verdict.pass_: "合格", Verdict.fail: "不合格"}.get(row.verdict, "—")  # type: ignore[arg-type]


def _when(value: datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return ""
    return f"{to_beijing(value):%Y-%m-%d %H:%M}"


def first_seen(finding: Finding, checked_at: datetime) -> Any:
    """The earliest observation the evidence cites (the monitoring ledger's first sighting travels as
    `first_seen` in the finding's data when the inspection read it), else when the check ran."""
    seen = [e.get("observed_at") for e in finding.evidence if e.get("observed_at")]
    seen += [(finding.data or {}).get(k) for k in ("first_seen_at", "first_seen") if (finding.data or {}).get(k)]
    moments = [m for m in (_parse(v) for v in seen) if m is not None]
    return min(moments) if moments else checked_at


def _parse(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def rows(session: Session, inspection: Inspection, unit_names: dict[str, str]) -> list[list[Any]]:
    results = session.exec(select(InspectionResult).where(InspectionResult.inspection_id == inspection.id)
                           .order_by(InspectionResult.name, InspectionResult.id)).all()
    findings: dict[int, list[Finding]] = {}
    for f in session.exec(select(Finding).where(Finding.inspection_id == inspection.id, ~Finding.dismissed)
                          .order_by(Finding.id)).all():
        findings.setdefault(f.result_id, []).append(f)
    out: list[list[Any]] = []
    for result in results:
        unit = unit_names.get(result.org_path, "")
        base = [result.name, KIND.get(TargetKind(result.kind), ""), result.url or "", unit, _verdict(result),
                result.score if result.score is not None else ""]
        own = findings.get(result.id, [])
        if not own:
            out.append([len(out) + 1, *base, "", "", "", "", "", ""])
        for f in own:
            evidence = next((e.get("url") for e in f.evidence if e.get("url")), "") or ""
            out.append([len(out) + 1, *base, indicator_name(f.indicator), SEVERITY.get(f.severity, "扣分"),
                        f.message, f.count, evidence, _when(first_seen(f, result.checked_at))])
    return out


def workbook(session: Session, inspection: Inspection, unit_names: dict[str, str]) -> bytes:
    return write_xlsx("检查结果", HEADERS, rows(session, inspection, unit_names))
