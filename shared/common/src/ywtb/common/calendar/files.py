"""Override table in CSV form, including the file shipped with the package."""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib.resources import files
from pathlib import Path

from ywtb.common.calendar.overrides import DayOverride
from ywtb.common.errors import ConfigError

_TRUE = {"1", "true", "yes", "y", "是"}
_FALSE = {"0", "false", "no", "n", "否", ""}
COLUMNS = ("date", "is_workday", "name", "tenant", "full_year")


def _flag(text: str, line: int, column: str) -> bool:
    """Parse a boolean cell."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE and (value or column == "full_year"):
        return False
    raise ConfigError(
        f"工作日历调整表第{line}行 {column} 列取值无效：{text!r}", message_en=f"line {line}: bad {column}"
    )


def parse_override_csv(text: str) -> list[DayOverride]:
    """Rows of a CSV with header date,is_workday,name,tenant[,full_year]; '#' lines are comments."""
    numbered = [
        (n, line)
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        return []
    reader = csv.reader(io.StringIO("\n".join(line for _, line in numbered)))
    header = [cell.strip() for cell in next(reader)]
    if tuple(header[:4]) != COLUMNS[:4] or not set(header) <= set(COLUMNS):
        raise ConfigError(f"工作日历调整表表头应为 {','.join(COLUMNS)}，实际为 {','.join(header)}")
    rows: list[DayOverride] = []
    for (line, _), cells in zip(numbered[1:], reader, strict=True):
        record = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        try:
            rows.append(
                DayOverride(
                    day=date.fromisoformat(record.get("date", "")),
                    is_workday=_flag(record.get("is_workday", ""), line, "is_workday"),
                    name=record.get("name", ""),
                    tenant=record.get("tenant") or None,
                    full_year=_flag(record.get("full_year", ""), line, "full_year"),
                )
            )
        except ValueError as exc:
            raise ConfigError(
                f"工作日历调整表第{line}行无效：{exc}", message_en=f"line {line}: {exc}"
            ) from exc
    return rows


def load_override_file(path: str | Path | None = None) -> list[DayOverride]:
    """Rows of an override CSV file; without a path, the file shipped in this package."""
    if path is None:
        text = files("ywtb.common.calendar").joinpath("data/overrides.csv").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return parse_override_csv(text)
