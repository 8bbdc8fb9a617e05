"""Starting is cheap: `import workbench` and `workbench --help` load no heavy library (issue 18).

Checked through sys.modules in a fresh interpreter, not by timing (timings belong in benchmarks/).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "numpy", "scipy", "sqlalchemy", "openpyxl", "ipywidgets", "pydantic")
ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code: str) -> set[str]:
    """The heavy top-level modules present in sys.modules after running `code` in a new interpreter."""
    probe = code + f"\nimport sys\nprint('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip().splitlines()[-1]
    assert line.startswith("loaded:"), proc.stdout
    return set(filter(None, line.removeprefix("loaded:").split(",")))


def test_import_workbench_loads_no_heavy_library():
    assert loaded_after("import workbench") == set()


def test_help_loads_no_heavy_library():
    code = ("import sys\nfrom workbench import cli\nsys.argv = ['workbench', '--help']\n"
            "try:\n    cli.main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code\n")
    assert loaded_after(code) == set()


def test_a_public_name_loads_its_module_on_first_use():
    assert "pandas" in loaded_after("import workbench\nworkbench.rank")


def test_every_public_name_resolves():
    import workbench as wb

    for name in wb.__all__:
        assert getattr(wb, name) is not None, name
    assert set(wb.__all__) <= set(dir(wb))
    with pytest.raises(AttributeError):
        wb.no_such_name  # noqa: B018
