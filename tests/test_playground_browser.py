"""The GraphiQL page in a real headless Chromium, against the live server.

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
from typing import Any

import pytest

from tests.conftest import _store_url, new_database_name
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
    # Every request the browser makes, to check that none leaves the server.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    # CSP violations are collected from the first script on each page.
    driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        },
    )
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# Read and set GraphiQL's CodeMirror editors through their own API.
EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
RESULT_EDITOR = "document.querySelector('.result-window .CodeMirror').CodeMirror"
RESULT = RESULT_EDITOR + ".getValue()"


def requested_urls(driver: Any) -> list[str]:
    """URLs of the requests sent since the last call (from Chromium's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def open_ide(driver: Any, url: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script(
            "return !!document.querySelector('.graphiql-query-editor .CodeMirror')"
        )
    )


def run_query(driver: Any, text: str) -> dict[str, Any]:
    """Puts ``text`` in the query editor, presses GraphiQL's run button, returns the result."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # The result pane is emptied first: an earlier result could be the same text.
    driver.execute_script(f"{EDITOR}.setValue(arguments[0]); {RESULT_EDITOR}.setValue('')", text)
    driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    WebDriverWait(driver, 20).until(lambda d: d.execute_script(f"return {RESULT}"))
    return json.loads(driver.execute_script(f"return {RESULT}"))


def test_graphiql_runs_queries_offline_against_the_live_server(server: LiveServer, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    sid = new_session_id()
    ws = server.connect(server.token("browser-agent"))
    assert all(r["success"] for r in send_frames(ws, [envelope(make_frame(sid, 7))]))
    ws.close()

    driver = browser
    wait = WebDriverWait(driver, 20)
    token = server.token("browser-user")
    requested_urls(driver)  # drop what came before
    # The token in the address is kept, then removed from the address bar.
    open_ide(driver, f"{server.url}/v3/playground?token={token}")
    assert "GraphiQL" in driver.title
    assert "token=" not in driver.current_url
    assert driver.current_url == server.url + "/v3/playground"
    assert driver.find_element(By.ID, "token").get_attribute("value") == token

    # The default query runs on a fresh server.
    wait.until(lambda d: d.execute_script(f"return {EDITOR}.getValue()").strip())
    assert "health" in driver.execute_script(f"return {EDITOR}.getValue()")
    result = run_query(driver, driver.execute_script(f"return {EDITOR}.getValue()"))
    assert result["data"]["health"]["status"] == "healthy"

    # Autocompletion from the introspected schema.
    driver.execute_script(f"{EDITOR}.setValue(''); {EDITOR}.focus()")
    driver.find_element(By.CSS_SELECTOR, ".graphiql-query-editor textarea").send_keys("{ hea")
    wait.until(
        lambda d: (
            "health"
            in [
                e.text
                for e in d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints .CodeMirror-hint")
            ]
        )
    )

    # A query with data from the store.
    result = run_query(driver, f'{{ lobbySession(id: "{sid.upper()}") {{ id frameCount }} }}')
    assert result == {"data": {"lobbySession": {"id": sid.lower(), "frameCount": 1}}}

    # The docs explorer lists the root fields.
    driver.find_element(By.CSS_SELECTOR, "button[aria-label='Show Documentation Explorer']").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".graphiql-doc-explorer a"))
    driver.find_element(
        By.XPATH, "//div[contains(@class,'graphiql-doc-explorer')]//a[text()='Query']"
    ).click()
    wait.until(
        lambda d: "lobbySession" in d.find_element(By.CSS_SELECTOR, ".graphiql-doc-explorer").text
    )

    # A bad token: the server's 401 is shown in the result pane.
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token[:-3] + "abc")
    driver.find_element(By.ID, "save-token").click()
    result = run_query(driver, "{ health { status } }")
    assert result["status"] == 401 and "token" in result["error"]

    # A header typed in GraphiQL's Headers editor is sent, and wins over the field.
    driver.find_element(By.XPATH, "//button[normalize-space()='Headers']").click()
    headers = "document.querySelector('.graphiql-editor-tool :not(.hidden) > .CodeMirror')"
    wait.until(lambda d: d.execute_script(f"return !!{headers}"))
    driver.execute_script(
        f"{headers}.CodeMirror.setValue(arguments[0])",
        json.dumps({"Authorization": f"Bearer {token}"}),
    )
    assert run_query(driver, "{ health { status } }") == {"data": {"health": {"status": "healthy"}}}

    # No request went to another origin, and the CSP was never violated.
    urls = requested_urls(driver)
    assert any(u.endswith("/v3/query") for u in urls)
    assert [u for u in urls if not u.startswith((server.url + "/", "data:"))] == []
    assert driver.execute_script("return window.__csp") == []


@pytest.fixture(scope="module")
def open_server(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory
) -> Iterator[LiveServer]:
    """AUTH=none: the page needs no token."""
    url = _store_url(request, backend, tmp_path_factory.mktemp("store"))
    live = LiveServer(url, new_database_name("nevr_ide"), JWT_SECRET="", AUTH="none").start()
    yield live
    live.stop()


def test_graphiql_works_without_a_token_under_auth_none(open_server: LiveServer, browser) -> None:
    driver = browser
    open_ide(driver, open_server.url + "/v3/graphiql")
    assert driver.execute_script("return localStorage.getItem('nevr-events.token')") is None
    assert run_query(driver, "{ health { status } }") == {"data": {"health": {"status": "healthy"}}}
