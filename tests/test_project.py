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


def test_the_tests_rounds_stand_on_nothing_a_users_demo_left_behind(tmp_path):
    """What `make demo` leaves in data/sample (a store with the meeting's decisions, exports, materialised
    states) must not reach a test: the fixtures build their rounds afresh. Here the leftovers sit in
    the round's folder the fixture is pointed away from; nothing of them reaches the new round."""
    import os

    import workbench as wb
    from conftest import build_private_round
    from workbench.state import STATE_DIR

    used = tmp_path / "used"
    user = wb.build_demo(wb.load_round().at(used), seed=2022, unions=4)
    state = wb.load_state(user.rnd, user)
    nid = state.ranked["nomination_id"].iloc[0]
    user.record_decision(nid, "approve", "用户的演示", state.snapshot_id, "主席办公会")
    user.record_override(nid, "eligibility", "ineligible", "用户的演示", "analyst")
    (used / "out").mkdir()
    (used / "out" / "拟命名名单.xlsx").write_bytes(b"left behind")
    (used / STATE_DIR / state.snapshot_id / "state.pkl").write_bytes(b"left behind")
    user.close()

    fresh = build_private_round(tmp_path / "fresh", wb.load_round().at(used), unions=4)
    assert fresh.workdir == (tmp_path / "fresh").resolve() and fresh.paths.named_studios.parent == fresh.workdir
    assert not (fresh.workdir / "out").exists()
    again = wb.load_state(fresh)
    assert again.decisions.empty and again.overrides.empty and not again.ranked.empty
    assert wb.open_store(fresh).history()["actor"].ne("主席办公会").all()
    # and the session's round (notebooks, demo_round) was generated, not copied from data/sample
    session = Path(os.environ["WORKBENCH_TEST_WORKDIR"]).resolve()
    assert (ROOT / "data" / "sample").resolve() not in (session, *session.parents)
