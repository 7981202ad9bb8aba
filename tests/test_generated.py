"""docs/generate.py: the tables it writes, the errors it refuses with, and that the repo is up to date.

The generator runs as a subprocess (`--root` points it at a fake repository in a temporary
folder), exactly as a person or CI would run it; a few pure helpers are imported from its path.
"""
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATE = ROOT / "docs" / "generate.py"

CATALOG = """
[families]
order = ["fam-a", "fam-b"]

[families.fam-a]
title = "Family A"
blurb = "The first family."

[families.fam-b]
title = "Family B"
blurb = "The second family."

[[stub]]
slug = "beta-task"
family = "fam-a"
year = 2001
order = 20
title = "Beta task"
gif_caption = "Beta's caption."

[[stub]]
slug = "alpha-task"
family = "fam-a"
year = 1997
order = 10
title = "Alpha task"
gif_caption = "Alpha's caption."

[[stub]]
slug = "gamma-task"
family = "fam-b"
year = 2020
order = 10
title = "Gamma task"
gif_caption = "Gamma's caption."
"""

ALPHA_README = """# Alpha task

Someone (1997). A paper.

![Alpha](alpha_task.gif)

## Results
<!-- headline:start -->
stale table
<!-- headline:end -->

## Files
- [alpha_task.py](alpha_task.py): everything
- [the figures](visualize_alpha_task.py)
- verdict rules in [SPEC.md](../../SPEC.md#verdicts); all stubs in [RESULTS.md](../../RESULTS.md)
- a sibling: [beta](../beta-task/), a helper: [shared/results.py](../../shared/results.py)
- [outside](https://example.org) and [here](#files)

![loss curve](viz/loss.png)

```bash
python3 alpha_task.py --seed 0   # [not a link](really.py)
```
"""


def results(stub, family, quick, headline, lyapunov=None, wall_s=12.3456):
    return {"stub": stub, "family": family, "title": stub, "paper": "A paper", "seed": 0, "quick": quick,
            "config": {}, "metrics": {}, "headline": headline, "lyapunov": lyapunov, "wall_s": wall_s,
            "env": {"python": "3.11", "numpy": "2.0", "platform": "test", "blas_threads": "1"}}


def row(name, value, paper_value, verdict):
    return {"name": name, "value": value, "paper_value": paper_value, "verdict": verdict, "note": ""}


@pytest.fixture
def fake(tmp_path):
    """A repository with three stubs: alpha (full run, Lyapunov), beta (quick run), gamma (not run)."""
    root = tmp_path / "repo"
    for slug in ("alpha-task", "beta-task", "gamma-task"):
        (root / "stubs" / slug).mkdir(parents=True)
    (root / "stubs" / "catalog.toml").write_text(CATALOG)
    (root / "stubs" / "alpha-task" / "README.md").write_text(ALPHA_README)
    (root / "stubs" / "alpha-task" / "alpha_task.gif").write_bytes(b"GIF89a")
    alpha = results("alpha-task", "fam-a", False,
                    [row("max abs error", 0.031234, 0.04, "yes"),
                     row("sequences to solve", 12000, "~10k", "partial")],
                    {"method": "qr", "exponents": {"rnn": [-0.2104, -0.9], "lstm97": [-0.001]}})
    beta = results("beta-task", "fam-a", True, [row("accuracy", None, 0.99, "no")], wall_s=3)
    for slug, res in (("alpha-task", alpha), ("beta-task", beta)):
        (root / "stubs" / slug / "results.json").write_text(json.dumps(res))
    (root / "README.md").write_text("# Catalog\n\nIntro.\n\n<!-- stub-table:start -->\nold table\n"
                                    "<!-- stub-table:end -->\n\nOutro.\n")
    return root


def run(root, *args):
    return subprocess.run([sys.executable, str(GENERATE), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=60)


def load_generate():
    spec = importlib.util.spec_from_file_location("generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_results_page_rows(fake):
    assert run(fake).returncode == 0
    text = (fake / "RESULTS.md").read_text()
    assert ("| [alpha-task](stubs/alpha-task/README.md) | 1997 | max abs error | 0.04 | 0.03123 | yes "
            "| 12.35 | lstm97 -0.001; rnn -0.2104 |") in text
    assert "|  |  | sequences to solve | ~10k | 12000 | partial |  |  |" in text
    assert ("| [beta-task](stubs/beta-task/README.md) (quick run) | 2001 | accuracy | 0.99 | — | no "
            "| 3 | — |") in text
    assert "| [gamma-task](stubs/gamma-task/README.md) | 2020 | not run yet |" in text
    assert "Verdicts over 2 headline rows: 1 yes, 1 partial, 0 no." in text  # the quick run is not counted
    assert "results.json" in text and "[SPEC.md](SPEC.md)" in text
    order = [text.index(s) for s in ("## Family A", "alpha-task", "beta-task", "## Family B", "gamma-task")]
    assert order == sorted(order)


def test_readme_table_and_tour(fake):
    assert run(fake).returncode == 0
    readme = (fake / "README.md").read_text()
    assert readme.startswith("# Catalog\n\nIntro.\n\n<!-- stub-table:start -->\n| stub | family | status |")
    assert readme.endswith("<!-- stub-table:end -->\n\nOutro.\n") and "old table" not in readme
    assert ("| [alpha-task](stubs/alpha-task/README.md) | Family A | 1 yes, 1 partial "
            "| max abs error: 0.03123 vs paper 0.04 | 12.35 |") in readme
    assert "| Family A | 1 no (quick run) | accuracy: — vs paper 0.99 | 3 |" in readme
    assert "| [gamma-task](stubs/gamma-task/README.md) | Family B | not run yet | | |" in readme
    tour = (fake / "VISUAL_TOUR.md").read_text()
    assert ("### [Alpha task](stubs/alpha-task/README.md)\n\n"
            "![Alpha's caption.](stubs/alpha-task/alpha_task.gif)") in tour
    assert "*No GIF yet.*\n\nBeta's caption." in tour


def test_book_sources(fake):
    assert run(fake).returncode == 0
    src = fake / "docs" / "src"
    summary = (src / "SUMMARY.md").read_text()
    assert summary.splitlines()[2:] == [
        "[Gallery](README.md)", "", "- [Specification](SPEC.md)", "- [Results](RESULTS.md)",
        "- [Visual tour](VISUAL_TOUR.md)", "- [Family A](families/fam-a.md)",
        "  - [Alpha task](stubs/alpha-task/README.md)", "  - [Beta task](stubs/beta-task/README.md)",
        "- [Family B](families/fam-b.md)", "  - [Gamma task](stubs/gamma-task/README.md)"]
    page = (src / "stubs" / "alpha-task" / "README.md").read_text()
    assert "- `alpha_task.py`: everything" in page  # .py files are not in the book: plain code
    assert "the figures (`stubs/alpha-task/visualize_alpha_task.py`)" in page
    assert "[SPEC.md](../../SPEC.md#verdicts)" in page and "[RESULTS.md](../../RESULTS.md)" in page
    assert "[beta](../beta-task/README.md)" in page and "`shared/results.py`" in page
    assert "[outside](https://example.org) and [here](#files)" in page
    assert "![Alpha](alpha_task.gif)" in page and "![loss curve](viz/loss.png)" in page
    assert "# [not a link](really.py)" in page  # code blocks are left alone
    assert "not written yet" in (src / "stubs" / "gamma-task" / "README.md").read_text()
    assert (src / "README.md").read_text().count("[alpha-task](stubs/alpha-task/README.md)") == 1


def test_book_gallery_results_and_tour(fake):
    readme = fake / "README.md"
    readme.write_text(readme.read_text().replace("Intro.\n", "Intro.\n\n## Stubs\n"))
    assert run(fake).returncode == 0
    src = fake / "docs" / "src"
    front = (src / "README.md").read_text()
    # The gallery comes after the README's first paragraph: a card per stub, thumbnails, badges.
    assert front.index("Intro.") < front.index("## Gallery") < front.index("## Stubs")
    assert ('<a class="card" href="stubs/alpha-task/README.html"><img src="thumbs/alpha-task.png" '
            'alt="Alpha&#x27;s caption.">') in front
    assert '<span class="year">1997</span> <span class="badge yes" title="max abs error: 0.03123 (paper ' \
           '0.04)">1 yes</span> <span class="badge partial"' in front
    assert '<span class="badge no" title="accuracy: — (paper 0.99)">1 no</span> <span class="badge none">' \
           'quick run</span>' in front
    assert '<span class="badge none">not run yet</span>' in front  # gamma
    assert front.index("### Family A") < front.index("beta-task/README.html") < front.index("### Family B")
    assert '<img src="../thumbs/gamma-task.png"' in (src / "families" / "fam-b.md").read_text()
    # Results: totals per family and verdict (the quick run is not counted), then rows by verdict.
    results = (src / "RESULTS.md").read_text()
    assert "| [Family A](#fam-fam-a) | 2 | 1 | 1 | 0 | 0 | 2 |" in results
    assert "| **all** | **3** | **1** | **1** | **0** | **0** | **2** |" in results
    assert "## Family A {#fam-fam-a}" in results
    assert "| 12.35 | lstm97 -0.001<br>rnn -0.2104 |" in results
    yes = results.index('| <span class="badge yes">yes</span> | [alpha-task](stubs/alpha-task/README.md) '
                        '| max abs error | 0.04 | 0.03123 |')
    assert yes < results.index('| <span class="badge partial">partial</span> | [alpha-task]')
    assert ('| <span class="badge no">no</span> | [beta-task](stubs/beta-task/README.md) (quick run) '
            '| accuracy | 0.99 | — |') in results  # listed, not counted
    # The tour: thumbnails that open the GIF; no GIF, no link.
    tour = (src / "VISUAL_TOUR.md").read_text()
    assert ('<figure class="card"><a href="stubs/alpha-task/alpha_task.gif" title="play the animation">'
            '<img src="thumbs/alpha-task.png"') in tour
    assert '<span class="no-gif">No GIF yet.</span>' in tour and "beta-task/beta_task.gif" not in tour


def test_book_stub_page_figures_and_sources(fake):
    stub = fake / "stubs" / "alpha-task"
    (stub / "alpha_task.py").write_text("print('alpha')\n")
    (fake / "shared").mkdir()
    (fake / "shared" / "results.py").write_text("")
    (stub / "README.md").write_text(ALPHA_README.replace("![loss curve](viz/loss.png)", (
        "- `viz/loss.png`: the loss\n  per step.\n- `viz/acc.png` (right): accuracy\n"
        "```\n- `viz/in_code.png`: not a figure\n```")))
    assert run(fake).returncode == 0
    page = (fake / "docs" / "src" / "stubs" / "alpha-task" / "README.md").read_text()
    assert "- ![the loss](viz/loss.png)\n  `viz/loss.png`: the loss\n  per step.\n" in page
    assert "- ![(right): accuracy](viz/acc.png)\n  `viz/acc.png` (right): accuracy\n" in page
    assert "- `viz/in_code.png`: not a figure\n" in page
    # Source files that exist link to their build-only pages; the rest stay code.
    assert "- [alpha_task.py](alpha_task.py.html): everything" in page
    assert "[shared/results.py](../../shared/results.py.html)" in page
    assert "the figures (`stubs/alpha-task/visualize_alpha_task.py`)" in page
    assert page.endswith(SOURCE_NOTE_END)
    readme = (stub / "README.md").read_text()
    assert "alpha_task.py.html" not in readme and "![the loss]" not in readme  # the stub README is untouched


SOURCE_NOTE_END = "**Source.** [Every file of this stub](files.html), shown in the browser; the links in " \
    "the file table above open the same pages.\n"


def test_check_finds_drift(fake):
    assert run(fake, "--check").returncode == 1  # nothing generated yet
    assert run(fake).returncode == 0
    first = {p: p.read_bytes() for p in fake.rglob("*.md")}
    assert run(fake).returncode == 0 and first == {p: p.read_bytes() for p in fake.rglob("*.md")}
    assert run(fake, "--check").returncode == 0
    res = json.loads((fake / "stubs" / "alpha-task" / "results.json").read_text())
    res["headline"][0]["value"] = 0.5
    (fake / "stubs" / "alpha-task" / "results.json").write_text(json.dumps(res))
    (fake / "docs" / "src" / "old.md").write_text("# stale\n")
    proc = run(fake, "--check")
    assert proc.returncode == 1
    for name in ("RESULTS.md", "README.md", "docs/src/RESULTS.md", "docs/src/README.md",
                 "docs/src/old.md (stale)"):
        assert f"  {name}\n" in proc.stdout
    assert "VISUAL_TOUR.md" not in proc.stdout
    assert run(fake).returncode == 0 and not (fake / "docs" / "src" / "old.md").exists()


def broken(root, what):
    """Break the fake repository in one way."""
    catalog = root / "stubs" / "catalog.toml"
    if what == "folder missing from catalog":
        (root / "stubs" / "delta-task").mkdir()
    elif what == "entry without folder":
        shutil.rmtree(root / "stubs" / "gamma-task")
    elif what == "unknown family":
        catalog.write_text(catalog.read_text().replace('family = "fam-b"', 'family = "fam-z"'))
    elif what == "invalid results.json":
        res = json.loads((root / "stubs" / "alpha-task" / "results.json").read_text())
        res["headline"][0]["verdict"] = "maybe"
        (root / "stubs" / "alpha-task" / "results.json").write_text(json.dumps(res))
    elif what == "README without markers":
        (root / "README.md").write_text("# Catalog\n")
    elif what == "stub README without headline markers":
        (root / "stubs" / "alpha-task" / "README.md").write_text("# Alpha task\n")
    elif what == "suite without markers":
        catalog.write_text(catalog.read_text().replace('blurb = "The second family."',
                                                       'blurb = "The second family."\nsuite = "suites/b.md"'))
        (root / "suites").mkdir()
        (root / "suites" / "b.md").write_text("# Suite B\n")
    elif what == "suite missing":
        catalog.write_text(catalog.read_text().replace('blurb = "The second family."',
                                                       'blurb = "The second family."\nsuite = "suites/b.md"'))
    elif what == "dropped stub with a folder":
        catalog.write_text(catalog.read_text().replace('blurb = "The second family."',
                                                       'blurb = "The second family."\n'
                                                       'dropped = [{ slug = "gamma-task", '
                                                       'reason = "no source" }]'))
    elif what == "dropped without reason":
        catalog.write_text(catalog.read_text().replace('blurb = "The second family."',
                                                       'blurb = "The second family."\n'
                                                       'dropped = [{ slug = "omega-task" }]'))
    elif what == "malformed earlier":
        catalog.write_text(catalog.read_text().replace('title = "Alpha task"', 'title = "Alpha task"\n'
                                                       'earlier = { setting = 3 }'))
    return {"folder missing from catalog": "stubs/delta-task/", "entry without folder": "gamma-task",
            "unknown family": "'fam-z'", "invalid results.json": "stubs/alpha-task/results.json",
            "README without markers": "<!-- stub-table:start -->",
            "stub README without headline markers": "<!-- headline:start -->",
            "malformed earlier": "earlier must be", "suite without markers": "suites/b.md lacks the",
            "suite missing": "cannot read its suite suites/b.md",
            "dropped stub with a folder": "dropped stubs that are still listed or have a folder: gamma-task",
            "dropped without reason": "dropped must be a list"}[what]


@pytest.mark.parametrize("what", ["folder missing from catalog", "entry without folder", "unknown family",
                                  "invalid results.json", "README without markers",
                                  "stub README without headline markers", "malformed earlier",
                                  "suite without markers", "suite missing", "dropped stub with a folder",
                                  "dropped without reason"])
def test_fails_clearly(fake, what):
    needle = broken(fake, what)
    for args in ((), ("--check",)):
        proc = run(fake, *args)
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
        assert proc.stderr.startswith("docs/generate.py: error: ") and needle in proc.stderr


def test_family_suite_table(fake):
    """A family's suite: its comparison table under the family in RESULTS.md and the book's results
    page, and a change to it makes the pages out of date."""
    catalog = fake / "stubs" / "catalog.toml"
    catalog.write_text(catalog.read_text().replace('blurb = "The second family."',
                                                   'blurb = "The second family."\nsuite = "suites/b.md"'))
    (fake / "suites").mkdir()
    suite = fake / "suites" / "b.md"
    suite.write_text("# Suite B\n\n<!-- comparison:begin -->\n| job | mark |\n|---|---|\n| j1 | ok |\n"
                     "<!-- comparison:end -->\n\nMore.\n")
    assert run(fake).returncode == 0
    text = (fake / "RESULTS.md").read_text()
    fam_b, table = text.index("## Family B"), text.index("| j1 | ok |")
    assert fam_b < text.index("### At the full protocol") < table and "More." not in text
    assert "[suites/b.md](suites/b.md)" in text
    book = (fake / "docs" / "src" / "RESULTS.md").read_text()
    assert "| j1 | ok |" in book and "`suites/b.md` in the repository" in book
    assert "At the full protocol" not in text[:fam_b]            # family A has no suite
    suite.write_text(suite.read_text().replace("| j1 | ok |", "| j1 | changed |"))
    assert run(fake, "--check").returncode == 1


def test_dropped_stubs_are_listed_with_their_reason(fake):
    """A stub planned for a family and not built shows under that family, with its reason, in
    RESULTS.md and the book's results page; removing it makes the pages out of date."""
    catalog = fake / "stubs" / "catalog.toml"
    catalog.write_text(catalog.read_text().replace(
        'blurb = "The second family."',
        'blurb = "The second family."\ndropped = [{ slug = "omega-task", reason = "no source was found" }]'))
    assert run(fake).returncode == 0
    text = (fake / "RESULTS.md").read_text()
    assert text.index("## Family B") < text.index("- `omega-task`: no source was found")
    assert "omega-task" not in text[:text.index("## Family B")]
    assert "- `omega-task`: no source was found" in (fake / "docs" / "src" / "RESULTS.md").read_text()
    catalog.write_text(catalog.read_text().replace("no source was found", "merged elsewhere"))
    assert run(fake, "--check").returncode == 1


def test_speed_table(fake):
    catalog = fake / "stubs" / "catalog.toml"
    catalog.write_text(catalog.read_text().replace(
        'title = "Alpha task"', 'title = "Alpha task"\nearlier = { setting = "old", reference_s = 30.0 }'))
    assert run(fake).returncode == 0
    text = (fake / "RESULTS.md").read_text()
    assert "## Speed against the earlier catalog" in text
    assert ("| [alpha-task](stubs/alpha-task/README.md) | 1, 12.35, 12.35 | `--setting old` not run yet "
            "| 30 |  |") in text
    old = results("alpha-task", "fam-a", False, [row("x", 1, None, "yes")], wall_s=10.0)
    old["config"] = {"n_seeds": 5}
    (fake / "stubs" / "alpha-task" / "results_old.json").write_text(json.dumps(old))
    assert run(fake).returncode == 0
    assert "| 5, 10 | 30 | 3x |" in (fake / "RESULTS.md").read_text()
    old["wall_s"] = 45.0
    (fake / "stubs" / "alpha-task" / "results_old.json").write_text(json.dumps(old))
    assert run(fake).returncode == 0
    assert "| 5, 45 | 30 | no (1.5x slower) |" in (fake / "RESULTS.md").read_text()


def test_ignores_hidden_and_underscore_folders(fake):
    (fake / "stubs" / "_scratch").mkdir()
    (fake / "stubs" / ".cache").mkdir()
    assert run(fake).returncode == 0


def test_number_format():
    fmt = load_generate().fmt
    cases = [(None, "—"), (3, "3"), (12000, "12000"), (0.031234, "0.03123"), (-0.001, "-0.001"),
             (0.0, "0"), (123.456, "123.5"), (98765.4, "98765"), (1.5e-5, "1.500e-05"), ("~10k", "~10k"),
             (True, "True"), ([1, 0.5], "1, 0.5")]
    assert [fmt(x) for x in [c[0] for c in cases]] == [c[1] for c in cases]


def test_real_repo_is_up_to_date(tmp_path):
    """The committed pages match the committed results (git HEAD; the working tree outside git).
    A user's re-run of a stub changes only the working tree, so it cannot fail this test;
    `python3 docs/generate.py --check` checks the working tree itself."""
    from conftest import committed_tree
    tree = committed_tree(tmp_path / "head")
    if not (tree / "stubs" / "catalog.toml").is_file():
        pytest.skip("stubs/catalog.toml is missing: no catalog to check the generated files against")
    # Run from elsewhere: the generator finds its code from its own path.
    proc = subprocess.run([sys.executable, str(GENERATE), "--check", "--root", str(tree)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_stub_readme_headline_block_is_regenerated(fake):
    assert run(fake).returncode == 0
    readme = (fake / "stubs" / "alpha-task" / "README.md").read_text()
    assert "stale table" not in readme
    assert "| claim | paper | here | verdict | note |" in readme
    assert "| max abs error | 0.04 | 0.03123 | yes |" in readme
    assert run(fake, "--check").returncode == 0


def test_agreement_rows_judged_by_an_older_verdict_are_stale_not_counted():
    gen = load_generate()
    stub = {"slug": "a-stub", "family": "f", "title": "A stub"}
    ag = {"a-stub": {"rows": [
        {"name": "claim 1", "committed": "no", "verdicts": {"0": "no", "1": "no"}, "stable": True},
        {"name": "claim 2", "committed": "yes", "verdicts": {"0": "yes", "1": "yes"}, "stable": True}]}}
    now = {"a-stub": {"headline": [{"verdict": "open"}, {"verdict": "yes"}]}}
    md = gen.agreement_md([stub], ag, now)
    assert "open (was no)" in md and "stale: re-run the seeds" in md
    assert "**1 of 1 rows with extra seeds keep their verdict**" in md
