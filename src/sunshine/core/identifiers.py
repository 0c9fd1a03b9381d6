"""Identifier validation and generation.

The algorithms follow ``regulations/identifiers.md`` in the shared reference material:

* 统一社会信用代码 (GB 32100-2015): MOD 31 check character, with the embedded
  组织机构代码 (GB 11714) MOD 11 check at position 17;
* 居民身份证号码 (GB 11643-1999): ISO 7064 MOD 11-2;
* 食品经营许可证 (JY + 14 digits): format only, the check digit algorithm is not published;
* 食品生产许可证 (SC + 14 digits): format, plus an ISO 7064 MOD 11,10 check that only warns;
* 行政区划代码 (GB/T 2260, and the 9-digit NBS township extension): structure only.

Validators return the normalised value (stripped, upper-case) or raise
:class:`IdentifierError` whose ``code`` is a stable machine key and whose message says exactly
what is wrong. The message is a translatable template (``template``, marked with ``N_``) with
named ``params``; ``str(error)`` and ``error.message`` are the English text.
"""

from __future__ import annotations

import functools
import operator
import random
import re
from datetime import date

from sunshine.core.errors import TranslatableValueError
from sunshine.core.i18n import N_, ParamValue
from sunshine.core.time import today_local

__all__ = [
    "IdentifierError",
    "id_check_char",
    "make_id_number",
    "make_jy_licence",
    "make_sc_licence",
    "make_uscc",
    "mod11_10_check_digit",
    "org_code_check_char",
    "uscc_check_char",
    "validate_id_number",
    "validate_jy_licence",
    "validate_region_code",
    "validate_sc_licence",
    "validate_uscc",
]


class IdentifierError(TranslatableValueError):
    """An identifier failed validation.

    ``code`` is a machine key such as ``"uscc.check_char"``; the message (``str(error)``,
    ``error.message``) is a human English sentence naming the problem, e.g. ``"check character
    should be 3, got Z"``, made from ``template`` (``"check character should be {expected},
    got {actual}"``) and ``params``, so that the portals can show it translated.
    """

    def __init__(self, code: str, template: str, /, **params: ParamValue) -> None:
        self._set(template, params, code=code, field=None)


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------

_DIGITS = "0123456789"


def _normalise(value: str) -> str:
    """Strip surrounding whitespace and upper-case."""
    return value.strip().upper()


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _first_non_digit(text: str, offset: int = 0) -> tuple[int, str] | None:
    """1-based position (plus ``offset``) and character of the first non-digit, if any."""
    for index, char in enumerate(text):
        if char not in _DIGITS:
            return index + 1 + offset, char
    return None


def _require_digits(text: str, *, code: str, offset: int = 0) -> None:
    """Raise ``IdentifierError(code)`` naming the first non-digit character of ``text``."""
    if _is_ascii_digits(text):
        return
    bad = _first_non_digit(text, offset)
    if bad is not None:
        position, char = bad
        raise IdentifierError(
            code,
            N_("character '{char}' at position {position} must be a digit"),
            char=char,
            position=position,
        )


# --------------------------------------------------------------------------------------------
# Administrative division codes (行政区划代码, GB/T 2260 + NBS township extension)
# --------------------------------------------------------------------------------------------

#: First two digits of the provincial-level divisions in GB/T 2260.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65", "71", "81", "82",
    }
)  # fmt: skip

# 001-099 街道, 100-199 镇, 200-399 乡, 400-599 other units; NBS data also pads a county that
# has no townships with 000 (e.g. 350527000 金门县), so 000 is accepted as well.
_MAX_TOWNSHIP_CODE = 599


def _check_prefecture_digits(code: str) -> None:
    """Digits 3-4: 00 (the province), 01-70 (prefectures) or 90 (directly administered)."""
    prefecture = int(code[2:4])
    if not (prefecture <= 70 or prefecture == 90):
        raise IdentifierError(
            "region.prefecture",
            N_("prefecture digits (positions 3-4) must be 00-70 or 90, got {actual}"),
            actual=code[2:4],
        )
    if prefecture == 0 and code[4:6] != "00":
        raise IdentifierError(
            "region.county",
            N_(
                "county digits (positions 5-6) must be 00 when the prefecture digits are 00, "
                "got {actual}"
            ),
            actual=code[4:6],
        )


def _check_township_digits(code: str) -> None:
    """Digits 7-9 of a 9-digit code: a township (乡级) number 000-599 under a prefecture."""
    if int(code[6:9]) > _MAX_TOWNSHIP_CODE:
        raise IdentifierError(
            "region.township",
            N_("township digits (positions 7-9) must be 000-{maximum}, got {actual}"),
            maximum=f"{_MAX_TOWNSHIP_CODE:03d}",
            actual=code[6:9],
        )
    if code[2:4] == "00":
        raise IdentifierError(
            "region.township",
            N_(
                "a township code must lie under a prefecture or county, "
                "but its prefecture digits (positions 3-4) are 00"
            ),
        )


def validate_region_code(code: str) -> str:
    """Administrative division code (行政区划代码): 6 digits, or 9 digits with a township part.

    Only the structure is checked (the province exists, prefecture and township digits lie in
    the ranges GB/T 2260 and the NBS rules use); whether the division exists is a data question.
    """
    value = code.strip()
    if len(value) not in (6, 9):
        raise IdentifierError(
            "region.length",
            N_("must be 6 or 9 digits, got {length} characters"),
            length=len(value),
        )
    _require_digits(value, code="region.digits")
    if value[:2] not in PROVINCE_CODES:
        raise IdentifierError(
            "region.province",
            N_("province digits (positions 1-2) {digits} are not a province"),
            digits=value[:2],
        )
    _check_prefecture_digits(value)
    if len(value) == 9:
        _check_township_digits(value)
    return value


@functools.lru_cache(maxsize=8192)
def _validate_region_code_cached(code: str) -> str:
    """:func:`validate_region_code` for generators that reuse a few thousand county codes."""
    return validate_region_code(code)


# --------------------------------------------------------------------------------------------
# Unified social credit code (统一社会信用代码, GB 32100-2015)
# --------------------------------------------------------------------------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
_USCC_VALUES = {char: value for value, char in enumerate(USCC_CHARS)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, ...
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_LENGTH = 18


def uscc_check_char(first17: str) -> str:
    """Check character (position 18) of a unified social credit code (统一社会信用代码).

    ``first17`` must be 17 characters from the 31-symbol USCC alphabet.
    """
    if len(first17) != 17:
        raise ValueError(f"expected 17 USCC characters, got {first17!r}")
    try:
        values = list(map(_USCC_VALUES.__getitem__, first17))
    except KeyError:
        raise ValueError(f"expected 17 USCC characters, got {first17!r}") from None
    total = sum(map(operator.mul, values, _USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


#: GB 11714 values of body characters: digits 0-9, letters A=10 .. Z=35.
_ORG_VALUES = {char: value for value, char in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def org_code_check_char(first8: str) -> str:
    """Check character of an organisation code (组织机构代码, GB 11714): MOD 11, 10 -> X."""
    if len(first8) != 8:
        raise ValueError(f"expected 8 digits or letters, got {first8!r}")
    try:
        values = list(map(_ORG_VALUES.__getitem__, first8))
    except KeyError:
        raise ValueError(f"expected 8 digits or letters, got {first8!r}") from None
    remainder = 11 - sum(map(operator.mul, values, _ORG_WEIGHTS)) % 11
    if remainder == 10:
        return "X"
    if remainder == 11:
        return "0"
    return str(remainder)


def _check_uscc_charset(value: str) -> None:
    """Positions 1-17 must use the USCC alphabet (position 18 is judged by its check)."""
    for index, char in enumerate(value[:17]):
        if char not in _USCC_VALUES:
            raise IdentifierError(
                "uscc.charset",
                N_(
                    "character '{char}' at position {position} is not allowed "
                    "(the code uses 0-9 and A-Y without I, O, S, V, Z)"
                ),
                char=char,
                position=index + 1,
            )


def _check_uscc_region(value: str) -> None:
    region = value[2:8]
    if not _is_ascii_digits(region):
        raise IdentifierError(
            "uscc.region",
            N_("positions 3-8 must be a 6-digit administrative division code, got {region}"),
            region=region,
        )
    try:
        validate_region_code(region)
    except IdentifierError as error:
        raise IdentifierError(
            "uscc.region",
            N_("positions 3-8 ({region}) are not a division code: {reason}"),
            region=region,
            reason=error.as_message(),
        ) from None


def _check_uscc_org_code(value: str) -> None:
    body = value[8:16]
    expected = org_code_check_char(body)
    if value[16] != expected:
        raise IdentifierError(
            "uscc.org_check_char",
            N_(
                "organisation code check character (position 17) should be {expected}, got {actual}"
            ),
            expected=expected,
            actual=value[16],
        )


def validate_uscc(code: str) -> str:
    """Unified social credit code (统一社会信用代码): return it normalised or raise.

    Checks the length, the alphabet, the registering authority's division code (positions
    3-8), the MOD 31 check character (position 18) and the GB 11714 organisation-code check
    character (position 17).
    """
    value = _normalise(code)
    if len(value) != _USCC_LENGTH:
        raise IdentifierError(
            "uscc.length", N_("must be 18 characters, got {length}"), length=len(value)
        )
    _check_uscc_charset(value)
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        raise IdentifierError(
            "uscc.check_char",
            N_("check character should be {expected}, got {actual}"),
            expected=expected,
            actual=value[17],
        )
    _check_uscc_region(value)
    _check_uscc_org_code(value)
    return value


_ORG_BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # USCC alphabet, so the whole code stays valid


def make_uscc(
    *,
    rng: random.Random,
    region_code: str,
    category: str = "1",
    authority: str = "9",
) -> str:
    """Generate a valid unified social credit code (统一社会信用代码).

    ``authority`` is position 1 (9 = market regulation, 1 = 机构编制 for public institutions),
    ``category`` position 2 (for authority 9: 1 company, 2 sole trader, 3 co-operative) and
    ``region_code`` the registering county (positions 3-8). The organisation-code body is
    either a post-2015 ``MA…`` code or an older all-digit one.
    """
    if len(region_code) != 6:
        raise ValueError(f"region_code must be 6 digits, got {region_code!r}")
    _validate_region_code_cached(region_code)
    if authority not in _USCC_VALUES or category not in _USCC_VALUES:
        raise ValueError(f"authority and category must be USCC characters, got {authority!r}")
    if rng.random() < 0.7:
        body = "MA" + "".join(rng.choices(_ORG_BODY_CHARS, k=6))
    else:
        body = "".join(rng.choices(_DIGITS, k=8))
    first17 = authority + category + region_code + body + org_code_check_char(body)
    return first17 + uscc_check_char(first17)


# --------------------------------------------------------------------------------------------
# Resident identity card number (居民身份证号码, GB 11643-1999)
# --------------------------------------------------------------------------------------------

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, ...
_ID_ASCII_OFFSET = ord("0") * sum(_ID_WEIGHTS)
_ID_CHECK_CHARS = "10X98765432"
_ID_LENGTH = 18
_EARLIEST_BIRTH_YEAR = 1900


def id_check_char(first17: str) -> str:
    """Check character of a resident identity card number (居民身份证号码), ISO 7064 MOD 11-2."""
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise ValueError(f"expected 17 digits, got {first17!r}")
    return _id_check_char_unchecked(first17)


def _id_check_char_unchecked(first17: str) -> str:
    # Sum over the ASCII codes, then remove 48 ("0") per weight: same result, 3x faster.
    total = sum(map(operator.mul, first17.encode("ascii"), _ID_WEIGHTS)) - _ID_ASCII_OFFSET
    return _ID_CHECK_CHARS[total % 11]


def _id_birth_date(value: str, today: date) -> date:
    text = value[6:14]
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdentifierError(
            "id.birth_date",
            N_("birth date (positions 7-14) {birth_date} is not a real date"),
            birth_date=text,
        ) from None
    if born > today:
        raise IdentifierError(
            "id.birth_date",
            N_("birth date (positions 7-14) {birth_date} is in the future"),
            birth_date=born.isoformat(),
        )
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise IdentifierError(
            "id.birth_date",
            N_("birth date (positions 7-14) {birth_date} is before {year}"),
            birth_date=born.isoformat(),
            year=_EARLIEST_BIRTH_YEAR,
        )
    return born


def validate_id_number(code: str, *, today: date | None = None) -> str:
    """Resident identity card number (居民身份证号码): return it normalised or raise.

    18 characters: a 6-digit division code, a real birth date not in the future (relative to
    ``today``, by default today in China), a 3-digit sequence and the check character
    (a digit or upper-case X).
    """
    value = _normalise(code)
    if len(value) != _ID_LENGTH:
        raise IdentifierError(
            "id.length", N_("must be 18 characters, got {length}"), length=len(value)
        )
    _require_digits(value[:17], code="id.digits")
    if value[17] not in _ID_CHECK_CHARS:
        raise IdentifierError(
            "id.check_char",
            N_("check character (position 18) must be a digit or X, got {actual}"),
            actual=value[17],
        )
    try:
        validate_region_code(value[:6])
    except IdentifierError as error:
        raise IdentifierError(
            "id.region",
            N_("positions 1-6 ({region}) are not a division code: {reason}"),
            region=value[:6],
            reason=error.as_message(),
        ) from None
    _id_birth_date(value, today or today_local())
    expected = id_check_char(value[:17])
    if value[17] != expected:
        raise IdentifierError(
            "id.check_char",
            N_("check character should be {expected}, got {actual}"),
            expected=expected,
            actual=value[17],
        )
    return value


def make_id_number(
    *,
    rng: random.Random,
    region_code: str,
    birth_date: date,
    male: bool,
    sequence: int | None = None,
) -> str:
    """Generate a valid resident identity card number (居民身份证号码).

    The 3-digit sequence is odd for men and even for women; pass ``sequence`` (0-499) to choose
    it instead of drawing it from ``rng``.
    """
    if len(region_code) != 6 or not _is_ascii_digits(region_code):
        raise ValueError(f"region_code must be 6 digits, got {region_code!r}")
    half = rng.randrange(500) if sequence is None else sequence
    if not 0 <= half < 500:
        raise ValueError(f"sequence must be 0-499, got {half}")
    number = half * 2 + (1 if male else 0)
    if number == 0:
        number = 2
    born = birth_date.year * 10_000 + birth_date.month * 100 + birth_date.day
    first17 = f"{region_code}{born:08d}{number:03d}"
    return first17 + _id_check_char_unchecked(first17)


# --------------------------------------------------------------------------------------------
# Food licences (食品经营许可证 JY, 食品生产许可证 SC)
# --------------------------------------------------------------------------------------------

_JY_PATTERN = re.compile(r"^JY[1-9]\d{13}$")
_SC_PATTERN = re.compile(r"^SC[12]\d{13}$")
_LICENCE_DIGITS = 14


def _mod11_10_step(product: int, digit: int) -> int:
    return (((product + digit) % 10 or 10) * 2) % 11


#: ISO 7064 MOD 11,10 transitions: _MOD11_10_NEXT[product][digit] is the next product.
_MOD11_10_NEXT = tuple(tuple(_mod11_10_step(p, d) for d in range(10)) for p in range(11))


def mod11_10_check_digit(digits: str) -> int:
    """ISO 7064 MOD 11,10 check digit of a string of decimal digits."""
    if not _is_ascii_digits(digits):
        raise ValueError(f"expected decimal digits, got {digits!r}")
    product = 10
    for digit in map(int, digits):
        product = _MOD11_10_NEXT[product][digit]
    return (11 - product) % 10


def _check_licence_shape(value: str, *, prefix: str, kind: str) -> str:
    """Check ``prefix`` + 14 digits; return the digits. ``kind`` is the error-code namespace."""
    if not value.startswith(prefix):
        if not value:
            raise IdentifierError(
                f"{kind}.prefix", N_("must start with {prefix}, got nothing"), prefix=prefix
            )
        raise IdentifierError(
            f"{kind}.prefix",
            N_("must start with {prefix}, got {actual}"),
            prefix=prefix,
            actual=value[:2],
        )
    digits = value[len(prefix) :]
    _require_digits(digits, code=f"{kind}.digits", offset=len(prefix))
    if len(digits) != _LICENCE_DIGITS:
        raise IdentifierError(
            f"{kind}.length",
            N_("must be {prefix} followed by 14 digits, got {length} digits"),
            prefix=prefix,
            length=len(digits),
        )
    return digits


def validate_jy_licence(number: str) -> str:
    """Food business licence number (食品经营许可证编号): JY + 14 digits.

    Format only: the first digit is the business-format code (1 sales, 2 catering, ...). The
    check digit algorithm is not published, so it is never used to reject a number.
    """
    value = _normalise(number)
    digits = _check_licence_shape(value, prefix="JY", kind="jy")
    if not _JY_PATTERN.match(value):
        raise IdentifierError(
            "jy.format_digit",
            N_("business-format digit (position 3) must be 1-9, got {actual}"),
            actual=digits[0],
        )
    return value


def validate_sc_licence(number: str) -> tuple[str, list[str]]:
    """Food production licence number (食品生产许可证编号): SC + 14 digits.

    Returns the normalised number and a list of warnings. The ISO 7064 MOD 11,10 check digit
    fits most real numbers but is unverified, so a mismatch is a warning, not an error.
    """
    value = _normalise(number)
    digits = _check_licence_shape(value, prefix="SC", kind="sc")
    if not _SC_PATTERN.match(value):
        raise IdentifierError(
            "sc.category",
            N_(
                "food category code (position 3) must be 1 (food) or 2 (food additive), "
                "got {actual}"
            ),
            actual=digits[0],
        )
    expected = mod11_10_check_digit(digits[:13])
    warnings: list[str] = []
    if int(digits[13]) != expected:
        warnings.append(
            f"check digit should be {expected} under ISO 7064 MOD 11,10, got {digits[13]}; "
            "this algorithm is unverified for SC numbers, so confirm the number on the licence"
        )
    return value, warnings


def _sequence_digits(rng: random.Random, width: int, sequence: int | None) -> str:
    value = rng.randrange(1, 10**width) if sequence is None else sequence
    if not 0 <= value < 10**width:
        raise ValueError(f"sequence must fit in {width} digits, got {value}")
    return f"{value:0{width}d}"


def make_jy_licence(
    *,
    rng: random.Random,
    form_digit: int,
    county_code: str,
    sequence: int | None = None,
) -> str:
    """Generate a food business licence number (食品经营许可证编号).

    JY + business-format digit + 6-digit county code + 6-digit sequence + check digit. The
    real check algorithm is unpublished; generated numbers use ISO 7064 MOD 11,10.
    """
    if not 1 <= form_digit <= 9:
        raise ValueError(f"form_digit must be 1-9, got {form_digit}")
    if len(county_code) != 6 or not _is_ascii_digits(county_code):
        raise ValueError(f"county_code must be 6 digits, got {county_code!r}")
    body = f"{form_digit}{county_code}{_sequence_digits(rng, 6, sequence)}"
    return f"JY{body}{mod11_10_check_digit(body)}"


def make_sc_licence(
    *,
    rng: random.Random,
    category: str,
    county_code: str,
    sequence: int | None = None,
) -> str:
    """Generate a food production licence number (食品生产许可证编号) with a MOD 11,10 check.

    ``category`` is the 3-digit food category code, e.g. ``"103"`` (调味品) or ``"201"``.
    """
    if len(category) != 3 or category[0] not in "12" or not _is_ascii_digits(category):
        raise ValueError(f"category must be 3 digits starting with 1 or 2, got {category!r}")
    if len(county_code) != 6 or not _is_ascii_digits(county_code):
        raise ValueError(f"county_code must be 6 digits, got {county_code!r}")
    body = f"{category}{county_code}{_sequence_digits(rng, 4, sequence)}"
    return f"SC{body}{mod11_10_check_digit(body)}"
