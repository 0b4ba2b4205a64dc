"""The attachment tables as a workbook (openpyxl, write-only for large tables): one sheet per attachment."""
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from services.common.exports import xlsx_cell
from services.reporting.notices.models import NoticeContent
from services.reporting.notices.render_docx import FIELD_WEIGHTS, row_values
from services.reporting.notices.models import COLUMN_FIELDS

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def render_xlsx(c: NoticeContent) -> bytes:
    wb = Workbook(write_only=True)
    sheets = [("附件1 政府网站", c.attachment1_title, c.attachment1_columns, c.site_rows, c.period_of(1)),
              ("附件2 政务新媒体", c.attachment2_title, c.attachment2_columns, c.account_rows, c.period_of(2))]
    if c.column_rows or c.columns.total:
        sheets.append(("附件3 信息公开专栏", c.columns_title, c.columns_columns, c.column_rows,
                       c.columns_period or c.check_period))
    for sheet_name, title, columns, rows, period in sheets:
        ws = wb.create_sheet(sheet_name)
        for letter, name in zip("ABCDEFGH", columns, strict=False):
            ws.column_dimensions[letter].width = round(FIELD_WEIGHTS[COLUMN_FIELDS[name]] * 0.8)

        def cell(value, bold: bool = False, border: bool = True, size: int = 11):  # noqa: ANN001, ANN202
            x = xlsx_cell(ws, value)  # names and remarks are user text: never a formula
            x.font = Font(name="仿宋_GB2312" if not bold else "黑体", bold=bold, size=size)
            x.alignment = CENTER
            if border:
                x.border = BORDER
            return x

        ws.append([cell(title, bold=True, border=False, size=14)])
        if period:
            ws.append([cell(period, border=False)])
        ws.append([cell(name, bold=True) for name in columns])
        for row in rows:
            ws.append([cell(row.no if name == "序号" else value) for name, value in zip(columns, row_values(row, columns),
                                                                                     strict=True)])
    summary = wb.create_sheet("合格率")
    summary.append(["类别", "检查数", "合格数", "不合格数", "合格率"])
    from services.reporting.notices.wording import rate
    figures = [("政府网站", c.sites), ("政务新媒体", c.accounts)] + ([("信息公开专栏", c.columns)] if c.columns.total else [])
    for label, fig in figures:
        summary.append([label, fig.checked, fig.passed, fig.failed,
                        rate(fig.passed, fig.checked, c.rate_decimals, c.rate_strip_zeros)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
