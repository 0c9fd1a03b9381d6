"""What complaints and reports share at intake: receipt codes and encrypted contact details.

A receipt code (回执码) is all an anonymous person needs to follow a submission, so it is
long enough not to be guessed (12 characters of a 32-letter alphabet: 60 bits) and read
aloud without ambiguity (no 0/O, 1/I). Contact details are stored encrypted
(:mod:`sunshine.core.crypto`), with a keyed digest of the phone number so a person can find
their submissions again without the number being readable in the database.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass

from sunshine.core import crypto
from sunshine.core.errors import FieldProblem
from sunshine.core.i18n import N_
from sunshine.core.masking import mask_name, mask_phone

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 12
_MOBILE = re.compile(r"^1[3-9]\d{9}$")  # mainland mobile numbers (SMS goes to these)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def new_receipt_code() -> str:
    """A fresh receipt code, grouped for reading: ``K7Q2-M4XP-9RTA``."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalise_receipt_code(value: str) -> str:
    """What a person typed (lower case, spaces, missing dashes) as the stored form."""
    raw = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@dataclass(frozen=True)
class Contact:
    """How to reach the person who filed: any of name, mobile phone, email."""

    name: str = ""
    phone: str = ""
    email: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.phone or self.email)

    def masked(self) -> str:
        """What a merchant or another office may see: ``张* 138****1234``."""
        return " ".join(p for p in (mask_name(self.name), mask_phone(self.phone)) if p)


def contact_problems(contact: Contact, *, phone_required: bool) -> list[FieldProblem]:
    """Every problem with the contact details as typed."""
    problems: list[FieldProblem] = []
    if len(contact.name) > 40:
        problems.append(
            FieldProblem("name", N_("At most {limit} characters"), params={"limit": 40})
        )
    if contact.phone and not _MOBILE.match(contact.phone):
        problems.append(FieldProblem("phone", N_("Enter an 11-digit mobile number.")))
    elif phone_required and not contact.phone:
        problems.append(FieldProblem("phone", N_("Required"), code="required"))
    if contact.email and (len(contact.email) > 120 or not _EMAIL.match(contact.email)):
        problems.append(FieldProblem("email", N_("Enter a valid email address.")))
    return problems


def clean_contact(*, name: str | None, phone: str | None, email: str | None) -> Contact:
    return Contact(
        name=(name or "").strip(),
        phone=re.sub(r"[\s-]", "", phone or ""),
        email=(email or "").strip().lower(),
    )


def seal(contact: Contact) -> str:
    """The contact encrypted for storage."""
    return crypto.encrypt(json.dumps(asdict(contact), ensure_ascii=False))


def unseal(ciphertext: str) -> Contact:
    return Contact(**json.loads(crypto.decrypt(ciphertext)))


def phone_digest(phone: str) -> str | None:
    return crypto.digest(f"phone:{phone}") if phone else None
