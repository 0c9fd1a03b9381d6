"""Identifier validation and generation, on the worked examples of identifiers.md §8."""

from __future__ import annotations

import random
from datetime import date

import pytest

from sunshine.core.identifiers import (
    IdentifierError,
    id_check_char,
    make_id_number,
    make_jy_licence,
    make_sc_licence,
    make_uscc,
    mod11_10_check_digit,
    org_code_check_char,
    uscc_check_char,
    validate_id_number,
    validate_jy_licence,
    validate_region_code,
    validate_sc_licence,
    validate_uscc,
)

# Real numbers quoted in identifiers.md (public product pages and code).
JY_SAMPLES = [
    "21305320011643",
    "23506230105266",
    "11117051464030",
    "11105300065940",
    "11408020030619",
    "11407020031943",
    "24107110024586",
    "24406223547420",
]
SC_MATCHING_MOD11_10 = [
    "11834020305037",
    "10744030704994",
    "10811310111839",
    "12437010500152",
    "12441112200063",
]
SC_NOT_MATCHING = {"12442011202449": 0, "11453282248002": 4}  # number -> MOD 11,10 digit


FIRST_BIRTH = date(1940, 1, 1).toordinal()
LAST_BIRTH = date(2010, 12, 31).toordinal()


def error_of(excinfo: pytest.ExceptionInfo[IdentifierError]) -> tuple[str, str]:
    return excinfo.value.code, str(excinfo.value)


# -- 统一社会信用代码 ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["91350100M000100Y43", "9144030071526726XG"])
def test_published_usccs_are_valid(code: str) -> None:
    assert validate_uscc(code) == code


def test_uscc_worked_example_check_character() -> None:
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert uscc_check_char("9144030071526726X") == "G"


def test_uscc_with_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(IdentifierError) as excinfo:
        validate_uscc("91350100M000100Y4Z")
    assert error_of(excinfo) == ("uscc.check_char", "check character should be 3, got Z")


def test_uscc_is_normalised() -> None:
    assert validate_uscc("  91350100m000100y43 ") == "91350100M000100Y43"


def test_uscc_error_is_a_value_error_with_a_message_attribute() -> None:
    with pytest.raises(ValueError, match="must be 18 characters, got 17") as excinfo:
        validate_uscc("91350100M000100Y4")
    assert isinstance(excinfo.value, IdentifierError)
    assert excinfo.value.code == "uscc.length"
    assert excinfo.value.message == "must be 18 characters, got 17"


def test_uscc_rejects_letters_outside_the_alphabet() -> None:
    with pytest.raises(IdentifierError) as excinfo:
        validate_uscc("91350100I000100Y43")
    code, message = error_of(excinfo)
    assert code == "uscc.charset"
    assert message.startswith("character 'I' at position 9 is not allowed")


def test_uscc_checks_the_region_code() -> None:
    first17 = "91990100M000100Y4"  # province 99 does not exist
    with pytest.raises(IdentifierError) as excinfo:
        validate_uscc(first17 + uscc_check_char(first17))
    code, message = error_of(excinfo)
    assert code == "uscc.region"
    assert "positions 3-8 (990100)" in message


def test_uscc_checks_the_embedded_organisation_code() -> None:
    first17 = "91350100M000100Y5"  # GB 11714 check character should be 4
    with pytest.raises(IdentifierError) as excinfo:
        validate_uscc(first17 + uscc_check_char(first17))
    assert error_of(excinfo) == (
        "uscc.org_check_char",
        "organisation code check character (position 17) should be 4, got 5",
    )


def test_organisation_code_check_characters() -> None:
    assert org_code_check_char("M000100Y") == "4"
    assert org_code_check_char("71526726") == "X"
    with pytest.raises(ValueError):
        org_code_check_char("M00010")


def test_uscc_check_char_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("91350100M000100Y")
    with pytest.raises(ValueError):
        uscc_check_char("91350100M000100YZ")


@pytest.mark.parametrize("seed", range(40))
def test_generated_usccs_round_trip(seed: int) -> None:
    rng = random.Random(seed)
    code = make_uscc(rng=rng, region_code="510104", category="2")
    assert validate_uscc(code) == code
    assert code.startswith("92510104")


def test_make_uscc_accepts_other_authorities() -> None:
    code = make_uscc(rng=random.Random(1), region_code="510107", category="2", authority="1")
    assert validate_uscc(code).startswith("12510107")
    with pytest.raises(IdentifierError):
        make_uscc(rng=random.Random(1), region_code="990000")
    with pytest.raises(ValueError):
        make_uscc(rng=random.Random(1), region_code="510104", category="Z")


# -- 居民身份证号码 --------------------------------------------------------------------------


def test_standard_id_sample_is_valid() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert validate_id_number("11010519491231002X") == "11010519491231002X"


def test_id_number_lower_case_x_is_normalised() -> None:
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


def test_id_number_with_wrong_check_character() -> None:
    with pytest.raises(IdentifierError) as excinfo:
        validate_id_number("110105194912310021")
    assert error_of(excinfo) == ("id.check_char", "check character should be X, got 1")


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        ("11010519491231002", "id.length", "must be 18 characters, got 17"),
        ("1101051949123100AX", "id.digits", "character 'A' at position 17 must be a digit"),
        ("11010519491231002Y", "id.check_char", "must be a digit or X, got Y"),
        ("110105194902310020", "id.birth_date", "19490231 is not a real date"),
        ("000105194912310020", "id.region", "positions 1-6 (000105)"),
    ],
)
def test_malformed_id_numbers(number: str, code: str, message: str) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        validate_id_number(number)
    assert excinfo.value.code == code
    assert message in str(excinfo.value)


def test_id_number_born_in_the_future_is_rejected() -> None:
    first17 = "11010520300101002"
    number = first17 + id_check_char(first17)
    with pytest.raises(IdentifierError, match="2030-01-01 is in the future"):
        validate_id_number(number, today=date(2026, 1, 1))
    assert validate_id_number(number, today=date(2030, 1, 1)) == number


@pytest.mark.parametrize("male", [True, False])
def test_generated_id_numbers_round_trip(male: bool) -> None:
    rng = random.Random(5)
    for _ in range(200):
        born = date.fromordinal(rng.randint(FIRST_BIRTH, LAST_BIRTH))
        number = make_id_number(rng=rng, region_code="510107", birth_date=born, male=male)
        assert validate_id_number(number) == number
        assert number[6:14] == born.strftime("%Y%m%d")
        assert int(number[16]) % 2 == (1 if male else 0)


def test_make_id_number_with_a_chosen_sequence() -> None:
    born = date(1990, 5, 6)
    number = make_id_number(
        rng=random.Random(0), region_code="510104", birth_date=born, male=True, sequence=12
    )
    assert number[:17] == "51010419900506025"
    with pytest.raises(ValueError):
        make_id_number(rng=random.Random(0), region_code="5101", birth_date=born, male=True)


# -- 食品经营许可证 JY ---------------------------------------------------------------------------


@pytest.mark.parametrize("digits", JY_SAMPLES)
def test_real_jy_numbers_are_accepted(digits: str) -> None:
    assert validate_jy_licence(f"JY{digits}") == f"JY{digits}"


def test_jy_number_is_normalised() -> None:
    assert validate_jy_licence(" jy24107110024586 ") == "JY24107110024586"


def test_jy_check_digit_is_not_used_to_reject() -> None:
    for last in "0123456789":
        assert validate_jy_licence(f"JY2410711002458{last}")


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        ("SC24107110024586", "jy.prefix", "must start with JY, got SC"),
        ("", "jy.prefix", "must start with JY, got nothing"),
        ("JY2410711002458", "jy.length", "must be JY followed by 14 digits, got 13 digits"),
        ("JY241071100245867", "jy.length", "must be JY followed by 14 digits, got 15 digits"),
        ("JY2410711O024586", "jy.digits", "character 'O' at position 10 must be a digit"),
        ("JY04107110024586", "jy.format_digit", "(position 3) must be 1-9, got 0"),
    ],
)
def test_malformed_jy_numbers(number: str, code: str, message: str) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        validate_jy_licence(number)
    assert excinfo.value.code == code
    assert message in str(excinfo.value)


def test_generated_jy_numbers() -> None:
    rng = random.Random(3)
    number = make_jy_licence(rng=rng, form_digit=2, county_code="510107", sequence=4321)
    assert number.startswith("JY25101070043")
    assert validate_jy_licence(number) == number
    for _ in range(100):
        assert validate_jy_licence(make_jy_licence(rng=rng, form_digit=1, county_code="510104"))
    with pytest.raises(ValueError):
        make_jy_licence(rng=rng, form_digit=0, county_code="510107")
    with pytest.raises(ValueError):
        make_jy_licence(rng=rng, form_digit=2, county_code="510107", sequence=1_000_000)


# -- 食品生产许可证 SC ---------------------------------------------------------------------------


@pytest.mark.parametrize("digits", SC_MATCHING_MOD11_10)
def test_real_sc_numbers_without_warnings(digits: str) -> None:
    assert mod11_10_check_digit(digits[:13]) == int(digits[13])
    assert validate_sc_licence(f"SC{digits}") == (f"SC{digits}", [])


@pytest.mark.parametrize(("digits", "expected"), SC_NOT_MATCHING.items())
def test_real_sc_numbers_with_a_check_digit_warning_are_still_accepted(
    digits: str, expected: int
) -> None:
    number, warnings = validate_sc_licence(f"sc{digits}")
    assert number == f"SC{digits}"
    assert len(warnings) == 1
    assert warnings[0].startswith(f"check digit should be {expected} ")
    assert f"got {digits[13]}" in warnings[0]


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        ("JY11834020305037", "sc.prefix", "must start with SC, got JY"),
        ("SC1183402030503", "sc.length", "got 13 digits"),
        ("SC31834020305037", "sc.category", "must be 1 (food) or 2 (food additive), got 3"),
        ("SC118340203050-7", "sc.digits", "character '-' at position 15 must be a digit"),
    ],
)
def test_malformed_sc_numbers(number: str, code: str, message: str) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        validate_sc_licence(number)
    assert excinfo.value.code == code
    assert message in str(excinfo.value)


def test_generated_sc_numbers_pass_their_check_digit() -> None:
    rng = random.Random(11)
    for category in ("103", "124", "201"):
        number = make_sc_licence(rng=rng, category=category, county_code="510121")
        assert number.startswith(f"SC{category}510121")
        assert validate_sc_licence(number) == (number, [])
    with pytest.raises(ValueError):
        make_sc_licence(rng=rng, category="303", county_code="510121")


def test_mod11_10_rejects_non_digits() -> None:
    with pytest.raises(ValueError):
        mod11_10_check_digit("12a")


# -- 行政区划代码 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["510000", "510100", "510104", "110101", "429004", "510104001", "441900003", "350527000"],
)
def test_valid_region_codes(code: str) -> None:
    assert validate_region_code(code) == code


@pytest.mark.parametrize(
    ("code", "error_code", "message"),
    [
        ("5101", "region.length", "must be 6 or 9 digits, got 4 characters"),
        ("51a104", "region.digits", "character 'a' at position 3 must be a digit"),
        ("990104", "region.province", "province digits (positions 1-2) 99"),
        ("517104", "region.prefecture", "must be 00-70 or 90, got 71"),
        ("510007", "region.county", "must be 00 when the prefecture digits are 00, got 07"),
        ("510104600", "region.township", "must be 000-599, got 600"),
        ("510000001", "region.township", "prefecture digits (positions 3-4) are 00"),
    ],
)
def test_invalid_region_codes(code: str, error_code: str, message: str) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        validate_region_code(code)
    assert excinfo.value.code == error_code
    assert message in str(excinfo.value)
