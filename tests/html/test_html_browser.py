"""The report in a real headless browser (Chromium over WebDriver): the charts render,
nothing is logged as an error, the heatmap shows `report peak`'s numbers, the page fits
1280 px, and a full-page screenshot is saved under the test's temporary folder.

Nothing is installed here. Without Chromium and its driver the test is skipped, saying
why; under CI (CI=true) that is a failure instead, since `.ci/run` installs them.
"""

from __future__ import annotations

import os
import shutil
import struct

import pytest

from html_desks import ADMIN
from isvc.render.html_report import CHART_IDS

WIDTH = 1280


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser test must run; .ci/run installs them)")
    pytest.skip(reason)


def _find(env: str, *names: str) -> str | None:
    given = os.environ.get(env)
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (uv sync installs the dev group)")
    browser = _find("CHROME_BIN", "chromium", "chromium-browser")
    chromedriver = _find("CHROMEDRIVER", "chromedriver")
    missing = [what for what, found in (("chromium (CHROME_BIN or PATH)", browser),
                                        ("chromedriver (CHROMEDRIVER or PATH)", chromedriver))
               if found is None]
    if missing:
        _missing(f"no usable {' and no '.join(missing)}: install Debian's chromium and "
                 "chromium-driver to run the browser test")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                f"--window-size={WIDTH},900", "--hide-scrollbars"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    d.set_page_load_timeout(30)
    try:
        yield d
    finally:
        d.quit()


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_the_report_in_a_real_browser(demo, driver, tmp_path):
    out = tmp_path / "report.html"
    demo("--as", ADMIN, "report", "html", "--out", out)
    peak = demo.json("--as", ADMIN, "report", "peak", "--since", "90d")

    driver.set_window_size(WIDTH, 900)
    driver.get(out.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"

    # every chart is an SVG the browser laid out
    boxes = driver.execute_script(
        "return arguments[0].map(id => { const e = document.getElementById(id);"
        " if (!e) return null; const r = e.getBoundingClientRect();"
        " return [e.tagName.toLowerCase(), r.width, r.height, e.querySelectorAll('*').length]; })",
        list(CHART_IDS))
    for chart_id, box in zip(CHART_IDS, boxes):
        assert box is not None, chart_id
        tag, width, height, parts = box
        assert tag == "svg" and width > 200 and height > 100 and parts > 10, (chart_id, box)

    # the heatmap: 7 x 24 cells, each showing what `report peak` counted
    cells = driver.execute_script(
        "return Array.from(document.querySelectorAll('#chart-peak rect[data-count]'))"
        ".map(r => [+r.dataset.weekday, +r.dataset.hour, +r.dataset.count,"
        " r.getBBox().width > 0, !!r.querySelector('title')])")
    assert len(cells) == 168
    shown = [[None] * 24 for _ in range(7)]
    for weekday, hour, count, drawn, titled in cells:
        assert drawn and titled
        shown[weekday][hour] = count
    assert shown == peak["cells"]
    assert sum(map(sum, shown)) == peak["total"] > 0

    # nothing went wrong in the console (a blocked load or a script error would be SEVERE)
    logs = driver.get_log("browser")
    assert not [e for e in logs if e["level"] == "SEVERE"], logs

    # 1280 px wide: no horizontal scrolling
    widths = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " document.body.scrollWidth]")
    assert widths[0] <= widths[1] and widths[2] <= widths[1], widths

    # the reader's dark setting is followed
    light = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "media": "", "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    dark = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert light != dark and sum(int(x) for x in dark[4:-1].split(",")[:3]) < 100, (light, dark)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})

    # a full-page screenshot
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, height)
    shot = tmp_path / "report.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 50_000
    w, h = _png_size(shot)
    assert w >= WIDTH - 20 and h >= min(height, 2000) - 20, (w, h, height)
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
