"""Start-up of the command and the package: `workbench --help` and `import workbench`.

GOAL (issue 18): `workbench --help` < 0.3 s. The baseline is what `import workbench` cost when
the package imported every module up front (pandas, scipy, SQLAlchemy, ipywidgets...): the same
interpreter importing every public name at once. Each case runs in a fresh interpreter, baseline
and ours alternately `--repeat` times; medians of wall time and of CPU time (user + sys of the
child, less sensitive to other people's jobs on a shared machine) are printed with their ratios.

    python benchmarks/startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "baseline: import every public name": [sys.executable, "-c",
                                           "import workbench as wb\nfor n in wb.__all__: getattr(wb, n)"],
    "workbench --help": [str(Path(sys.executable).with_name("workbench")), "--help"],
    "import workbench": [sys.executable, "-c", "import workbench"],
}


def run(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(args, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"GOAL: workbench --help < 0.3 s   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in CASES}
    for _ in range(args.repeat):
        for name, command in CASES.items():
            times[name].append(run(command))
    med = {name: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for name, v in times.items()}
    base = med["baseline: import every public name"]
    for name, (wall, cpu) in med.items():
        verdict = f"  (goal: {'met' if wall < 0.3 else 'NOT met'} on wall time)" if name == "workbench --help" else ""
        print(f"{name:<38} wall {wall:6.2f} s  cpu {cpu:6.2f} s  ratio to baseline x{base[0] / wall:5.1f} wall, "
              f"x{base[1] / cpu:5.1f} cpu{verdict}")


if __name__ == "__main__":
    main()
