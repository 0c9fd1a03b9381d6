"""The pure rules of the purchase ledger: GTIN check digits, retention, licence states,
expected documents."""

from __future__ import annotations

from datetime import date

import pytest

from sunshine.ingredients import rules
from sunshine.ingredients.enums import DocumentKind, LicenceState, ProductCategory


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("6901234567892", "06901234567892"),  # EAN-13 with a Chinese (690-699) prefix
        ("6920152400777", "06920152400777"),  # a real bottled-water barcode
        ("96385074", "00000096385074"),  # GTIN-8
        ("036000291452", "00036000291452"),  # UPC-A
        ("10614141000415", "10614141000415"),  # GTIN-14 (a case of a trade item)
        (" 6901234567892 ", "06901234567892"),
    ],
)
def test_valid_gtins_normalise_to_14_digits(raw: str, normal: str) -> None:
    assert rules.normalise_gtin(raw) == normal


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("6901234567893", "the GTIN's check digit is wrong"),
        ("690123456789", "the GTIN's check digit is wrong"),
        ("69012345678", "a GTIN has 8, 12, 13 or 14 digits"),
        ("69O1234567892", "a GTIN has digits only"),
        ("６９０１２３４５６７８９２", "a GTIN has digits only"),  # full-width digits
    ],
)
def test_bad_gtins_say_what_is_wrong(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules.normalise_gtin(raw)


def test_check_digit_and_display_form() -> None:
    assert rules.gtin_check_digit("690123456789") == 2
    assert rules.display_gtin("06901234567892") == "6901234567892"
    assert rules.display_gtin("10614141000415") == "10614141000415"


def test_retention_is_the_later_of_expiry_plus_six_months_and_entry_plus_two_years() -> None:
    entered = date(2026, 3, 1)
    # Fresh meat: expiry + 6 months is long before entry + 2 years.
    assert rules.retain_until(expiry=date(2026, 3, 4), entered_on=entered) == date(2028, 3, 1)
    # Liquor kept for years: expiry + 6 months is later.
    assert rules.retain_until(expiry=date(2029, 1, 31), entered_on=entered) == date(2029, 7, 31)
    # No stated shelf life (Art. 50 ¶2): two years.
    assert rules.retain_until(expiry=None, entered_on=entered) == date(2028, 3, 1)
    # Month ends are kept inside the month; a 29 February entry keeps to 28 February.
    assert rules.retain_until(expiry=date(2028, 8, 31), entered_on=entered) == date(2029, 2, 28)
    assert rules.retain_until(expiry=None, entered_on=date(2028, 2, 29)) == date(2030, 2, 28)
    assert "Art. 50" in rules.RETENTION_SOURCE


def test_expiry_counts_the_day_of_production() -> None:
    made = date(2026, 11, 1)
    assert rules.expiry_of(production_date=made, shelf_life_days=3, expiry_date=None) == date(
        2026, 11, 3
    )
    given = date(2026, 12, 1)
    assert rules.expiry_of(production_date=made, shelf_life_days=3, expiry_date=given) == given
    assert rules.expiry_of(production_date=None, shelf_life_days=3, expiry_date=None) is None


def test_licence_state_on_the_purchase_date() -> None:
    on = date(2026, 6, 1)
    state = rules.licence_state_on
    assert state(status="valid", expiry=date(2026, 6, 1), number="JY1", on=on) is LicenceState.VALID
    assert (
        state(status="valid", expiry=date(2026, 5, 31), number="JY1", on=on) is LicenceState.EXPIRED
    )
    assert (
        state(status="suspended", expiry=date(2027, 1, 1), number="JY1", on=on)
        is LicenceState.SUSPENDED
    )
    assert state(status=None, expiry=None, number=None, on=on) is LicenceState.NONE


def test_expected_documents_of_key_categories() -> None:
    meat = ProductCategory.MEAT_POULTRY
    assert rules.missing_documents(meat, frozenset()) == [
        DocumentKind.LICENCE,
        DocumentKind.QUARANTINE,
        DocumentKind.CONFORMITY,
    ]
    complete = frozenset({DocumentKind.LICENCE, DocumentKind.QUARANTINE, DocumentKind.TEST_REPORT})
    assert rules.missing_documents(meat, complete) == []
    veg = ProductCategory.VEGETABLES
    assert rules.missing_documents(veg, frozenset()) == [DocumentKind.VOUCHER]
    assert rules.missing_documents(veg, frozenset({DocumentKind.VOUCHER})) == []
    assert rules.missing_documents(ProductCategory.CONDIMENTS, frozenset()) == []


def test_every_field_and_document_names_its_source() -> None:
    assert all(f.source.startswith(("kitchen-and-ingredients.md", "issue 5")) for f in rules.FIELDS)
    assert all("kitchen-and-ingredients.md" in d.source for d in rules.DOCUMENTS)
    assert {d.kind for d in rules.DOCUMENTS} == set(DocumentKind)
