"""Shared test helpers: the repository root on sys.path, stub discovery, running a stub."""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pytest_configure(config):
    config.addinivalue_line("markers", "battery: the bad-input battery over every stub's flags "
                                       "(tests/test_battery.py; runs by default, select with -m battery)")


def stub_dirs():
    """Every stub folder under stubs/ (discovered, never listed by hand)."""
    return sorted(d for d in (ROOT / "stubs").iterdir()
                  if d.is_dir() and not d.name.startswith((".", "_")))


def stub_script(d):
    return d / (d.name.replace("-", "_") + ".py")


def load_stub(slug):
    """Import a stub's main script (stubs/<slug>/<snake_slug>.py) as a module, for its tests."""
    import importlib.util
    d = ROOT / "stubs" / slug
    spec = importlib.util.spec_from_file_location(slug.replace("-", "_"), stub_script(d))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def stub_env():
    """The environment a stub runs in under the tests: one BLAS thread, no display."""
    return dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg")


def run_stub(d, *args, timeout=300, script=None, env=None):
    """Run a stub's script (or one of its scripts) as its own process, from its folder
    (``env``: extra environment variables, e.g. a test hook of shared/cli.py)."""
    cmd = [sys.executable, str(script or stub_script(d)), *map(str, args)]
    return subprocess.run(cmd, cwd=d, env=dict(stub_env(), **(env or {})), capture_output=True, text=True,
                          timeout=timeout)


def stub_flags(d):
    """The stub's own flags, as its parser has them (shared.cli's CATALOG_DUMP_FLAGS): a list of
    {options, dest, type, kind ("int", "float", "text" or None), choices, default, nargs}."""
    import json
    p = subprocess.run([sys.executable, str(stub_script(d))], cwd=d, capture_output=True, text=True,
                       env=dict(stub_env(), CATALOG_DUMP_FLAGS="1"), timeout=120)
    assert p.returncode == 0, f"{d.name}: CATALOG_DUMP_FLAGS failed:\n{p.stderr[-2000:]}"
    return json.loads(p.stdout)


def stub_settings(d):
    """The stub's --setting choices, headline first ([None] when it has no --setting)."""
    flag = next((f for f in stub_flags(d) if f["dest"] == "setting"), None)
    if flag is None:
        return [None]
    return [flag["default"]] + [c for c in flag["choices"] if c != flag["default"]]


def committed_tree(dest):
    """The repository as committed (git HEAD) under ``dest``, without .npz/.png, or ROOT itself
    when this is not a git checkout. Tests of generated pages read this tree, so that a user's
    re-run of a stub (new wall time, or float noise from another CPU) does not fail them: they
    check committed results against committed pages."""
    import shutil
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "-q", "HEAD"],
                              capture_output=True, text=True, timeout=30)
        if head.returncode != 0 or not shutil.which("tar"):
            return ROOT
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD", "--", ".",
                                  ":(exclude)*.npz", ":(exclude)*.png"], capture_output=True, timeout=120)
        if archive.returncode != 0:
            return ROOT
    except (OSError, subprocess.SubprocessError):
        return ROOT
    dest = pathlib.Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True, timeout=120)
    return dest
