"""Reading and writing .xlsx/.csv tables."""
import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook, load_workbook

from services.common.errors import ApiError
from services.common.files import XLSX, sniff


def read_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """Rows as {header: text}; .xlsx decided by content, anything else must be UTF-8 (BOM ok) or GB18030 CSV."""
    if sniff(data) == XLSX:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [["" if v is None else str(v).strip() for v in row]
                for row in workbook.worksheets[0].iter_rows(values_only=True)]
    else:
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
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ApiError(422, "file_empty", f"{filename} 没有数据行", field="file")
    headers = rows[0]
    return [dict(zip(headers, row + [""] * (len(headers) - len(row)))) for row in rows[1:]]


def write_xlsx(title: str, headers: list[str], rows: Iterable[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_csv(headers: list[str], rows: Iterable[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # BOM so Excel opens it as UTF-8
