"""GS1 identifiers in EPCIS: EPC URNs and GS1 Digital Link URIs, normalised to one form.

The stored form is the canonical GS1 Digital Link URI on ``https://id.gs1.org`` (GS1 Digital
Link standard 1.2, section 4: primary key, then key qualifiers in their fixed order; GTINs
written with 14 digits). It is what CBV 2.0 section 8.9 (event hash) compares, and it keeps
instance-level and class-level identifiers of one product under one prefix (``/01/{gtin}``).

EPC URNs (GS1 EPC Tag Data Standard 2.0, section 6 "EPC URI" and 8 "EPC Class / Pattern")
are converted: ``urn:epc:id:sgtin:0614141.107346.2018`` becomes
``https://id.gs1.org/01/10614141073464/21/2018``. A Digital Link on another resolver's
domain (``https://id.gs1.de/01/...``) is moved to ``id.gs1.org``; its query string (data
attributes, not identity) is dropped. Any other URI is kept as given: EPCIS allows any URI
as an identifier. A ``urn:epc:`` URN that does not parse is refused.

Not done (unverified): percent-encoding of serials with characters outside the Digital
Link's safe set is kept as written in the URN; pattern URNs (``urn:epc:idpat:``) with the
wildcard on a field other than the serial are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from sunshine.core.i18n import N_

DL_HOST = "https://id.gs1.org"

#: Primary keys of the Digital Link path with their qualifiers in canonical order.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "01": ("22", "10", "21", "235"),
    "00": (),
    "414": ("254", "7040"),
    "417": ("7040",),
    "8003": (),
    "8004": ("7040",),
    "8006": ("22", "10", "21"),
    "8010": ("8011",),
    "8017": ("8019",),
    "8018": ("8019",),
    "253": (),
    "255": (),
    "401": (),
    "402": (),
}
#: Fixed-length numeric keys with a GS1 check digit as their last digit.
CHECKED_LENGTH = {"01": 14, "00": 18, "414": 13, "417": 13, "402": 17, "8017": 18, "8018": 18}

_DL_PATH = re.compile(r"^https?://[^/?#]+(/[^?#]*)")
#: A Digital Link already in its stored form, whatever its check digit: a GTIN with a lot or
#: a serial on GS1's own host, nothing to unquote (``_canonical_path`` gives it back as it is,
#: and a wrong check digit leaves it as sent). Products and lots of a bulk capture are mostly
#: such, and most of them new to the cache below.
_STORED_GTIN_DL = re.compile(r"https://id\.gs1\.org/01/[0-9]{14}(?:/(?:10|21)/[^/?#%]+)?")


class IdentifierError(ValueError):
    """An identifier that claims a GS1 form but is not valid; ``args[0]`` is the msgid."""


def check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit of ``digits`` (GS1 General Specifications 7.9.1)."""
    # Weights 3, 1, 3, ... from the right: the digits at odd distances weigh 3.
    backwards = digits[::-1]
    if backwards.isascii():
        # ASCII digits summed as bytes (their codes less 48 each): every product and
        # every lot of a bulk capture is checked, and int() per digit is the slow part.
        odd, even = backwards[::2].encode(), backwards[1::2].encode()
        total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    else:
        total = 3 * sum(map(int, backwards[::2])) + sum(map(int, backwards[1::2]))
    return str((10 - total % 10) % 10)


def _with_check(digits: str) -> str:
    return digits + check_digit(digits)


def _gtin(company: str, item: str) -> str:
    # Indicator digit first (TDS 6.3.1): it leads the item reference in the URN.
    return _with_check(item[:1] + company + item[1:])


def _parts(body: str, count: int) -> list[str]:
    parts = body.split(".")
    if len(parts) != count or any(p == "" for p in parts):
        raise IdentifierError(N_("{value} is not a valid EPC URN"))
    return parts


def _digits(*parts: str) -> None:
    if not all(p.isdigit() for p in parts):
        raise IdentifierError(N_("{value} is not a valid EPC URN"))


def _sgtin(b: str) -> str:
    c, i, s = _parts(b, 3)
    _digits(c, i)
    return f"/01/{_gtin(c, i)}/21/{unquote(s)}"


def _sscc(b: str) -> str:
    c, s = _parts(b, 2)
    _digits(c, s)
    return f"/00/{_with_check(s[:1] + c + s[1:])}"


def _sgln(b: str) -> str:
    c, loc, ext = _parts(b, 3)
    _digits(c, loc)
    gln = _with_check(c + loc)
    return f"/414/{gln}" if ext == "0" else f"/414/{gln}/254/{unquote(ext)}"


def _pgln(b: str) -> str:
    c, p = _parts(b, 2)
    _digits(c, p)
    return f"/417/{_with_check(c + p)}"


def _grai(b: str) -> str:
    c, a, s = _parts(b, 3)
    _digits(c, a)
    return f"/8003/0{_with_check(c + a)}{unquote(s)}"


def _giai(b: str) -> str:
    c, a = _parts(b, 2)
    _digits(c)
    return f"/8004/{c}{unquote(a)}"


def _gsrn(ai: str) -> Callable[[str], str]:
    def convert(b: str) -> str:
        c, s = _parts(b, 2)
        _digits(c, s)
        return f"/{ai}/{_with_check(c + s)}"

    return convert


def _gdti(b: str) -> str:
    c, d, s = _parts(b, 3)
    _digits(c, d)
    return f"/253/{_with_check(c + d)}{unquote(s)}"


def _cpi(b: str) -> str:
    c, r, s = _parts(b, 3)
    _digits(c)
    return f"/8010/{c}{unquote(r)}/8011/{s}"


def _sgcn(b: str) -> str:
    c, r, s = _parts(b, 3)
    _digits(c, r, s)
    return f"/255/{_with_check(c + r)}{s}"


def _ginc(b: str) -> str:
    c, r = _parts(b, 2)
    _digits(c)
    return f"/401/{c}{unquote(r)}"


def _gsin(b: str) -> str:
    c, r = _parts(b, 2)
    _digits(c, r)
    return f"/402/{_with_check(c + r)}"


def _itip(b: str) -> str:
    c, i, piece, total, s = _parts(b, 5)
    _digits(c, i, piece, total)
    return f"/8006/{_gtin(c, i)}{piece}{total}/21/{unquote(s)}"


def _upui(b: str) -> str:
    c, i, tpx = _parts(b, 3)
    _digits(c, i)
    return f"/01/{_gtin(c, i)}/235/{unquote(tpx)}"


def _lgtin(b: str) -> str:
    c, i, lot = _parts(b, 3)
    _digits(c, i)
    return f"/01/{_gtin(c, i)}/10/{unquote(lot)}"


EPC_SCHEMES: dict[str, Callable[[str], str]] = {
    "sgtin": _sgtin,
    "sscc": _sscc,
    "sgln": _sgln,
    "pgln": _pgln,
    "grai": _grai,
    "giai": _giai,
    "gsrn": _gsrn("8018"),
    "gsrnp": _gsrn("8017"),
    "gdti": _gdti,
    "cpi": _cpi,
    "sgcn": _sgcn,
    "ginc": _ginc,
    "gsin": _gsin,
    "itip": _itip,
    "upui": _upui,
}


def _pattern(scheme: str, body: str) -> str:
    """A class pattern ``urn:epc:idpat:{scheme}:...*``: the identifier without its serial."""
    parts = body.split(".")
    if parts[-1] != "*" or "*" in parts[:-1]:
        raise IdentifierError(N_("{value} is not a supported EPC pattern"))
    head = parts[:-1]
    _digits(*(head[:1] if scheme == "cpi" else head[:2]))
    if scheme == "sgtin" and len(head) == 2:
        return f"/01/{_gtin(*head)}"
    if scheme == "grai" and len(head) == 2:
        return f"/8003/0{_with_check(head[0] + head[1])}"
    if scheme == "gdti" and len(head) == 2:
        return f"/253/{_with_check(head[0] + head[1])}"
    if scheme == "sgcn" and len(head) == 2:
        return f"/255/{_with_check(head[0] + head[1])}"
    if scheme == "cpi" and len(head) == 2:
        return f"/8010/{head[0]}{unquote(head[1])}"
    if scheme == "itip" and len(head) == 4:
        _digits(*head)
        return f"/8006/{_gtin(head[0], head[1])}{head[2]}{head[3]}"
    raise IdentifierError(N_("{value} is not a supported EPC pattern"))


def _canonical_path(path: str) -> str | None:
    """The canonical Digital Link path of ``path``, or None when it is not one."""
    segments = [unquote(s) if "%" in s else s for s in path.split("/") if s != ""]
    for start in range(len(segments) - 1):
        key = segments[start]
        if key not in PRIMARY_KEYS:
            continue
        value = segments[start + 1]
        rest = segments[start + 2 :]
        if len(rest) % 2:
            return None
        if key == "01" and value.isdigit() and len(value) in (8, 12, 13, 14):
            value = value.zfill(14)
        if key in CHECKED_LENGTH and not (
            value.isdigit()
            and len(value) == CHECKED_LENGTH[key]
            and check_digit(value[:-1]) == value[-1]
        ):
            return None
        qualifiers = dict(zip(rest[::2], rest[1::2], strict=True))
        order = PRIMARY_KEYS[key]
        if any(q not in order for q in qualifiers):
            return None
        tail = "".join(f"/{q}/{qualifiers[q]}" for q in order if q in qualifiers)
        return f"/{key}/{value}{tail}"
    return None


#: Identifiers already normalised, each mapped to its stored form (the stored form to itself,
#: so that hashing a normalised event finds it too). A document names the same parties,
#: locations and products again and again; bounded, and emptied when full.
_KNOWN: dict[str, str] = {}
_KNOWN_MAX = 100_000


def normalise_id(value: str) -> str:
    """``value`` in its stored form (see the module docstring); raises for a bad EPC URN."""
    known = _KNOWN.get(value)
    if known is not None:
        return known
    stored = _normalise(value)
    if len(_KNOWN) >= _KNOWN_MAX:
        _KNOWN.clear()
    _KNOWN[value] = stored
    _KNOWN[stored] = stored
    return stored


def _normalise(value: str) -> str:
    if _STORED_GTIN_DL.fullmatch(value):
        return value
    lowered = value[:14].lower()
    if lowered.startswith("urn:epc:id:"):
        scheme, _, body = value[len("urn:epc:id:") :].partition(":")
        convert = EPC_SCHEMES.get(scheme)
        if convert is None:
            # Other EPC schemes (adi, usdod, gid, bic, imovn, ...) have no Digital Link form.
            return value
        return DL_HOST + convert(body)
    if lowered.startswith("urn:epc:class:"):
        scheme, _, body = value[len("urn:epc:class:") :].partition(":")
        if scheme != "lgtin":
            raise IdentifierError(N_("{value} is not a valid EPC URN"))
        return DL_HOST + _lgtin(body)
    if lowered.startswith("urn:epc:idpat:"):
        scheme, _, body = value[len("urn:epc:idpat:") :].partition(":")
        return DL_HOST + _pattern(scheme, body)
    if lowered.startswith(("https://", "http://")):
        match = _DL_PATH.match(value)
        if match:
            canonical = _canonical_path(match.group(1))
            if canonical is not None:
                return DL_HOST + canonical
    return value


def gtin_of(value: str) -> str | None:
    """The GTIN a stored product identifier names (instance, lot or class), if any."""
    if value.startswith(f"{DL_HOST}/01/"):
        return value[len(DL_HOST) + 4 : len(DL_HOST) + 18]
    return None
