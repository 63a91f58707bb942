"""Spreadsheets in and out: exports that open safely, imports within bounds.

A cell that starts with =, +, -, @, a tab or a carriage return would run as a
formula in Excel or LibreOffice (CSV injection). Such cells, and cells that
already start with an apostrophe, get a leading apostrophe, which the
spreadsheet shows as text; an import takes one apostrophe off again, so an
exported file imports back unchanged. Used by the public CSV and the admin.

An upload is refused, before it is parsed, above MAX_IMPORT_BYTES or
its sheet's row limit: rows are counted as a stream, whatever the line endings,
stopping just past the limit. An XLSX (a zip) is unpacked with a counter
first, so a zip bomb stops at MAX_XLSX_UNPACKED_BYTES instead of filling the
memory.
"""

import csv
import io
import zipfile

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

MAX_IMPORT_BYTES = 5 * 1024 * 1024
# An import runs in the request, twice (preview, confirmation). Facts, new or
# changed, are checked and saved in bulk (see states.resources): 5,000 rows
# take seconds. Sheets saved row by row, as a form saves each (treaty
# actions, each checked against the state's others; states, treaties,
# sources), take about 25 ms a row on PostgreSQL, so their limit is lower.
# An import still running after IMPORT_TIME_LIMIT seconds stops and is undone
# whole with a message, well before gunicorn's 30 s timeout would kill the worker.
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_ROWS_ONE_BY_ONE = 300
IMPORT_TIME_LIMIT = 20
# The import preview shows this many rows, with their changes
# (templates/admin/states/import.html says the same number).
PREVIEW_ROWS = 100
MAX_XLSX_UNPACKED_BYTES = 40 * 1024 * 1024


def spreadsheet_safe(value):
    text = "" if value is None else str(value)
    return ESCAPE + text if text.startswith((*FORMULA_STARTS, ESCAPE)) else text


def from_spreadsheet(value):
    """Undo ``spreadsheet_safe`` on an imported cell."""
    return value[1:] if isinstance(value, str) and value.startswith(ESCAPE) else value


def make_dataset_safe(dataset):
    """Apply ``spreadsheet_safe`` to every cell of a tablib dataset, in place."""
    rows = [[spreadsheet_safe(cell) for cell in row] for row in dataset]
    del dataset[:]
    for row in rows:
        dataset.append(row)


def check_import_file(upload, row_limit=MAX_IMPORT_ROWS):
    """Raise ValidationError, in words, if an uploaded CSV or XLSX is too big
    to import (more than ``row_limit`` rows); leaves the file at its start.
    Nothing is parsed here."""
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(
            _("This file is %(size).1f MB; files up to %(limit)d MB can be imported. Split it into smaller files.")
            % {"size": upload.size / 1024 / 1024, "limit": MAX_IMPORT_BYTES // 1024 // 1024}
        )
    upload.seek(0)
    is_zip = upload.read(4) == b"PK\x03\x04"
    upload.seek(0)
    try:
        if is_zip:
            check_unpacked_size(upload)
            rows = count_xlsx_rows(upload, row_limit)
        else:
            rows = count_csv_rows(upload, row_limit)
    finally:
        upload.seek(0)
    if rows > row_limit:
        raise ValidationError(
            _(
                "This file has more than %(limit)s rows; up to %(limit)s can be imported at once. "
                "Split it into smaller files."
            )
            % {"limit": f"{row_limit:,}"}
        )


def count_csv_rows(upload, row_limit):
    """The CSV's rows below its header, whatever its line endings (a file with
    carriage returns alone is as many rows as one with CRLF), stopping just
    past the limit. Only counted: nothing is kept."""
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", errors="replace", newline="")
    try:
        rows = -1  # the header
        for rows, _row in enumerate(csv.reader(text), start=0):
            if rows > row_limit:
                break
        return max(rows, 0)
    except csv.Error:
        raise ValidationError(_("This file is not a readable CSV file.")) from None
    finally:
        text.detach()  # leaves the upload open for the import itself


def count_xlsx_rows(upload, row_limit):
    """The first sheet's rows below its header, read as a stream (openpyxl's
    read-only mode, which never holds the sheet in memory), stopping just past
    the limit; the sheet's own claim of its size is not trusted."""
    try:
        workbook = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a malformed file
        raise ValidationError(_("This file is not a readable XLSX spreadsheet.")) from None
    try:
        rows = -1
        for rows, _row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=0):
            if rows > row_limit:
                break
        return max(rows, 0)
    finally:
        workbook.close()


def check_unpacked_size(upload):
    """Unpack every part of an XLSX with a counter, stopping at the limit."""
    unpacked = 0
    try:
        with zipfile.ZipFile(upload) as archive:
            for member in archive.infolist():
                with archive.open(member) as part:
                    while chunk := part.read(1024 * 1024):
                        unpacked += len(chunk)
                        if unpacked > MAX_XLSX_UNPACKED_BYTES:
                            raise ValidationError(
                                _(
                                    "This spreadsheet unpacks to more than %(limit)d MB, far more than any "
                                    "import needs; it was not read."
                                )
                                % {"limit": MAX_XLSX_UNPACKED_BYTES // 1024 // 1024}
                            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError):
        raise ValidationError(_("This file is not a readable XLSX spreadsheet.")) from None
    finally:
        upload.seek(0)


def too_many_rows(count, row_limit):
    return ValidationError(
        _("This file has %(count)s rows; up to %(limit)s can be imported at once. Split it into smaller files.")
        % {"count": f"{count:,}", "limit": f"{row_limit:,}"}
    )
