"""Platform exports a reviewer uploads: .xlsx, .csv (UTF-8 or GB18030) or .json → posts (and, in JSON,
profile and entries). Column headers in Chinese or English; unknown columns are ignored."""
import csv
import io
import json
from itertools import islice
from typing import Any

from services.checker.platforms.dates import parse_moment
from services.common.files import xlsx_rows

HEADERS = {
    "published": ("published", "发布时间", "发文时间", "时间", "日期", "publish_time", "created_at"),
    "title": ("title", "标题", "内容标题", "作品标题"),
    "url": ("url", "链接", "原文链接", "地址", "link"),
    "original": ("original", "原创", "是否原创", "类型", "发文类型"),
    "text": ("text", "正文", "内容", "摘要", "content"),
    "id": ("id", "编号", "作品ID", "文章ID"),
}
REPOST_VALUES = {"否", "转发", "转载", "repost", "false", "0", "no", "n"}
MAX_ROWS = 5000
MAX_SCANNED_ROWS = 10 * MAX_ROWS  # rows past MAX_ROWS are ignored, but a workbook beyond this is refused


class ExportError(ValueError):
    pass


def _column_map(header: list[Any]) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(header):
        label = str(cell or "").strip().lower()
        for field, aliases in HEADERS.items():
            if field not in found and label in {a.lower() for a in aliases}:
                found[field] = index
    if "published" not in found or not ({"title", "text"} & found.keys()):
        raise ExportError("表头需要包含“发布时间”以及“标题”或“正文”列")
    return found


def _rows_to_posts(rows: list[list[Any]]) -> list[dict[str, Any]]:
    if not rows:
        raise ExportError("文件中没有数据")
    columns = _column_map(rows[0])
    posts = []
    for n, row in enumerate(rows[1:MAX_ROWS + 1], start=2):
        def cell(field: str) -> Any:
            i = columns.get(field)
            return row[i] if i is not None and i < len(row) else None
        if not any(c not in (None, "") for c in row):
            continue
        raw_time = cell("published")
        published = raw_time if hasattr(raw_time, "year") else parse_moment(str(raw_time) if raw_time is not None else None)
        if published is None:
            raise ExportError(f"第{n}行的发布时间无法识别：{raw_time!r}")
        if published.tzinfo is None:
            published = parse_moment(published.isoformat())
        kind = str(cell("original") or "").strip().lower()
        posts.append({"published": published.isoformat(), "title": str(cell("title") or "")[:500],
                      "url": str(cell("url") or "")[:2000] or None, "original": kind not in REPOST_VALUES,
                      "text": str(cell("text") or "")[:20000], "id": str(cell("id") or "")[:200] or None})
    return posts


def parse_export(name: str, data: bytes) -> dict[str, Any]:
    """{"posts": [...], "profile": {...}?, "entries": [...]?} from an uploaded file."""
    lower = name.lower()
    if lower.endswith(".json"):
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ExportError("JSON 文件无法解析") from exc
        if isinstance(doc, list):
            doc = {"posts": doc}
        if not isinstance(doc, dict) or not isinstance(doc.get("posts", []), list):
            raise ExportError("JSON 应为发文列表，或包含 posts 列表的对象")
        return doc
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ExportError("CSV 文件编码无法识别")
        return {"posts": _rows_to_posts(list(islice(csv.reader(io.StringIO(text)), MAX_ROWS + 1)))}
    if lower.endswith(".xlsx"):
        # Vetted and streamed (zip directory, row count) before openpyxl parses anything: 422 otherwise.
        rows = [list(r) for _, r in zip(range(MAX_ROWS + 1), xlsx_rows(data, MAX_SCANNED_ROWS))]
        return {"posts": _rows_to_posts(rows)}
    raise ExportError("只支持 .xlsx、.csv、.json 文件")
