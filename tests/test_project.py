"""The project's own promises: environment.yml in step with pyproject.toml; README commands first."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(d) for d in project["dependencies"]}
    wanted |= {_name(d) for group in project["optional-dependencies"].values() for d in group}
    listed = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z][\w.\-]*)", line)
        if m and not line.strip().startswith("- pip:"):
            listed.add(_name(m.group(1)))
    listed -= {"python", "pip"}
    assert listed == wanted


def test_readme_opens_with_the_two_commands():
    head = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:15])
    assert "make demo" in head and "make test" in head


def test_ci_script_runs_make_test_and_is_executable():
    ci = ROOT / ".ci" / "run"
    assert ci.stat().st_mode & 0o111
    assert "make test" in ci.read_text()
