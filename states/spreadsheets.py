"""Exports that open safely in a spreadsheet.

A cell that starts with =, +, - or @ would run as a formula in Excel or
LibreOffice (CSV injection). Such cells get a leading apostrophe, which the
spreadsheet shows as text. Used by the public CSV and the admin's exports.
"""

FORMULA_STARTS = ("=", "+", "-", "@")


def spreadsheet_safe(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def make_dataset_safe(dataset):
    """Apply ``spreadsheet_safe`` to every cell of a tablib dataset, in place."""
    rows = [[spreadsheet_safe(cell) for cell in row] for row in dataset]
    del dataset[:]
    for row in rows:
        dataset.append(row)
