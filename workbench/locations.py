"""Where the package's own files are: the repository folder and the default round config.

Kept free of imports, so that naming a default (`workbench --help` shows `--round`'s) does not
load the config's validation library.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROUND = REPO / "data" / "rounds" / "2022.toml"
