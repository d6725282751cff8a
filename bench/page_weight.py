"""Benchmark 2: page weight and first render of the Victim Voice form against SurveyJS.

Why: the form is meant for people on cheap phones and slow connections, so what
a respondent downloads and how soon the first question appears matter more than
anything the server does. How: `formwright build` the project; the bytes of the
English form are its HTML plus every file the HTML (and its CSS) references,
found by parsing, not guessed. The same questionnaire is converted from the
compiled manifest into a SurveyJS model (bench/page_weight_surveyjs.py), with
survey-core and survey-js-ui installed from npm into a temporary folder and
served from the same local server. Both are served gzipped from a thread and
loaded in Chromium with slow-3G and 4× CPU emulation, in a fresh context each
run; an init script times, inside the page, the first animation frame in which
the first question's text is laid out and visible.

    python -m bench page_weight [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import gzip
import json
import mimetypes
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from posixpath import normpath
from typing import Any, ClassVar
from urllib.parse import unquote, urljoin, urlsplit

from . import page_weight_surveyjs as sj
from .page_weight_report import Timing, plot, section, sizes

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
RESULTS = Path(__file__).parent / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # as tests/conftest.py: root in CI, and a network closed to the outside
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# tests/test_browser.py's slow 3G: 400 ms latency, 50,000 bytes/s, and a 4× slower CPU
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
CPU_SLOWDOWN = 4
FORM = "victim-voice"


class _Refs(HTMLParser):
    """The URLs an HTML page makes the browser fetch by itself (scripts, styles, icons, images)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        rel = set(a.get("rel", "").lower().split())
        if tag in ("script", "img", "iframe") and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and rel & {"stylesheet", "icon", "preload", "modulepreload"}:
            self.urls.append(a.get("href", ""))


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")


def downloads(site: Path, page: str) -> dict[str, bytes]:
    """Every file a first visit to `page` (a path under site) downloads, by path, page first."""
    found: dict[str, bytes] = {}
    todo = [page]
    while todo:
        path = todo.pop(0)
        if path in found:
            continue
        data = (site / path).read_bytes()
        found[path] = data
        if path.endswith(".html"):
            parser = _Refs()
            parser.feed(data.decode("utf-8"))
            urls = parser.urls
        elif path.endswith(".css"):
            urls = [a or b for a, b in CSS_URL.findall(data.decode("utf-8"))]
        else:
            continue
        for url in urls:
            if url.startswith("data:") or not url:
                continue
            if urlsplit(url).scheme or url.startswith("//"):
                # a file from elsewhere would be missing from the count: refuse to guess
                raise SystemExit(f"{path} loads {url} from another site")
            todo.append(unquote(normpath(urljoin("/" + path, urlsplit(url).path))).lstrip("/"))
    return found


class GzipHandler(BaseHTTPRequestHandler):
    """Serves precompressed files with Content-Encoding: gzip, as a deployment would."""

    protocol_version = "HTTP/1.1"  # keep-alive, as browsers and servers use
    files: ClassVar[dict[str, tuple[bytes, str]]] = {}

    def do_GET(self) -> None:
        entry = self.files.get(urlsplit(self.path).path.lstrip("/"))
        if entry is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, kind = entry
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no addresses or times in any log


@contextmanager
def serve(site: Path) -> Iterator[str]:
    files = {}
    for p in site.rglob("*"):
        if p.is_file():
            kind = mimetypes.guess_type(p.name)[0] or "application/octet-stream"
            kind += "; charset=utf-8" if kind.startswith("text/") or kind.endswith("script") else ""
            files[p.relative_to(site).as_posix()] = (gzip.compress(p.read_bytes(), 9), kind)
    handler = type("Handler", (GzipHandler,), {"files": files})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# Runs in the page before its own scripts. Animation frames only run once rendering is
# no longer blocked by stylesheets, so the first frame in which the text is laid out and
# visible is the frame that paints it; performance.now() counts from navigation start.
# Text inside <script> is skipped: SurveyJS's model carries the same words.
PROBE = """(() => {
  const want = %s;
  const visible = () => {
    const walk = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (!n.data.includes(want) || !el || el.closest("script")) continue;
      const box = el.getBoundingClientRect();
      const shown = el.checkVisibility({opacityProperty: true, visibilityProperty: true});
      if (shown && box.width > 0 && box.height > 0) return true;
    }
    return false;
  };
  const tick = () => {
    if (visible()) window.__firstQuestion = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""
# With the page's JavaScript off no animation frame runs, but nothing can change the
# document either: once it is parsed and styled, the next paint shows it as it will stay.
# So the later of first contentful paint and the end of parsing bounds the question's
# paint from above. The HTML and stylesheet arrival times explain the figure.
TIMINGS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const css = performance.getEntriesByType("resource").filter(r => r.initiatorType === "link");
  return {
    static: Math.max(paint ? paint.startTime : Infinity, nav.domInteractive),
    html: nav.responseEnd,
    css: Math.max(0, ...css.map(r => r.responseEnd)),
  };
}"""


def first_render(browser: Any, url: str, text: str, javascript: bool) -> Timing:
    """Milliseconds from navigation start until `text` is painted, under slow 3G and 4× CPU;
    also when the HTML and the last stylesheet had arrived."""
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, java_script_enabled=javascript
    )
    try:
        context.add_init_script(PROBE % json.dumps(text))
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        page.goto(url, wait_until="load", timeout=180_000)
        page.get_by_text(text).first.wait_for(state="visible", timeout=180_000)
        scripted = page.evaluate("document.documentElement.classList.contains('fw-js')")
        if FORM in url and scripted != javascript:
            raise SystemExit(f"the form's script ran: {scripted}, wanted {javascript}")
        timing: Timing = page.evaluate(TIMINGS)
        shown = timing.pop("static")
        # page.wait_for_function would be refused by the form's Content-Security-Policy
        deadline = time.monotonic() + 60
        while javascript and (shown := page.evaluate("window.__firstQuestion")) is None:
            if time.monotonic() > deadline:
                raise SystemExit(f"{url}: the probe never saw {text!r}")
            time.sleep(0.05)
        return {"first": float(shown), **timing}
    finally:
        context.close()


def build(out: Path) -> Path:
    command = [str(BIN / "formwright"), "build", "-C", str(ROOT), "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    return out / FORM


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench page_weight")
    parser.add_argument("--runs", type=int, default=5, help="page loads per tool")
    parser.add_argument("--surveyjs", default=sj.VERSION, help="survey-core/survey-js-ui version")
    parser.add_argument("--quick", action="store_true", help="2 page loads per tool")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 2
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        work = Path(tmp)
        site = work / "site"
        form = build(site)
        manifest = json.loads((form / "manifest.json").read_text("utf-8"))
        versions = sj.install(work / "npm", args.surveyjs)
        model = sj.survey_model(manifest, ROOT / "questionnaire" / f"{FORM}.yaml")
        sj.write_site(model, work / "npm", site / "surveyjs")
        ours = downloads(site, f"{FORM}/{manifest['language']}/index.html")
        chooser = downloads(site, f"{FORM}/index.html")
        theirs = downloads(site, "surveyjs/index.html")
        model_bytes = json.dumps(model, ensure_ascii=False, separators=(",", ":")).encode()
        weights = {
            "formwright": ours,
            "chooser": {k: v for k, v in chooser.items() if k not in ours},
            "surveyjs": theirs,
        }
        for name, parts in weights.items():
            each = [sizes(d) for d in parts.values()]
            sums = [sum(s[i] for s in each) for i in range(3)]
            print(f"{name:>10}: raw, gzip, brotli = {sums}", flush=True)
        first = next(q for q in manifest["questions"] if q["type"] != "statement")
        text = first["text"].splitlines()[0].strip()
        times = render_times(site, text, args.runs)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "page_weight.md").write_text(
        section(weights, sizes(model_bytes), times, versions, args.runs), "utf-8"
    )
    plot(weights, times, RESULTS / "page_weight.png")


def render_times(site: Path, text: str, runs: int) -> dict[str, list[Timing]]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    cases = {
        "formwright": (f"{FORM}/en/index.html", True),
        "formwright, no JavaScript": (f"{FORM}/en/index.html", False),
        "SurveyJS": ("surveyjs/index.html", True),
    }
    times: dict[str, list[Timing]] = {name: [] for name in cases}
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for run in range(runs):
            # interleaved, so a burst of load elsewhere on the machine hits every case alike
            for name, (path, javascript) in cases.items():
                times[name].append(first_render(browser, f"{base}/{path}", text, javascript))
            print(
                f"run {run + 1}: "
                + ", ".join(f"{n} {t[-1]['first']:.0f} ms" for n, t in times.items()),
                flush=True,
            )
        browser.close()
    return times


if __name__ == "__main__":
    main()
