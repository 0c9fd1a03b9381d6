#!/usr/bin/env python3
"""Vendor the front-end assets into ``src/sunshine/static/vendor/`` from the npm registry.

Government networks are closed, so the UI must never load anything from a CDN. This script
fetches each package with ``npm pack`` (npm verifies the registry's sha512 integrity), copies
the few files the UI needs, plus their licence files, and writes ``MANIFEST.json`` with the
package, version, licence, tarball name and checksums, and a sha256 for every copied file.

``MANIFEST.json`` doubles as the lock file:

    python scripts/vendor_assets.py            # reproduce the versions locked in MANIFEST.json
    python scripts/vendor_assets.py --latest   # upgrade: newest release within each TRACK range
    python scripts/vendor_assets.py --set htmx=2.0.12   # pin one asset to a given version
    python scripts/vendor_assets.py --check    # re-download locked versions, compare, no writes

Licences of code bundled *inside* a vendored file (Popper in bootstrap.bundle.min.js,
@vue/reactivity in Alpine's CDN build, zrender in echarts.min.js) are vendored alongside.
The vendor folder is owned by this script: it is rebuilt from scratch on every run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

REPO_ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = REPO_ROOT / "src" / "sunshine" / "static" / "vendor"
MANIFEST_NAME = "MANIFEST.json"

# The npm package ships no licence file; this is upstream's LICENSE.md verbatim, from
# https://github.com/alpinejs/alpine/blob/main/LICENSE.md
ALPINE_LICENSE = """\
# MIT License

Copyright © 2019-2021 Caleb Porzio and contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""
ALPINE_LICENSE_SOURCE = "https://github.com/alpinejs/alpine/blob/main/LICENSE.md"


@dataclass(frozen=True)
class Bundled:
    """A dependency compiled into a vendored file; only its licence files are copied."""

    package: str
    licence: str
    files: dict[str, str]  # tarball member -> path under the asset folder


@dataclass(frozen=True)
class Asset:
    name: str  # folder under vendor/
    package: str
    track: str  # semver range that --latest upgrades within (majors are a deliberate choice)
    licence: str
    files: dict[str, str]  # tarball member -> path under the asset folder
    generated: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (text, origin)
    bundled: tuple[Bundled, ...] = ()


ASSETS: tuple[Asset, ...] = (
    Asset(
        name="bootstrap",
        package="bootstrap",
        track="^5",
        licence="MIT",
        files={
            "package/dist/css/bootstrap.min.css": "bootstrap.min.css",
            "package/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
            "package/LICENSE": "LICENSE",
        },
        bundled=(
            Bundled("@popperjs/core", "MIT", {"package/LICENSE.md": "LICENSE.popperjs-core"}),
        ),
    ),
    Asset(
        name="bootstrap-icons",
        package="bootstrap-icons",
        track="^1",
        licence="MIT",
        files={
            "package/font/bootstrap-icons.min.css": "bootstrap-icons.min.css",
            # The CSS references ./fonts/bootstrap-icons.woff2 (and a .woff fallback that
            # every supported browser skips because woff2 comes first).
            "package/font/fonts/bootstrap-icons.woff2": "fonts/bootstrap-icons.woff2",
            "package/LICENSE": "LICENSE",
        },
    ),
    Asset(
        name="htmx",
        package="htmx.org",
        # htmx 4 changed attribute inheritance and event names; moving to it is a code change,
        # not a routine upgrade, so --latest stays on 2.x.
        track="^2",
        licence="0BSD",
        files={
            "package/dist/htmx.min.js": "htmx.min.js",
            "package/LICENSE": "LICENSE",
        },
    ),
    Asset(
        name="alpinejs",
        package="alpinejs",
        track="^3",
        licence="MIT",
        files={"package/dist/cdn.min.js": "alpine.min.js"},
        generated={"LICENSE": (ALPINE_LICENSE, ALPINE_LICENSE_SOURCE)},
        bundled=(Bundled("@vue/reactivity", "MIT", {"package/LICENSE": "LICENSE.vue-reactivity"}),),
    ),
    Asset(
        name="echarts",
        package="echarts",
        track="^6",
        licence="Apache-2.0",
        files={
            "package/dist/echarts.min.js": "echarts.min.js",
            "package/LICENSE": "LICENSE",
            "package/NOTICE": "NOTICE.txt",  # .txt: covered by the package-data globs
            "package/licenses/LICENSE-d3": "LICENSE-d3",
        },
        bundled=(Bundled("zrender", "BSD-3-Clause", {"package/LICENSE": "LICENSE.zrender"}),),
    ),
    Asset(
        name="hls.js",
        package="hls.js",
        track="^1",
        licence="Apache-2.0",
        files={
            # The light build: HLS of H.264 in MPEG-TS, without subtitles, alternate audio
            # or DRM, which the public kitchen streams never carry (about half the size).
            "package/dist/hls.light.min.js": "hls.light.min.js",
            "package/LICENSE": "LICENSE",
        },
    ),
)


class VendorError(RuntimeError):
    """Raised when a package does not look like this script expects."""


@dataclass
class Packed:
    package: str
    version: str
    tarball: str
    tarball_sha256: str
    integrity: str
    members: dict[str, bytes]
    package_json: dict[str, object]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_pack(spec: str, dest: Path) -> Packed:
    """``npm pack SPEC`` into ``dest`` and read the tarball (npm checks registry integrity)."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm not found on PATH")
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [npm, "pack", spec, "--json", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(result.stdout)[0]
    path = dest / info["filename"]
    data = path.read_bytes()
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            extracted = tar.extractfile(member) if member.isfile() else None
            if extracted is not None:
                members[member.name] = extracted.read()
    package_json = json.loads(members["package/package.json"])
    return Packed(
        package=info["name"],
        version=info["version"],
        tarball=info["filename"],
        tarball_sha256=sha256(data),
        integrity=info["integrity"],
        members=members,
        package_json=package_json,
    )


def dependency_range(packed: Packed, dependency: str) -> str:
    """The version range the main package declares for a bundled dependency."""
    for key in ("dependencies", "peerDependencies"):
        deps = packed.package_json.get(key)
        if isinstance(deps, dict) and isinstance(deps.get(dependency), str):
            return str(deps[dependency])
    raise VendorError(f"{packed.package}@{packed.version} does not declare {dependency}")


def load_lock(vendor_dir: Path) -> dict[str, dict[str, object]]:
    path = vendor_dir / MANIFEST_NAME
    if not path.is_file():
        return {}
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return {str(asset["name"]): asset for asset in manifest["assets"]}


def copy_files(
    packed: Packed, mapping: dict[str, str], folder: str, out_dir: Path
) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    for member, target in mapping.items():
        if member not in packed.members:
            raise VendorError(f"{packed.tarball}: {member} not found")
        data = packed.members[member]
        rel = PurePosixPath(folder, target)
        dest = out_dir.joinpath(*rel.parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        entries.append(
            {"path": str(rel), "from": member, "sha256": sha256(data), "bytes": len(data)}
        )
    return entries


def build(
    out_dir: Path, lock: dict[str, dict[str, object]], latest: bool, pins: dict[str, str]
) -> dict[str, object]:
    """Populate ``out_dir`` (empty) and return the manifest."""
    assets: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        dl = Path(tmp)
        for asset in ASSETS:
            locked = lock.get(asset.name, {})
            if asset.name in pins:
                spec = pins[asset.name]
            elif latest or "version" not in locked:
                spec = asset.track
            else:
                spec = str(locked["version"])
            packed = npm_pack(f"{asset.package}@{spec}", dl)
            print(f"{asset.name}: {packed.package}@{packed.version}", file=sys.stderr)

            files = copy_files(packed, asset.files, asset.name, out_dir)
            for target, (text, origin) in asset.generated.items():
                data = text.encode("utf-8")
                rel = PurePosixPath(asset.name, target)
                out_dir.joinpath(*rel.parts).write_bytes(data)
                files.append(
                    {"path": str(rel), "from": origin, "sha256": sha256(data), "bytes": len(data)}
                )

            locked_list = locked.get("bundled")
            locked_bundled = {
                str(b["package"]): str(b["version"])
                for b in (locked_list if isinstance(locked_list, list) else [])
            }
            bundled: list[dict[str, object]] = []
            for dep in asset.bundled:
                if dep.package in locked_bundled and not latest and asset.name not in pins:
                    dep_spec = locked_bundled[dep.package]
                else:
                    dep_spec = dependency_range(packed, dep.package)
                dep_packed = npm_pack(f"{dep.package}@{dep_spec}", dl)
                bundled.append(
                    {
                        "package": dep_packed.package,
                        "version": dep_packed.version,
                        "licence": dep.licence,
                        "source": dep_packed.tarball,
                        "tarball_sha256": dep_packed.tarball_sha256,
                        "integrity": dep_packed.integrity,
                        "files": copy_files(dep_packed, dep.files, asset.name, out_dir),
                    }
                )

            entry: dict[str, object] = {
                "name": asset.name,
                "package": packed.package,
                "version": packed.version,
                "licence": asset.licence,
                "source": packed.tarball,
                "tarball_sha256": packed.tarball_sha256,
                "integrity": packed.integrity,
                "files": files,
            }
            if bundled:
                entry["bundled"] = bundled
            declared = packed.package_json.get("license")
            if declared != asset.licence:
                raise VendorError(
                    f"{packed.package}@{packed.version} declares licence {declared!r}, "
                    f"expected {asset.licence!r}: review before vendoring"
                )
            assets.append(entry)

    return {
        "generated_by": "scripts/vendor_assets.py",
        "registry": "https://registry.npmjs.org/",
        "assets": assets,
    }


def write_manifest(out_dir: Path, manifest: dict[str, object]) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (out_dir / MANIFEST_NAME).write_text(text, encoding="utf-8")


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): sha256(p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def parse_pins(values: list[str]) -> dict[str, str]:
    names = {asset.name for asset in ASSETS}
    pins: dict[str, str] = {}
    for value in values:
        name, sep, version = value.partition("=")
        if not sep or name not in names or not version:
            raise VendorError(f"--set expects NAME=VERSION with NAME in {sorted(names)}")
        pins[name] = version
    return pins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--latest", action="store_true", help="upgrade within each track range")
    mode.add_argument("--check", action="store_true", help="verify the folder; write nothing")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VERSION")
    parser.add_argument("--vendor-dir", type=Path, default=VENDOR_DIR)
    args = parser.parse_args(argv)

    vendor_dir: Path = args.vendor_dir
    try:
        pins = parse_pins(args.set)
        lock = load_lock(vendor_dir)
        with tempfile.TemporaryDirectory() as tmp:
            staged = Path(tmp) / "vendor"
            staged.mkdir()
            manifest = build(staged, lock, args.latest, pins)
            write_manifest(staged, manifest)
            if args.check:
                if tree_digest(staged) != tree_digest(vendor_dir):
                    print(f"{vendor_dir} differs from the locked packages", file=sys.stderr)
                    return 1
                print(f"{vendor_dir} matches the locked packages")
                return 0
            if vendor_dir.exists():
                shutil.rmtree(vendor_dir)
            shutil.copytree(staged, vendor_dir)
    except (VendorError, subprocess.CalledProcessError) as exc:
        print(f"vendor_assets: {exc}", file=sys.stderr)
        return 1

    total = sum(p.stat().st_size for p in vendor_dir.rglob("*") if p.is_file())
    print(f"wrote {vendor_dir} ({total} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
