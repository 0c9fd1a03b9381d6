"""The deterministic demo-data generator (sunshine.demo.fake)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache

import pytest

from sunshine.core.identifiers import (
    validate_id_number,
    validate_jy_licence,
    validate_region_code,
    validate_sc_licence,
    validate_uscc,
)
from sunshine.demo.fake import (
    BUSINESS_CATEGORIES,
    BUSINESS_FORMS,
    BUSINESS_SCALES,
    FakeBusiness,
    RegionRef,
    generate_province,
)
from sunshine.regions.dataset import load_divisions

TODAY = date(2026, 11, 29)

# A small slice of 四川省 (real GB/T 2260 and NBS codes).
SMALL_PROVINCE = [
    RegionRef("510000", "四川省", "province", None),
    RegionRef("510100", "成都市", "prefecture", "510000"),
    RegionRef("510104", "锦江区", "county", "510100"),
    RegionRef("510104022", "春熙路街道", "township", "510104"),
    RegionRef("510104023", "书院街街道", "township", "510104"),
    RegionRef("510107", "武侯区", "county", "510100"),
    RegionRef("510107001", "浆洗街街道", "township", "510107"),
    RegionRef("510107005", "玉林街道", "township", "510107"),
    RegionRef("510121", "金堂县", "county", "510100"),
    RegionRef("510121001", "赵镇街道", "township", "510121"),
    RegionRef("510121106", "五凤镇", "township", "510121"),
    RegionRef("510129", "大邑县", "county", "510100"),
    RegionRef("510181", "都江堰市", "county", "510100"),
    RegionRef("510600", "德阳市", "prefecture", "510000"),
    RegionRef("510603", "旌阳区", "county", "510600"),
    RegionRef("510623", "中江县", "county", "510600"),
]
COUNTIES = [r.code for r in SMALL_PROVINCE if r.level == "county"]
URBAN = {"510104", "510107", "510603"}


def generate(
    businesses: int,
    *,
    seed: int = 1,
    regions: Sequence[RegionRef] = SMALL_PROVINCE,
    focus: Sequence[str] = (),
) -> list[FakeBusiness]:
    return list(
        generate_province(
            seed=seed, businesses=businesses, regions=regions, today=TODAY, focus_counties=focus
        )
    )


def last_valid_day(issued: date, years: int) -> date:
    """The day before the ``years``-th anniversary (28 February for a 29 February issue)."""
    try:
        anniversary = issued.replace(year=issued.year + years)
    except ValueError:
        anniversary = issued.replace(year=issued.year + years, day=28)
    return anniversary - timedelta(days=1)


@cache
def sichuan() -> tuple[RegionRef, ...]:
    """All of 四川省 from the packaged division dataset."""
    return tuple(
        RegionRef(d.code, d.name, d.level, d.parent_code) for d in load_divisions("510000")
    )


@cache
def sichuan_2000() -> tuple[FakeBusiness, ...]:
    return tuple(generate(2000, seed=42, regions=sichuan(), focus=("510104", "510107")))


def test_same_seed_gives_identical_output() -> None:
    assert generate(150, seed=9) == generate(150, seed=9)


def test_different_seeds_differ() -> None:
    first, second = generate(50, seed=1), generate(50, seed=2)
    assert [b.name for b in first] != [b.name for b in second]


def test_output_is_stable_across_interpreters() -> None:
    """No dependence on str hash randomisation: a fresh process gives the same names."""
    script = (
        "from datetime import date\n"
        "from sunshine.demo.fake import RegionRef, generate_province\n"
        "r = [RegionRef('510000', '四川省', 'province', None),"
        " RegionRef('510100', '成都市', 'prefecture', '510000'),"
        " RegionRef('510104', '锦江区', 'county', '510100'),"
        " RegionRef('510104022', '春熙路街道', 'township', '510104'),"
        " RegionRef('510121', '金堂县', 'county', '510100')]\n"
        "bs = generate_province(seed=5, businesses=20, regions=r, today=date(2026, 11, 29))\n"
        "print('|'.join(b.name + b.uscc + b.staff[0].id_number for b in bs))\n"
    )
    regions = [SMALL_PROVINCE[i] for i in (0, 1, 2, 3, 8)]
    expected = "|".join(
        b.name + b.uscc + b.staff[0].id_number for b in generate(20, seed=5, regions=regions)
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(hash_seed), "PYTHONPATH": ":".join(sys.path)},
        ).stdout.strip()
        for hash_seed in (1, 2)
    }
    assert outputs == {expected}


def test_keys_run_from_zero_in_order() -> None:
    assert [b.key for b in generate(40)] == list(range(40))


def test_zero_businesses() -> None:
    assert generate(0) == []


def test_focus_counties_get_their_share_even_when_small() -> None:
    businesses = generate(30, focus=("510104", "510121"))
    per_county = Counter(b.county_code for b in businesses)
    assert per_county["510104"] >= 3
    assert per_county["510121"] >= 3
    assert len(businesses) == 30


def test_focus_counties_get_a_twentieth_of_a_larger_province() -> None:
    businesses = generate(400, focus=("510129",))
    assert Counter(b.county_code for b in businesses)["510129"] >= 400 // 20


def test_every_county_gets_a_business() -> None:
    for total in (len(COUNTIES), len(COUNTIES) + 3, 100):
        per_county = Counter(b.county_code for b in generate(total))
        assert set(per_county) == set(COUNTIES), total


def test_focus_quota_comes_first_then_one_per_county() -> None:
    focus = ("510104", "510121")
    per_county = Counter(b.county_code for b in generate(3 * 2 + 5, focus=focus))
    assert set(per_county) == set(COUNTIES)
    assert per_county["510104"] == per_county["510121"] == 3
    # Too few to go round: the focus quota holds, urban districts are served next.
    per_county = Counter(b.county_code for b in generate(8, focus=focus))
    assert per_county["510104"] == per_county["510121"] == 3
    assert set(per_county) == {"510104", "510121", "510107", "510603"}


def test_urban_districts_get_more_businesses_than_rural_counties() -> None:
    per_county = Counter(b.county_code for b in generate(2000))
    urban = [per_county[c] for c in COUNTIES if c in URBAN]
    rural = [per_county[c] for c in COUNTIES if c not in URBAN]
    assert min(urban) > max(rural)


def test_bad_arguments_are_rejected_at_once() -> None:
    with pytest.raises(ValueError, match="focus counties not among"):
        generate_province(
            seed=1, businesses=10, regions=SMALL_PROVINCE, today=TODAY, focus_counties=["999999"]
        )
    with pytest.raises(ValueError, match="no county-level division"):
        generate_province(seed=1, businesses=10, regions=SMALL_PROVINCE[:2], today=TODAY)
    with pytest.raises(ValueError, match="must be >= 0"):
        generate_province(seed=1, businesses=-1, regions=SMALL_PROVINCE, today=TODAY)


def test_enumerated_fields_use_their_vocabularies() -> None:
    for b in sichuan_2000():
        assert b.category in BUSINESS_CATEGORIES
        assert b.form in BUSINESS_FORMS
        assert b.scale in BUSINESS_SCALES
        assert b.licence_status in ("valid", "suspended", "revoked")
        assert b.operating_status in ("operating", "suspended", "closed")
        assert b.licence_scope
        for person in b.staff:
            assert person.gender in ("male", "female")


def test_all_generated_codes_validate() -> None:
    for b in sichuan_2000():
        assert validate_uscc(b.uscc) == b.uscc
        assert b.uscc[2:8] == b.county_code
        if b.category == "producer":
            number, warnings = validate_sc_licence(b.licence_number)
            assert number == b.licence_number
            assert warnings == []
            assert b.licence_number[5:11] == b.county_code
        else:
            assert validate_jy_licence(b.licence_number) == b.licence_number
            assert b.licence_number[2] == ("2" if b.category == "caterer" else "1")
            assert b.licence_number[3:9] == b.county_code
        assert validate_region_code(b.county_code) == b.county_code
        for person in b.staff:
            assert validate_id_number(person.id_number, today=TODAY) == person.id_number
            assert person.id_number.startswith("51")
            assert int(person.id_number[16]) % 2 == (person.gender == "male")
            assert 1965 <= int(person.id_number[6:10]) <= 2004


def test_identifiers_are_unique() -> None:
    businesses = sichuan_2000()
    ids = [p.id_number for b in businesses for p in b.staff]
    certs = [p.health_cert_number for b in businesses for p in b.staff if p.health_cert_number]
    assert len({b.uscc for b in businesses}) == len(businesses)
    assert len({b.licence_number for b in businesses}) == len(businesses)
    assert len(set(ids)) == len(ids)
    assert len(set(certs)) == len(certs)
    assert len({(b.county_code, b.name) for b in businesses}) == len(businesses)


def test_category_proportions() -> None:
    businesses = sichuan_2000()
    categories = Counter(b.category for b in businesses)
    assert categories["caterer"] == pytest.approx(0.85 * len(businesses), rel=0.03)
    for supplier in ("producer", "wholesaler", "market_vendor"):
        assert categories[supplier] >= 0.03 * len(businesses)
    forms = Counter(b.form for b in businesses)
    assert forms["restaurant"] > forms["fast_food"] > forms["school_canteen"] > 0
    assert all(forms[form] > 0 for form in BUSINESS_FORMS)


def test_chains_have_headquarters_and_outlets_in_several_counties() -> None:
    businesses = sichuan_2000()
    by_key = {b.key: b for b in businesses}
    headquarters = [b for b in businesses if b.is_chain_hq]
    outlets = [b for b in businesses if b.chain_hq_key is not None]
    assert 5 <= len(headquarters) <= 10
    assert len(outlets) >= 2 * len(headquarters)
    for outlet in outlets:
        assert outlet.chain_hq_key is not None
        hq = by_key[outlet.chain_hq_key]
        assert hq.is_chain_hq
        assert hq.key < outlet.key  # streaming consumers see the HQ first
        assert outlet.form == "chain_outlet"
        assert outlet.category == "caterer"
        assert outlet.name.endswith("店）")
        brand = outlet.name.split("（")[0]
        assert brand in hq.name
    for hq in headquarters:
        assert hq.chain_hq_key is None
        counties = {o.county_code for o in outlets if o.chain_hq_key == hq.key}
        assert len(counties) >= 2, hq.name


def test_staff_sizes_follow_the_scale() -> None:
    ranges = {"micro": (2, 4), "small": (3, 8), "medium": (6, 20), "large": (15, 40)}
    businesses = sichuan_2000()
    for b in businesses:
        low, high = ranges[b.scale]
        assert low <= len(b.staff) <= high
        assert b.contact_name == b.staff[0].name
        assert b.food_safety_manager in {p.name for p in b.staff}
    average = sum(len(b.staff) for b in businesses) / len(businesses)
    assert 5.0 <= average <= 7.0


def test_health_certificates() -> None:
    staff = [p for b in sichuan_2000() for p in b.staff]
    states: Counter[str] = Counter()
    for p in staff:
        if p.health_cert_expiry_date is None:
            assert p.health_cert_number == ""
            assert p.health_cert_issue_date is None
            states["missing"] += 1
            continue
        assert p.health_cert_issue_date is not None
        assert p.health_cert_issue_date <= TODAY
        assert p.health_cert_expiry_date == last_valid_day(p.health_cert_issue_date, 1)
        if p.health_cert_expiry_date < TODAY:
            states["expired"] += 1
        elif p.health_cert_expiry_date <= TODAY + timedelta(days=30):
            states["expiring"] += 1
    assert states["missing"] / len(staff) == pytest.approx(0.02, abs=0.01)
    assert states["expired"] / len(staff) == pytest.approx(0.04, abs=0.015)
    assert states["expiring"] / len(staff) == pytest.approx(0.06, abs=0.02)


def test_positions_and_direct_contact() -> None:
    staff = [(b, p) for b in sichuan_2000() for p in b.staff]
    positions = Counter(p.position for _, p in staff)
    for position in (
        "厨师",
        "切配",
        "服务员",
        "洗碗工",
        "店长",
        "食品安全管理员",
        "采购员",
        "面点师",
    ):
        assert positions[position] > 0, position
    for b, p in staff:
        if p.position in ("厨师", "切配") and b.category == "caterer":
            assert p.direct_contact
        if p.position in ("店长", "采购员"):
            assert not p.direct_contact


def test_licence_dates_and_states() -> None:
    businesses = sichuan_2000()
    expired = expiring = 0
    for b in businesses:
        assert b.licence_issue_date <= TODAY
        assert b.licence_expiry_date == last_valid_day(b.licence_issue_date, 5)
        if b.licence_expiry_date < TODAY:
            expired += 1
        elif b.licence_expiry_date <= TODAY + timedelta(days=60):
            expiring += 1
        if b.licence_status == "revoked":
            assert b.operating_status == "closed"
    assert expired / len(businesses) == pytest.approx(0.02, abs=0.012)
    assert expiring / len(businesses) == pytest.approx(0.03, abs=0.015)
    statuses = Counter(b.licence_status for b in businesses)
    assert statuses["suspended"] / len(businesses) == pytest.approx(0.01, abs=0.008)
    assert statuses["revoked"] < 0.01 * len(businesses)


def test_addresses_and_townships() -> None:
    townships = {r.code: r for r in sichuan() if r.level == "township"}
    counties = {r.code: r for r in sichuan() if r.level == "county"}
    for b in sichuan_2000():
        county = counties[b.county_code]
        assert b.address.startswith("四川省")
        assert county.name in b.address
        assert b.address.endswith("号")
        assert b.township_code is not None
        township = townships[b.township_code]
        assert township.parent_code == b.county_code
        assert township.name in b.address


def test_address_example_shape() -> None:
    wuhou = [b for b in generate(200) if b.county_code == "510107"]
    assert wuhou
    for b in wuhou:
        assert b.address.startswith(("四川省成都市武侯区浆洗街街道", "四川省成都市武侯区玉林街道"))
        assert b.township_code in ("510107001", "510107005")


def test_no_townships_means_no_township_code() -> None:
    regions = [r for r in SMALL_PROVINCE if r.level != "township"]
    for b in generate(30, regions=regions):
        assert b.township_code is None
        assert b.address.startswith("四川省")


def test_municipal_districts_are_addressed_by_city() -> None:
    regions = [
        RegionRef("110000", "北京市", "province", None),
        RegionRef("110100", "市辖区", "prefecture", "110000"),
        RegionRef("110101", "东城区", "county", "110100"),
        RegionRef("110101001", "东华门街道", "township", "110101"),
    ]
    for b in generate(10, regions=regions):
        assert b.address.startswith("北京市东城区东华门街道")
        assert validate_uscc(b.uscc)


def test_coordinates_are_near_the_province() -> None:
    chengdu = (30.57, 104.07)
    for b in sichuan_2000():
        assert abs(b.latitude - chengdu[0]) < 2.0
        assert abs(b.longitude - chengdu[1]) < 2.0
    same_county = [b for b in sichuan_2000() if b.county_code == "510107"]
    latitudes = [b.latitude for b in same_county]
    assert max(latitudes) - min(latitudes) < 0.5


def test_generator_is_pure() -> None:
    """No database layer is imported by the generator."""
    code = (
        "import sys, sunshine.demo.fake\n"
        "assert not [m for m in sys.modules if m.startswith(('sqlalchemy', 'sunshine.regions'))]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": ":".join(sys.path)})


def test_names_look_chinese_and_fit_the_columns() -> None:
    for b in sichuan_2000():
        assert 2 <= len(b.name) <= 120
        assert len(b.address) <= 200
        assert len(b.contact_name) <= 40
        assert all("\u4e00" <= char <= "\u9fff" for char in b.staff[0].name)
