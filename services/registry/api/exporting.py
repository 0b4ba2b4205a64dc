"""File responses for exports."""
from datetime import datetime
from enum import StrEnum

from fastapi.responses import Response
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from services.common.clock import file_stamp
from services.common.files import download_headers

from services.registry.filings.models import SubjectKind
from services.registry.imports.service import EXPORTS
from services.registry.imports.tables import write_csv, write_xlsx

EXPORT_LIMIT = 100_000


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"


MEDIA = {ExportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ExportFormat.csv: "text/csv; charset=utf-8"}


def export_response(session: Session, kind: SubjectKind, query: SelectOfScalar, fmt: ExportFormat,
                    title: str, now: datetime | None = None) -> Response:
    headers, to_rows = EXPORTS[kind]
    rows = to_rows(session, session.exec(query.order_by("id").limit(EXPORT_LIMIT)))
    body = write_xlsx(title, headers, rows) if fmt == ExportFormat.xlsx else write_csv(headers, rows)
    filename = f"{title}-{file_stamp(now)}.{fmt.value}"  # Beijing time, as the user reads it
    return Response(body, media_type=MEDIA[fmt],
                    headers=download_headers(filename))
