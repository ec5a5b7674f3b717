"""The GraphQL IDE page in a real headless Chromium, against the live server.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y
chromium chromium-driver``) and the ``selenium`` package. Without them the
test fails, saying what is missing: it is never skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import LiveServer, envelope, make_frame, new_session_id, send_frames

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
INSTALL_HINT = "install them with: apt-get install -y chromium chromium-driver"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).is_file()]
    if missing:
        pytest.fail(f"headless browser test needs {', '.join(missing)}: {INSTALL_HINT}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("headless browser test needs selenium: pip install -e '.[test]'")
    profile = tempfile.mkdtemp(prefix="nevr-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_ide_page_runs_a_query_against_the_live_server(server: LiveServer, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    sid = new_session_id()
    ws = server.connect(server.token("browser-agent"))
    assert all(r["success"] for r in send_frames(ws, [envelope(make_frame(sid, 7))]))
    ws.close()

    driver = browser
    wait = WebDriverWait(driver, 20)
    driver.get(server.url + "/v3/playground")
    assert "GraphQL" in driver.title
    assert driver.find_element(By.ID, "endpoint").text == "/v3/query"

    # The token is entered once; the docs panel then loads the schema by introspection.
    driver.find_element(By.ID, "token").send_keys(server.token("browser-user"))
    driver.find_element(By.ID, "save-token").click()
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#docs h3").text == "Query")
    assert "lobbySessions" in driver.find_element(By.ID, "docs").text

    query = driver.find_element(By.ID, "query")
    query.clear()
    query.send_keys(
        "query One($id: ID!) { sessionEvents(lobbySessionId: $id) "
        "{ totalCount edges { node { userId frame { frameIndex session { gameStatus } } } } } }"
    )
    variables = driver.find_element(By.ID, "variables")
    variables.clear()
    variables.send_keys(json.dumps({"id": sid.upper()}))
    driver.find_element(By.ID, "run").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text.startswith("200"))
    result = json.loads(driver.find_element(By.ID, "result").text)
    assert result == {
        "data": {
            "sessionEvents": {
                "totalCount": 1,
                "edges": [
                    {
                        "node": {
                            "userId": "browser-agent",
                            "frame": {"frameIndex": 7, "session": {"gameStatus": "pre_match"}},
                        }
                    }
                ],
            }
        }
    }

    # After a reload the token is still there; Ctrl-Enter runs the query.
    driver.refresh()
    assert driver.find_element(By.ID, "token").get_attribute("value")
    query = driver.find_element(By.ID, "query")
    query.clear()
    query.send_keys("{ health { status } }")
    query.send_keys(Keys.CONTROL, Keys.ENTER)
    wait.until(lambda d: '"healthy"' in d.find_element(By.ID, "result").text)
    assert json.loads(driver.find_element(By.ID, "result").text) == {
        "data": {"health": {"status": "healthy"}}
    }
