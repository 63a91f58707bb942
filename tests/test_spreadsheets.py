import tablib

from states.spreadsheets import make_dataset_safe, spreadsheet_safe


def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe():
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("+63 2 555") == "'+63 2 555"
    assert spreadsheet_safe("-5") == "'-5"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("Philippines") == "Philippines"
    assert spreadsheet_safe(None) == ""


def test_a_whole_dataset_is_made_safe_and_keeps_its_headers():
    dataset = tablib.Dataset(["=cmd", "fine"], headers=["a", "b"])
    make_dataset_safe(dataset)
    assert dataset.headers == ["a", "b"]
    assert dataset[0] == ("'=cmd", "fine")
