"""The next round's config, written from this one: `workbench new-round --from 2022.toml --year 2023`.

The file is edited line by line, so an office's comments and layout survive: the year and the name
follow the new year, every batch number goes up by one, every date moves by the years between the
rounds, the deadline is marked to be confirmed (deadline_confirmed = false: a moved date may fall
on a weekend, and only the new notice fixes it), relative paths are re-pointed from the new file's
folder, the working folder is the new round's own. Everything else is kept.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from pathlib import Path

from workbench import labels
from workbench.config import RoundConfigError, load_round

SECTION = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")
KEY = re.compile(r"^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)(.*)$")
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
MOVED_DATES = {("round", "deadline"), ("round", "reference_date"), ("notice", "start"), ("documents", "naming_date")}


def move_date(text: str, years: int) -> str:
    """'2022-10-28T17:30:00+08:00' moved by `years` (29 February becomes the 28th)."""
    m = DATE.match(text)
    if not m:
        return text
    y, mo, d = int(m.group(1)) + years, int(m.group(2)), int(m.group(3))
    if mo == 2 and d == 29 and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        d = 28
    return f"{y:04d}-{mo:02d}-{d:02d}" + text[m.end():]


def _split_comment(value: str) -> tuple[str, str]:
    """A TOML value and its trailing comment (a # outside a string)."""
    quote = None
    for i, ch in enumerate(value):
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote else ch
        elif ch == "#" and quote is None:
            return value[:i].rstrip(), value[i:]
    return value.rstrip(), ""


def next_round_text(text: str, year: int, source_dir: Path, target_dir: Path, workdir: Path) -> str:
    """The config `text` (of a file in `source_dir`) rewritten as next round's, for a file in `target_dir`."""
    old_year = tomllib.loads(text)["round"]["year"]
    years = year - old_year
    out, section = [], ""
    for line in text.splitlines():
        head = SECTION.match(line)
        if head:
            section = head.group(1)
            out.append(line)
            continue
        m = KEY.match(line)
        if not m or line.lstrip().startswith("#"):
            out.append(line)
            continue
        indent, key, eq, rest = m.groups()
        value, comment = _split_comment(rest)
        top = section.split(".")[0]
        if section == "round" and key == "deadline_confirmed":
            continue  # written again under the deadline
        if section == "round" and key == "year":
            value = str(year)
        elif section == "round" and key == "name":
            value = value.replace(str(old_year), str(year))
        elif top == "categories" and key == "batch":
            value = str(int(value) + 1)
        elif (section, key) in MOVED_DATES:
            value = move_date(value, years)
        elif section == "paths" and value.startswith('"'):
            path = workdir if key == "workdir" else (source_dir / tomllib.loads(f"v = {value}")["v"]).resolve()
            value = '"' + Path(os.path.relpath(path, target_dir)).as_posix() + '"'
        out.append(f"{indent}{key}{eq}{value}" + (f"  {comment}" if comment else ""))
        if section == "round" and key == "deadline":
            weekday = labels.WEEKDAYS[dt.date.fromisoformat(value[:10]).weekday()]
            out.append(labels.NEXT_ROUND["deadline_note"].format(old=old_year, weekday=weekday))
            out.append(f"{indent}deadline_confirmed = false")
    return labels.NEXT_ROUND["header"].format(old=old_year, year=year) + "\n".join(out) + "\n"


def write_next_round(source: str | Path, year: int, out: str | Path | None = None, workdir: str | Path | None = None,
                     force: bool = False) -> Path:
    """Write the next round's config; `out` defaults to <year>.toml beside the source, `workdir` to a
    folder named after the year beside this round's working folder. Refuses to overwrite unless `force`."""
    source = Path(source).resolve()
    rnd = load_round(source)  # a broken source is reported the usual way
    target = Path(out).resolve() if out else source.with_name(f"{year}.toml")
    if year <= rnd.round.year:
        raise RoundConfigError(labels.NEXT_ROUND["year_not_after"].format(year=year, old=rnd.round.year)
                               + f" [{RoundConfigError.code}]")
    if target.exists() and not force:
        raise RoundConfigError(labels.NEXT_ROUND["exists"].format(path=target) + f" [{RoundConfigError.code}]")
    folder = Path(workdir).resolve() if workdir else rnd.workdir.parent / str(year)
    text = next_round_text(source.read_text(encoding="utf-8"), year, source.parent, target.parent, folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    load_round(target)  # what was written must load
    return target
