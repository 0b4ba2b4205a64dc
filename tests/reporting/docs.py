"""Reading rendered files back (what a recipient sees)."""
import io

from docx import Document
from openpyxl import load_workbook


def docx_text(data: bytes) -> str:
    """One line a paragraph (a title's line breaks fall between its words: joined back)."""
    return "\n".join(p.text.replace("\n", "") for p in Document(io.BytesIO(data)).paragraphs)


def docx_tables(data: bytes) -> list[list[tuple[str, ...]]]:
    return [[tuple(c.text for c in row.cells) for row in t.rows] for t in Document(io.BytesIO(data)).tables]


def xlsx_sheets(data: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [tuple(v for v in row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
