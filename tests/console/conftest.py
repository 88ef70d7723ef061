"""Fixtures of the console tests: one real `flowlang serve`, one real Chromium, a fresh project per test.

`console` is the server (tests/host/harness.py); `tenant` a new project with a token and an API client;
`page` the browser with its cookies cleared, failing the test on any JavaScript console error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from host.harness import HostServer, Tenant, start_server

from console.browser import Page, missing, open_browser


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostServer]:
    with start_server(tmp_path_factory.mktemp("console")) as server:
        yield server


@pytest.fixture
def tenant(console: HostServer) -> Tenant:
    return console.tenant()


@pytest.fixture(scope="session")
def driver() -> Iterator[Any]:
    reason = missing()
    if reason:
        pytest.skip(f"no browser for the console tests: {reason}")
    with open_browser() as found:
        yield found


@pytest.fixture
def page(driver: Any, console: HostServer) -> Iterator[Page]:
    # on the console's origin, so its cookies can go; a page that names its icon (an SVG document does
    # not, so Chromium asked for /favicon.ico, and its late 404 failed whichever test came first)
    driver.get(console.url + "/login")
    driver.delete_all_cookies()
    browser = Page(driver, console.url)
    browser.collect()
    browser.errors.clear()
    yield browser
    browser.collect()
    assert browser.errors == [], f"JavaScript console errors: {browser.errors}"
