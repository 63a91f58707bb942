"""Every public page is valid HTML by the Nu HTML checker (the W3C's
validator), run with Java on the pages as the site serves them. `make vnu`
fetches the checker; without it or Java the test is skipped locally (never in
CI, which fetches both)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

VNU_JAR = Path(os.environ.get("VNU_JAR", settings.BASE_DIR / ".venv" / "vnu" / "vnu.jar"))
PAGES = [
    "/",
    "/?map=position&view=west_asia",
    "/states/",
    "/states/?status=state_party&sort=-position",
    "/states/PHL/",
    "/states/MYS/",
    "/compare/?states=PHL,IDN,MYS",
    "/convention/",
    "/next-steps/",
    "/alerts/",
    "/alerts/?states=PHL",
    "/alerts/privacy/",
    "/ar/alerts/sent/",
    "/changes/",
    "/about/",
    "/accessibility/",
    "/data/",
    "/corrections/new/?state=PHL",
    "/embed/map/",
    "/embed/figure/rome-statute-parties/",
    "/embed/state/PHL/",
    "/ar/",
    "/th/states/PHL/",
    "/id/convention/",
    "/changes/feed/",  # as a browser asks for it: the page saying how to follow the feed
    "/ar/states/PHL/feed/",
]


@pytest.fixture
def checker():
    java = shutil.which("java")
    if not java or not VNU_JAR.exists():
        if os.environ.get("CI"):
            pytest.fail("the Nu HTML checker needs Java and .venv/vnu/vnu.jar (make vnu); .ci/run provides both")
        pytest.skip("no Java or no Nu HTML checker (make vnu)")
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


def test_every_public_page_is_valid_html(client, db, tmp_path, checker):
    files = []
    for number, path in enumerate(PAGES):
        response = client.get(path, headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), path
        page = tmp_path / f"page-{number}.html"
        page.write_bytes(response.content)
        files.append((page, path))
    result = subprocess.run([*checker, *(str(page) for page, _path in files)], capture_output=True, text=True)
    by_file = {str(page): path for page, path in files}
    errors = [
        f"{by_file.get(message['url'].removeprefix('file:'), message['url'])}: line {message.get('lastLine')}: "
        f"{message['message']}"
        for message in json.loads(result.stderr or '{"messages": []}')["messages"]
        if message["type"] == "error"
    ]
    assert errors == []
