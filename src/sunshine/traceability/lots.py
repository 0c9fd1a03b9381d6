"""Lot identifiers (批次标识): one function names a lot everywhere on the platform.

A lot of a product with a GTIN is the GS1 LGTIN class, written as the canonical GS1 Digital
Link the EPCIS repository stores (``https://id.gs1.org/01/{gtin14}/10/{batch}``; made by
:func:`identifiers.normalise_id`, so a lot id typed here equals the ``epcClass`` an EPCIS
query matches). A product without a GTIN (loose vegetables, a market's meat) has no GS1
identity: its lot is the platform's private class
``urn:sunshine:lot:{supplier_code}:{product}:{batch}``, the supplier, product and batch
percent-encoded so that ``:`` inside them cannot move a boundary. ``supplier_code`` is the
registry business's public code, or ``supplier-{id}`` for a supplier record typed by a
caterer (not on the platform). ``product`` is the library's product id, or ``name-{name}``
for a product typed on the line without a library entry.

An LGTIN's batch is GS1 application identifier (10): at most 20 characters of GS1's
character set 82 (GS1 General Specifications 7.11 and 7.12; read from secondary sources,
unverified here). A batch outside it (a space, Chinese characters, more than 20 characters)
cannot be an LGTIN, and ``/ % ? #``, though in the set, cannot pass the repository's Digital
Link normaliser unchanged (it splits the path on them): such a lot takes the private class
even when the product has a GTIN, so every lot id is an absolute URI the repository stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, unquote

from sunshine.traceability.epcis.identifiers import DL_HOST, normalise_id

PRIVATE_PREFIX = "urn:sunshine:lot:"
EXTERNAL_SUPPLIER_PREFIX = "supplier-"
NAMED_PRODUCT_PREFIX = "name-"
#: GS1 character set 82 less ``/ % ? #`` (see the module docstring), 1 to 20 characters.
_LGTIN_BATCH = re.compile(r"^[A-Za-z0-9!\"&'()*+,\-.:;<=>_]{1,20}$")


@dataclass(frozen=True)
class LotParts:
    """What a lot id says: the GTIN and batch of an LGTIN, or the supplier, product and
    batch of a private lot (``product_id`` None when the product was only named)."""

    batch: str
    gtin: str | None = None
    supplier_code: str | None = None
    product_id: int | None = None
    product_name: str | None = None


def _enc(text: str) -> str:
    return quote(text, safe="")


def lot_id(
    *,
    gtin: str | None,
    supplier_code: str,
    product_id: int | None,
    batch: str,
    product_name: str = "",
) -> str:
    """The lot's identifier (see the module docstring); ``gtin`` in any GTIN length,
    already checked (its check digit is the product library's business)."""
    batch = batch.strip()
    if not batch:
        raise ValueError("a lot needs a batch")
    if gtin and _LGTIN_BATCH.match(batch):
        return normalise_id(f"{DL_HOST}/01/{gtin.strip().zfill(14)}/10/{_enc(batch)}")
    if product_id is not None:
        product = str(product_id)
    elif product_name.strip():
        product = NAMED_PRODUCT_PREFIX + _enc(product_name.strip())
    else:
        raise ValueError("a private lot needs a product id or name")
    return f"{PRIVATE_PREFIX}{_enc(supplier_code)}:{product}:{_enc(batch)}"


def batch_of(*, batch_number: str | None, production_date: date | None) -> str | None:
    """The batch a ledger line or shipment names: its batch number, or, where the goods
    carry only a production date (食品安全法 Art. 53 accepts 生产日期或者生产批号), that date
    (ISO 8601) standing for the batch."""
    if batch_number and batch_number.strip():
        return batch_number.strip()
    if production_date is not None:
        return production_date.isoformat()
    return None


def external_supplier_code(supplier_id: int) -> str:
    return f"{EXTERNAL_SUPPLIER_PREFIX}{supplier_id}"


def parse_lot_id(value: str) -> LotParts | None:
    """The parts of a lot id made by :func:`lot_id` (or any LGTIN, as an EPC class URN
    or a Digital Link); None when ``value`` is not a lot id."""
    if value.startswith(PRIVATE_PREFIX):
        parts = value[len(PRIVATE_PREFIX) :].split(":")
        if len(parts) != 3 or not all(parts):
            return None
        supplier, product, batch = parts
        if product.startswith(NAMED_PRODUCT_PREFIX):
            name = unquote(product[len(NAMED_PRODUCT_PREFIX) :])
            return LotParts(
                batch=unquote(batch), supplier_code=unquote(supplier), product_name=name
            )
        if not product.isdigit():
            return None
        return LotParts(
            batch=unquote(batch), supplier_code=unquote(supplier), product_id=int(product)
        )
    try:
        canonical = normalise_id(value)
    except ValueError:
        return None
    head = f"{DL_HOST}/01/"
    if not canonical.startswith(head):
        return None
    gtin, sep, rest = canonical[len(head) :].partition("/")
    if not sep or not rest.startswith("10/") or "/21/" in rest or "/235/" in rest:
        return None
    batch = unquote(rest[len("10/") :])
    if not batch:
        return None
    return LotParts(batch=batch, gtin=gtin)
