"""The attachment tables as a workbook (openpyxl, write-only for large tables): one sheet per attachment."""
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from services.common.exports import xlsx_cell
from services.reporting.notices.models import NoticeContent
from services.reporting.notices.render_docx import COLUMNS_ACCOUNT, COLUMNS_SITE

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WIDTHS = (8, 36, 16, 12, 40)


def render_xlsx(c: NoticeContent) -> bytes:
    wb = Workbook(write_only=True)
    sheets = [("附件1 政府网站", c.attachment1_title, COLUMNS_SITE, c.site_rows),
              ("附件2 政务新媒体", c.attachment2_title, COLUMNS_ACCOUNT, c.account_rows)]
    for sheet_name, title, columns, rows in sheets:
        ws = wb.create_sheet(sheet_name)
        for letter, width in zip("ABCDE", WIDTHS, strict=True):
            ws.column_dimensions[letter].width = width

        def cell(value, bold: bool = False, border: bool = True, size: int = 11):  # noqa: ANN001, ANN202
            x = xlsx_cell(ws, value)  # names and remarks are user text: never a formula
            x.font = Font(name="仿宋_GB2312" if not bold else "黑体", bold=bold, size=size)
            x.alignment = CENTER
            if border:
                x.border = BORDER
            return x

        ws.append([cell(title, bold=True, border=False, size=14)])
        if c.check_period:
            ws.append([cell(c.check_period, border=False)])
        ws.append([cell(name, bold=True) for name in columns])
        for row in rows:
            ws.append([cell(row.no), cell(row.name), cell(row.type), cell(row.result), cell(row.remark)])
    summary = wb.create_sheet("合格率")
    summary.append(["类别", "检查数", "合格数", "不合格数", "合格率"])
    from services.reporting.notices.wording import rate
    for label, fig in (("政府网站", c.sites), ("政务新媒体", c.accounts)):
        summary.append([label, fig.checked, fig.passed, fig.failed,
                        rate(fig.passed, fig.checked, c.rate_decimals, c.rate_strip_zeros)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
