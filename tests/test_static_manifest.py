"""The vendored front-end assets match MANIFEST.json (no CDN on closed government networks)."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import pytest

VENDOR = resources.files("sunshine") / "static" / "vendor"
ASSET_KEYS = {"name", "package", "version", "licence", "source", "files"}


def _assets() -> list[dict[str, Any]]:
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))
    assets: list[dict[str, Any]] = manifest["assets"]
    return assets


def _resolve(rel_path: str) -> Traversable:
    node = VENDOR
    for part in rel_path.split("/"):
        assert part not in {"", ".", ".."}, f"suspicious manifest path {rel_path!r}"
        node = node / part
    return node


def _manifest_files() -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    for asset in _assets():
        files.extend(asset["files"])
        for bundled in asset.get("bundled", []):
            files.extend(bundled["files"])
    return files


def _walk(node: Traversable, prefix: str = "") -> list[str]:
    found: list[str] = []
    for child in node.iterdir():
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            found.extend(_walk(child, rel + "/"))
        else:
            found.append(rel)
    return found


def test_manifest_lists_expected_assets() -> None:
    assets = _assets()
    names = {asset["name"] for asset in assets}
    assert {"bootstrap", "bootstrap-icons", "htmx", "alpinejs", "echarts"} <= names
    for asset in assets:
        assert asset.keys() >= ASSET_KEYS, asset.get("name")
        assert str(asset["source"]).endswith(".tgz")
        paths = {f["path"] for f in asset["files"]}
        assert f"{asset['name']}/LICENSE" in paths, f"{asset['name']} has no LICENSE"
        assert all(p.startswith(f"{asset['name']}/") for p in paths)


@pytest.mark.parametrize("entry", _manifest_files(), ids=lambda e: str(e["path"]))
def test_file_exists_with_sha256(entry: dict[str, Any]) -> None:
    node = _resolve(str(entry["path"]))
    assert node.is_file(), f"missing {entry['path']}"
    data = node.read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{entry['path']} modified"
    if "bytes" in entry:
        assert len(data) == entry["bytes"]


def test_no_unlisted_files() -> None:
    listed = {str(entry["path"]) for entry in _manifest_files()} | {"MANIFEST.json"}
    on_disk = set(_walk(VENDOR))
    assert on_disk - listed == set(), "files in vendor/ not recorded in MANIFEST.json"
