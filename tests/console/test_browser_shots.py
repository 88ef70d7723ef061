"""docs/console_screenshots.py against the tests' server: every page renders in Chromium at 1280×800,
without a JavaScript error, into a PNG of that size (the script writes docs/images the same way)."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from types import ModuleType

from host.harness import HostServer, Tenant

from console.browser import Page

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "console_screenshots.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("console_screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_the_screenshot_script_shoots_every_page(page: Page, console: HostServer, tenant: Tenant,
                                                 tmp_path: Path) -> None:
    shots = _script()
    ids = shots.populate(tenant.http)
    written = shots.shoot(page.driver, console.url, tenant.token, ids, tmp_path)
    assert [p.name for p in written] == [f"console-{n}.png" for n in (
        "sign-in", "flows", "flow", "diff", "edit", "new-flow", "pipes", "runs", "run")]
    assert {_png_size(p) for p in written} == {(1280, 800)}
    page.collect()
    documented = (SCRIPT.parent / "console.md").read_text(encoding="utf-8")
    for path in written:
        assert f"images/{path.name}" in documented, path.name
    assert f"```flow\n{shots.COUNT_UP}```" in documented  # the flow the page shows is the one shot
    page.go(f"/runs/{ids['run']}")  # the run of docs/console.md's flow: its counts, as the page describes them
    counted = {(n.get_attribute("data-kind"), n.get_attribute("data-line")): (n.get_attribute("data-count"),
                                                                              n.get_attribute("data-state"))
               for n in page.find_all("flowchart-node", "[data-count]")}
    assert counted[("loop", "4")] == ("4", "ok") and counted[("decision", "5")] == ("4", "ok")
    assert counted[("log", "6")] == ("1", "failed") and counted[("log", "8")] == ("3", "ok")
    assert counted[("return", "11")] == ("1", "ok")
