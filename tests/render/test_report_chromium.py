"""The sample season's report in headless Chromium, at a laptop's width (1366 px) and a phone's (412 px).

And at 360 px, a small phone. Measured from the rendered page, not guessed: the page must not scroll
sideways (nothing sticks out of the viewport) and no text, in the HTML or in
a chart, may be smaller than ``MIN_TEXT_PX`` CSS pixels. HTML text is
measured by its computed font size; chart text from the SVG the browser
chose (``currentSrc``) at the width the browser laid it out.

Chromium is found as ``$RUNTWITCH_CHROMIUM``, ``chromium``,
``chromium-browser`` or ``google-chrome``. Without it the test fails when the
``CI`` environment variable is set (``.ci/run`` installs Debian's
``chromium``), and is skipped otherwise.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import runtwitch
from runtwitch.render import to_html
from runtwitch.render.charts import MIN_TEXT_PX
from tests.conftest import ROOT

#: Widths [CSS px] the report is checked at: a common laptop, a common phone and a small phone.
WIDTHS = (1366, 412, 360)

#: The page that measures the report: the report in a frame as wide as the screen it stands for
#: (a window cannot be narrower than 500 px, a frame can), measured once it has loaded.
MEASURE = """<!doctype html><html><head><meta charset='utf-8'></head><body style='margin:0'>
<iframe id='report' style='border:0;width:WIDTHpx;height:900px' srcdoc="REPORT"></iframe>
<script>
document.getElementById('report').addEventListener('load', (event) => {
  const win = event.target.contentWindow, document = win.document, getComputedStyle = win.getComputedStyle;
  const vw = document.documentElement.clientWidth;
  const out = {viewport: vw, scrollWidth: document.documentElement.scrollWidth,
               outside: [], text: [], images: []};
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5)) {
      out.outside.push(`${el.tagName} ${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  const walk = document.createTreeWalker(document.body, win.NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walk.nextNode())) {
    const el = node.parentElement;
    if (!node.textContent.trim() || el.tagName === 'SCRIPT' || !el.getClientRects().length) continue;
    out.text.push([parseFloat(getComputedStyle(el).fontSize), node.textContent.trim().slice(0, 60)]);
  }
  for (const img of document.images) {
    out.images.push({width: img.getBoundingClientRect().width, fromImg: img.currentSrc === img.src,
                     alt: img.alt});
  }
  const pre = window.document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify(out);
  window.document.body.appendChild(pre);
});
</script></body></html>"""


def chromium() -> str | None:
    """The Chromium executable, or None."""
    named = os.environ.get("RUNTWITCH_CHROMIUM")
    if named:
        return named
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


@pytest.fixture(scope="module")
def browser() -> str:
    exe = chromium()
    if exe is None:
        message = ("headless Chromium is needed to check the report's layout: install Debian's `chromium` "
                   "(.ci/run does) or set RUNTWITCH_CHROMIUM")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return exe


@pytest.fixture(scope="module")
def page() -> str:
    s = ROOT / "sample_data"
    return to_html(runtwitch.analyze([s], diary=s / "diary.csv", athlete=s / "athlete.toml", progress=False))


def _figures(page: str) -> list[tuple[str | None, str]]:
    """(phone source or None, laptop source) of each chart, in page order."""
    out = []
    for fig in re.findall(r"<picture>(.*?)</picture>", page, flags=re.S):
        source = re.search(r"srcset='([^']+)'", fig)
        out.append((source.group(1) if source else None, re.search(r"src='([^']+)'", fig).group(1)))
    return out


def _svg_text_px(uri: str, shown_width: float) -> tuple[float, int]:
    """Smallest font [CSS px] of an SVG data URI shown ``shown_width`` px wide, and its text count."""
    svg = base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")
    view_width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) ', svg).group(1))
    sizes = [float(x) for x in re.findall(r"<text[^>]*font-size: ([\d.]+)px", svg)]
    assert "<path" in svg and sizes, "chart text must stay text in the SVG"
    return min(sizes) * shown_width / view_width, len(sizes)


def _measure(browser: str, page: str, width: int, tmp: Path) -> dict:
    path = tmp / f"report-{width}.html"
    framed = page.replace("&", "&amp;").replace('"', "&quot;")
    path.write_text(MEASURE.replace("WIDTH", str(width)).replace("REPORT", framed), encoding="utf-8")
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           f"--user-data-dir={tmp / f'profile-{width}'}", f"--window-size={width + 40},900",
           "--virtual-time-budget=20000", "--dump-dom", path.as_uri()]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r"<pre id=\"measured\">(.*?)</pre>", out.stdout, flags=re.S)
    assert found, f"Chromium printed no measurement (exit {out.returncode}): {out.stderr[-800:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
                      .replace("&amp;", "&"))


@pytest.mark.parametrize("width", WIDTHS)
def test_report_fits_and_is_legible_in_chromium(browser: str, page: str, width: int, tmp_path: Path) -> None:
    m = _measure(browser, page, width, tmp_path)
    assert m["viewport"] == width
    assert m["scrollWidth"] <= m["viewport"], f"the page scrolls sideways at {width} px"
    assert not m["outside"], f"elements stick out of the {width} px viewport: {m['outside'][:5]}"
    small = [(size, text) for size, text in m["text"] if size < MIN_TEXT_PX]
    assert not small, f"HTML text under {MIN_TEXT_PX} px at {width} px: {small[:5]}"
    figures = _figures(page)
    assert len(figures) == len(m["images"]) > 2
    for (narrow, wide), img in zip(figures, m["images"], strict=True):
        assert img["alt"]
        uri = wide if img["fromImg"] else narrow
        assert uri is not None
        smallest, n = _svg_text_px(uri, img["width"])
        assert smallest >= MIN_TEXT_PX, f"'{img['alt'][:50]}' has text of {smallest:.1f} px at {width} px"
        assert n > 3
    assert any(not img["fromImg"] for img in m["images"]) == (width <= 640)  # the phone's drawing on a phone
