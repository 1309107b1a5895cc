"""Every rendered page as a person sees it: opened in headless Chromium with no network.

For index.html and every area's report.html: no console errors, no failed or blocked
requests, every image decoded, described (alt) and shown at its natural size (on screen
and laid out for A4, so chart text keeps its size), every table-of-contents link landing
on a heading, `lang="sv"`, and a PDF printed on A4. A screenshot of the first screen and
the PDF of each page are kept under test-artifacts/ for a human to look at.

Needs Debian's /usr/bin/chromium and the `playwright` package (its bundled browsers are
never downloaded). Without them the tests are skipped locally; when CI is set they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CONTRACT_EXAMPLE = REPO / "tests" / "data" / "contract_example"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
A4_POINTS = (595.0, 842.0)  # 210 × 297 mm; Chromium writes 595.92 × 842.88
DEMO_AREAS = ("simba", "alingsas-lerum")
# (dataset, page relative to its output folder); the demo and the contract example.
PAGES = [
    ("demo", "index.html"),
    *(("demo", f"{area}/report.html") for area in DEMO_AREAS),
    ("contract", "index.html"),
    ("contract", "exempelby/report.html"),
]


def _missing_browser() -> str | None:
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is not installed (pip install playwright)")
    return "; ".join(missing) or None


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium; skipped locally when missing, a failure when CI is set."""
    missing = _missing_browser()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(f"browser tests need Chromium and Playwright: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def narvard(*args: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "narvard", *args], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, f"narvard {' '.join(args)}\n{run.stdout}\n{run.stderr}"


@pytest.fixture(scope="module")
def sites(browser, tmp_path_factory) -> dict[str, Path]:
    """Rendered once: two demo areas (seed 5) and the contract example (--min-cell 0)."""
    root = tmp_path_factory.mktemp("browser")
    narvard("demo-data", "--out", str(root / "demo-raw"), "--seed", "5")
    narvard(
        "report",
        "--data",
        str(root / "demo-raw"),
        "--out",
        str(root / "demo"),
        "--processed",
        str(root / "demo-processed"),
        "--areas",
        ",".join(DEMO_AREAS),
        "--jobs",
        "2",
    )
    contract = root / "contract-raw"
    shutil.copytree(CONTRACT_EXAMPLE, contract, ignore=shutil.ignore_patterns("expected.json"))
    narvard(
        "report",
        "--data",
        str(contract),
        "--out",
        str(root / "contract"),
        "--processed",
        str(root / "contract-processed"),
        "--min-cell",
        "0",
        "--jobs",
        "1",
    )
    for folder in ("screenshots", "pdf"):
        (ARTIFACTS / folder).mkdir(parents=True, exist_ok=True)
    return {"demo": root / "demo", "contract": root / "contract"}


class Offline:
    """A browser context that only loads file: and data: URLs and records everything else."""

    def __init__(self, browser):
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.console: list[str] = []
        self.context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
        self.context.set_default_timeout(30_000)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        self.page.on("requestfailed", self._request_failed)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _console(self, message) -> None:
        if message.type == "error":
            self.console.append(f"console.error: {message.text} ({message.location})")

    def _request_failed(self, request) -> None:
        if request.url not in self.blocked:
            self.failed.append(f"{request.url[:120]}: {request.failure}")

    def problems(self) -> list[str]:
        return (
            self.console
            + [f"request failed: {f}" for f in self.failed]
            + [f"network request blocked: {url}" for url in self.blocked]
        )

    def close(self) -> None:
        self.context.close()


IMAGES = """async () => Promise.all([...document.images].map(async (img) => {
  let error = null;
  try { await img.decode(); } catch (e) { error = String(e); }
  return {src: (img.getAttribute('src') || '').slice(0, 60), alt: img.getAttribute('alt'),
          width: img.naturalWidth, height: img.naturalHeight, error,
          shown: img.getBoundingClientRect().width};
}))"""

# As the HTML standard finds a fragment's element: the id as written, then percent-decoded
# (nbconvert writes heading ids percent-encoded, e.g. id="V%C3%A5rdkonsumtion-…").
TOC_TARGETS = """() => [...document.querySelectorAll('nav.narvard-toc a')].map((a) => {
  const href = a.getAttribute('href') || '';
  let id = null;
  if (href.startsWith('#')) {
    id = href.slice(1);
    if (!document.getElementById(id)) id = decodeURIComponent(id);
  }
  const target = id === null ? null : document.getElementById(id);
  return {href, id, text: a.textContent.trim(), tag: target ? target.tagName : null,
          count: id === null ? 0 : document.querySelectorAll(`[id="${CSS.escape(id)}"]`).length};
})"""


def artifact_name(dataset: str, page: str) -> str:
    return f"{dataset}-{page.removesuffix('.html').replace('/', '-')}"


def image_problems(page) -> list[str]:
    problems = []
    for image in page.evaluate(IMAGES):
        where = f"<img src={image['src']!r}…>"
        if image["error"]:
            problems.append(f"{where} does not decode: {image['error']}")
        if not image["width"] or not image["height"]:
            problems.append(f"{where} has natural size {image['width']}×{image['height']}")
        if not (image["alt"] or "").strip():
            problems.append(f"{where} has no alt text")
        if image["width"] and image["shown"] < image["width"] - 0.5:
            # a chart's type is sized for its natural size; scaled down it drops below 9 pt
            problems.append(f"{where} is shown {image['shown']:.0f} px wide of {image['width']}")
    return problems


def toc_problems(page, is_report: bool) -> list[str]:
    links = page.evaluate(TOC_TARGETS)
    if is_report and not links:
        return ["no table of contents (nav.narvard-toc a) in the report"]
    problems = []
    for link in links:
        where = f"table-of-contents link {link['text']!r} ({link['href']})"
        if link["tag"] not in ("H2", "H3"):
            problems.append(f"{where} lands on {link['tag'] or 'nothing'}, not an h2/h3")
        elif link["count"] != 1:
            problems.append(f"{where}: {link['count']} elements have that id")
    if problems:
        return problems
    # Following each link makes its heading the :target, as a reader clicking it would see.
    for index, link in enumerate(links):
        page.locator("nav.narvard-toc a").nth(index).click()
        landed = page.evaluate("() => document.querySelector(':target')?.id ?? null")
        if landed != link["id"]:
            problems.append(f"clicking {link['text']!r} lands on {landed!r}, not {link['href']}")
    return problems


def pdf_problems(pdf: bytes) -> list[str]:
    if not pdf.startswith(b"%PDF-"):
        return ["page.pdf() did not produce a PDF"]
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    if not boxes:
        return ["the PDF has no MediaBox"]
    problems = []
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box)
        size = (x1 - x0, y1 - y0)
        if any(abs(got - want) > 2 for got, want in zip(size, A4_POINTS, strict=True)):
            problems.append(f"PDF page is {size[0]:.1f}×{size[1]:.1f} pt, not A4 (595×842)")
    return problems


@pytest.mark.parametrize(("dataset", "relative"), PAGES, ids=[f"{d}:{p}" for d, p in PAGES])
def test_page_as_a_person_sees_it(browser, sites, dataset, relative):
    path = sites[dataset] / relative
    assert path.is_file(), path
    name = artifact_name(dataset, relative)
    offline = Offline(browser)
    try:
        page = offline.page
        page.goto(path.as_uri(), wait_until="load")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        problems = []
        lang = page.evaluate("() => document.documentElement.getAttribute('lang')")
        if lang != "sv":
            problems.append(f'<html lang="{lang}">, expected "sv"')
        if not page.title().strip():
            problems.append("the page has no <title>")
        problems += image_problems(page)
        is_report = relative.endswith("report.html")
        if is_report and page.locator("img").count() == 0:
            problems.append("the report shows no images (charts)")
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"{name}.png"))
        problems += toc_problems(page, is_report)
        pdf = page.pdf(format="A4", path=str(ARTIFACTS / "pdf" / f"{name}.pdf"))
        problems += pdf_problems(pdf)
        problems += offline.problems()
    finally:
        offline.close()
    assert not problems, f"{dataset}/{relative}:\n  " + "\n  ".join(problems)


def test_every_rendered_page_is_checked(sites):
    rendered = {
        (dataset, p.relative_to(out).as_posix())
        for dataset, out in sites.items()
        for p in [out / "index.html", *out.glob("*/report.html")]
    }
    assert rendered == set(PAGES)


# A4 less the 15 mm page margins of narvard.css, in CSS px: the width Chromium lays out a
# printed page at.
A4_COLUMN_PX = round((210 - 2 * 15) / 25.4 * 96)


@pytest.mark.parametrize(("dataset", "relative"), PAGES, ids=[f"{d}:{p}" for d, p in PAGES])
def test_charts_are_not_scaled_down_in_print(browser, sites, dataset, relative):
    """Laid out as printed on A4, every chart keeps its natural size, so its type keeps
    the 9 pt it was drawn with (a scaled-down image shrinks its text)."""
    offline = Offline(browser)
    try:
        page = offline.page
        page.set_viewport_size({"width": A4_COLUMN_PX, "height": 1100})
        page.emulate_media(media="print")
        page.goto((sites[dataset] / relative).as_uri(), wait_until="load")
        images = page.evaluate(IMAGES)
        shrunk = [
            f"{i['src']}…: {i['shown']:.0f} of {i['width']} px"
            for i in images
            if i["shown"] < i["width"] - 0.5
        ]
        assert not shrunk, f"{dataset}/{relative}: charts scaled down in print: {shrunk}"
    finally:
        offline.close()


@pytest.mark.parametrize("dataset", ["demo", "contract"])
def test_index_links_open_every_area_report(browser, sites, dataset):
    out = sites[dataset]
    areas = sorted(p.parent.name for p in out.glob("*/report.html"))
    names = {
        area: json.loads((out / area / "results.json").read_text(encoding="utf-8"))["area_name"]
        for area in areas
    }
    index = (out / "index.html").as_uri()
    offline = Offline(browser)
    try:
        page = offline.page
        page.goto(index, wait_until="load")
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        assert sorted(hrefs) == sorted((out / a / "report.html").as_uri() for a in areas)
        for area in areas:
            page.get_by_role("link", name=names[area], exact=True).click()
            page.wait_for_load_state("load")
            assert page.url == (out / area / "report.html").as_uri()
            assert names[area] in page.locator("h1").first.inner_text()
            page.go_back(wait_until="load")
            assert page.url == index
        assert offline.problems() == []
    finally:
        offline.close()


INJECT = """() => {
  const script = document.createElement('script');
  script.textContent = 'window.narvardInjected = 1';
  document.body.appendChild(script);
  const holder = document.createElement('div');
  holder.innerHTML = '<img src="data:image/gif;base64,x" onerror="window.narvardInjected = 2">'
    + '<a id="narvard-js" href="javascript:window.narvardInjected = 3">x</a>';
  document.body.appendChild(holder);
}"""


@pytest.mark.parametrize("relative", ["index.html", "exempelby/report.html"])
def test_page_policy_stops_script_that_slips_in(browser, sites, relative):
    """Should markup from the inputs ever reach a page unescaped, the page's
    Content-Security-Policy keeps it from running: an inserted script, event handler or
    javascript: link does nothing, and the browser reports the refusal."""
    offline = Offline(browser)
    try:
        page = offline.page
        page.goto((sites["contract"] / relative).as_uri(), wait_until="load")
        assert offline.problems() == []  # the policy blocks nothing the page itself needs
        page.evaluate(INJECT)
        page.click("#narvard-js")
        page.wait_for_timeout(200)
        assert page.evaluate("() => window.narvardInjected ?? null") is None
        assert any("Content Security Policy" in line for line in offline.console)
    finally:
        offline.close()


# The printable width of A4 with the report's @page margins (210 mm − 2 × 12 mm) in CSS px.
A4_CONTENT_PX = round((210 - 24) / 25.4 * 96)
LAPTOP = {"width": 1366, "height": 768}

PRINT_OVERFLOW = """(width) => {
  const found = [];
  const name = (el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
  for (const el of document.querySelectorAll(
      'table.narvard-table, figure.narvard-figure, img, .narvard-card, .narvard-cards')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 1 || box.left < -1)) {
      found.push(`${name(el)} spans ${Math.round(box.left)}–${Math.round(box.right)} px`);
    }
  }
  for (const cell of document.querySelectorAll('table.narvard-table td, table.narvard-table th')) {
    if (cell.scrollWidth > cell.clientWidth + 1) {
      const text = cell.textContent.trim().slice(0, 40);
      found.push(`cell "${text}" needs ${cell.scrollWidth} px of ${cell.clientWidth}`);
    }
  }
  return found;
}"""

# Visible text outside the provenance section (which names software versions such as 3.11).
VISIBLE_NUMBERS = """() => {
  const origin = [...document.querySelectorAll('h2')]
    .find((h) => h.textContent.startsWith('Ursprung'));
  const range = document.createRange();
  range.setStart(document.body, 0);
  if (origin) range.setEndBefore(origin); else range.setEndAfter(document.body.lastChild);
  const holder = document.createElement('div');
  holder.appendChild(range.cloneContents());
  holder.querySelectorAll('style, script').forEach((el) => el.remove());
  return holder.textContent;
}"""


def assert_fits_a4(page, name: str, screenshot: str) -> None:
    """Printed on A4 (print media, the A4 content width), no table, figure or card is wider
    than the page and no cell is clipped; the A4 layout is kept as a screenshot."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1100})
    problems = page.evaluate(PRINT_OVERFLOW, A4_CONTENT_PX)
    assert problems == [], f"{name} on A4:\n  " + "\n  ".join(problems[:20])
    page.screenshot(path=str(ARTIFACTS / "screenshots" / screenshot))


@pytest.mark.parametrize("dataset", ["demo", "contract"])
def test_report_reads_verdict_first_and_prints_on_a4(browser, sites, dataset):
    """As a coordinator meets it: on a 1366×768 laptop the summary heading is in the upper
    half of the first screen; a link leads back to the overview; no number is written with
    a decimal point; printed on A4 no table, figure or card is wider than the page and no
    table cell is clipped. A screenshot of the first screen and of the A4 layout are kept."""
    for page_path in sorted(sites[dataset].glob("*/report.html")):
        name = artifact_name(dataset, page_path.relative_to(sites[dataset]).as_posix())
        context = browser.new_context(viewport=LAPTOP, locale="sv-SE")
        try:
            page = context.new_page()
            page.goto(page_path.as_uri(), wait_until="load")
            top = page.evaluate(
                "() => document.getElementById('Sammanfattning').getBoundingClientRect().top"
            )
            assert top < LAPTOP["height"] / 2, f"{name}: the summary starts at {top:.0f} px"
            page.screenshot(path=str(ARTIFACTS / "screenshots" / f"{name}-laptop.png"))
            assert page.locator('a[href="../index.html"]').count() >= 1, name
            text = page.evaluate(VISIBLE_NUMBERS)
            decimals = sorted(set(re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", text)))
            assert decimals == [], f"{name}: numbers with a decimal point: {decimals[:10]}"
            assert_fits_a4(page, name, f"{name}-a4.png")
        finally:
            context.close()


@pytest.mark.parametrize("dataset", ["demo", "contract"])
def test_overview_prints_on_a4(browser, sites, dataset):
    """The overview's tables (key figures, effects per measure, the comparison with the
    published figures) fit the A4 page width with no clipped cell."""
    context = browser.new_context(viewport=LAPTOP, locale="sv-SE")
    try:
        page = context.new_page()
        page.goto((sites[dataset] / "index.html").as_uri(), wait_until="load")
        assert_fits_a4(page, f"{dataset} overview", f"{dataset}-index-a4.png")
    finally:
        context.close()
