"""Reading and writing .xlsx/.csv tables.

Reading streams: the header row is checked before any data row is read, and the rows stop at the row
limit (`GOVWATCH_IMPORT_MAX_ROWS`) with a 422 before the rest is parsed; an .xlsx is vetted first
(services/common/files.py: `xlsx_rows`). Writing: services/common/exports.py (no cell becomes a formula).
"""
import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from services.common.errors import ApiError
from services.common.exports import restore
from services.common.exports import write_csv as _write_csv
from services.common.exports import write_xlsx as _write_xlsx
from services.common.files import MAX_COLUMNS, XLSX, sniff, too_many_rows, xlsx_rows
from services.common.settings import get_settings


def _xlsx_rows(data: bytes, limit: int) -> Iterator[list[str]]:
    for row in xlsx_rows(data, limit):
        yield [restore("" if v is None else str(v).strip()) for v in row]


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if b"\x00" in data[:4096]:
        raise ApiError(415, "file_type_not_allowed", "只接受 .xlsx 或 .csv 文件", field="file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ApiError(422, "bad_encoding", "CSV 文件编码无法识别（请使用 UTF-8 或 GBK）", field="file")
    try:
        for row in csv.reader(io.StringIO(text)):
            yield [restore(c.strip()) for c in row[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise ApiError(422, "file_invalid", "CSV 文件格式有误，无法读取", field="file") from exc


def read_table(data: bytes, filename: str, required: list[str],
               max_rows: int | None = None) -> list[dict[str, str]]:
    """Rows as {header: text}; .xlsx decided by content, anything else must be UTF-8 (BOM ok) or GB18030 CSV.
    The header (first non-empty row) must hold `required`; 422 when it does not, when there is no data
    row, or when more than `max_rows` rows follow the header (blank ones count: they cost parsing too)."""
    limit = max_rows or get_settings().import_max_rows
    rows = _xlsx_rows(data, limit) if sniff(data) == XLSX else _csv_rows(data)
    header = next((r for r in rows if any(r)), None)
    while header and not header[-1]:  # openpyxl pads rows to the sheet's width
        header.pop()
    if header is None:
        raise ApiError(422, "file_empty", f"{filename} 没有内容", field="file")
    missing = [h for h in required if h not in header]
    if missing:
        raise ApiError(422, "import_headers", f"缺少表头: {', '.join(missing)}", field="file", missing=missing)
    table: list[dict[str, str]] = []
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise too_many_rows(limit)
        if any(row):
            table.append(dict(zip(header, row + [""] * (len(header) - len(row)))))
    if not table:
        raise ApiError(422, "import_no_rows", "文件中没有数据行（只有表头）", field="file")
    return table


def write_xlsx(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    return _write_xlsx(title, headers, rows)


def write_csv(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    return _write_csv(headers, rows)
