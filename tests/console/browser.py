"""A real Chromium for the console tests: Debian's `chromium` driven by `chromium-driver` through Selenium.

`open_browser()` starts it headless in a fresh profile; `Page` wraps the driver with the few steps the tests
use and collects the JavaScript console, so that any console error fails the test that caused it.
`missing()` says why no browser can run here (the tests then skip, saying so).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         "--window-size=1280,800"]


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    for path, package in ((shutil.which("chromium") or CHROMIUM, "chromium"),
                          (shutil.which("chromedriver") or DRIVER, "chromium-driver")):
        if not shutil.which(path):
            return f"{package} is not installed (apt-get install -y chromium chromium-driver)"
    return None


@contextmanager
def open_browser() -> Iterator[Any]:
    """A headless Chromium in a fresh profile, closed (and its profile removed) at the end."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="flowlang-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(shutil.which("chromedriver") or DRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _gone(element: Any) -> bool:
    """The element left the document (the page it was on was replaced by the next one)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:  # chromedriver's own words for the same, now and then
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


class Page:
    """The browser on one console (`base` URL), with console-error bookkeeping."""

    def __init__(self, driver: Any, base: str) -> None:
        self.driver = driver
        self.base = base
        self.errors: list[str] = []

    def go(self, path: str) -> None:
        self.driver.get(self.base + path)
        self.collect()

    def collect(self) -> list[dict[str, Any]]:
        """The console entries since the last call; SEVERE ones are remembered as errors."""
        entries: list[dict[str, Any]] = self.driver.get_log("browser")
        self.errors.extend(e["message"] for e in entries if e.get("level") == "SEVERE")
        return entries

    def allow_status_error(self, status: int) -> None:
        """Forget the console's "Failed to load resource: … status of N" for an answer a test expects."""
        self.collect()
        self.errors = [e for e in self.errors if f"status of {status}" not in e]

    def find(self, testid: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def find_all(self, testid: str, extra: str = "") -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]{extra}'))

    def click(self, testid: str) -> None:
        """Click a button or link that loads another page, and wait until that page has loaded."""
        self.submit(self.find(testid))

    def submit(self, element: Any) -> None:
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        old = self.driver.find_element(By.TAG_NAME, "html")
        try:
            element.click()
        except WebDriverException as exc:  # chromedriver may report the page it clicked away from as gone
            if "does not belong to the document" not in str(exc):
                raise
        WebDriverWait(self.driver, 20).until(lambda d: _gone(old))
        WebDriverWait(self.driver, 20).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
        self.collect()

    def type(self, testid: str, text: str, *, clear: bool = True) -> None:
        """Type into a field; found again when Chromium says the element it had left the document."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

        for attempt in range(3):
            try:
                box = self.find(testid)
                if clear:
                    box.clear()
                box.send_keys(text)
                return
            except (StaleElementReferenceException, WebDriverException) as exc:
                if attempt == 2 or "document" not in str(exc):
                    raise

    def sign_in(self, token: str) -> None:
        self.go("/login")
        self.type("token", token)
        self.click("sign-in")

    def path(self) -> str:
        url: str = self.driver.current_url
        return url[len(self.base):] if url.startswith(self.base) else url

    def script(self, code: str, *args: Any) -> Any:
        return self.driver.execute_script(code, *args)
