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


def run_stub(d, *args, timeout=300, script=None):
    """Run a stub's script (or one of its scripts) as its own process, from its folder."""
    cmd = [sys.executable, str(script or stub_script(d)), *map(str, args)]
    return subprocess.run(cmd, cwd=d, env=stub_env(), capture_output=True, text=True, timeout=timeout)
