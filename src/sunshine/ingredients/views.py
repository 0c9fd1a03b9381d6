"""What the ledger pages show, gathered for the routes (labels, choices, CSV export)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.core.errors import Translate
from sunshine.core.i18n import N_
from sunshine.ingredients import catalog, rules, service
from sunshine.ingredients.enums import (
    CATEGORY_LABELS,
    KEY_CATEGORIES,
    LicenceState,
    ProductCategory,
    TestKind,
)
from sunshine.ingredients.models import LedgerLine, Product
from sunshine.ingredients.schemas import LedgerLineIn

UNITS = ("kg", "斤", "g", "箱", "袋", "瓶", "盒", "桶", "件", "只", "个", "L", "mL")
TEST_LABELS = {
    TestKind.NONE: N_("No test"),
    TestKind.OWN: N_("Own test (自检)"),
    TestKind.COMMISSIONED: N_("Commissioned test (委检)"),
}
LICENCE_LABELS = {
    LicenceState.VALID: N_("Licence valid"),
    LicenceState.EXPIRED: N_("Licence expired"),
    LicenceState.SUSPENDED: N_("Licence suspended"),
    LicenceState.REVOKED: N_("Licence revoked"),
    LicenceState.NONE: N_("No licence recorded"),
}
#: Field names as the forms show them (the error list names the field before the problem).
FIELD_LABELS: dict[str, str] = {
    **{f.field: f.label for f in rules.FIELDS},
    "supplier_id": N_("Supplier"),
    "product_id": N_("Product from your library"),
    "gtin": N_("Barcode (GTIN)"),
    "no_shelf_life": N_("No stated shelf life"),
    "appearance_note": N_("What was wrong with the appearance"),
    "test_result": N_("Test result"),
    "reason": N_("Why the old line is wrong"),
    "files": N_("Documents checked"),
    "remarks": N_("Remarks"),
}
#: The columns of the CSV export, in the 进货查验记录表 layout (kitchen-and-ingredients.md §2.1).
EXPORT_HEADINGS = (
    N_("Purchase date"),
    N_("Ingredient product name"),
    N_("Ingredient category"),
    N_("Specification"),
    N_("Quantity"),
    N_("Unit of quantity"),
    N_("Batch number"),
    N_("Production date"),
    N_("Shelf life in days"),
    N_("Use-by date"),
    N_("Producer of the goods"),
    N_("Supplier"),
    N_("Supplier's address"),
    N_("Supplier's contact"),
    N_("Supplier's licence number"),
    N_("Supplier's licence on the purchase date"),
    N_("Documents checked"),
    N_("Appearance check"),
    N_("Temperature on receipt (°C)"),
    N_("Own or commissioned test"),
    N_("Recorded by"),
    N_("Keep until"),
    N_("Line number"),
    N_("Corrects line"),
)


@dataclass(frozen=True)
class FormChoices:
    """What the phone form offers: products and suppliers the store used lately first."""

    products: catalog.ProductChoices
    suppliers: list[catalog.SupplierView]
    categories: list[tuple[str, str]]
    units: tuple[str, ...]


def form_choices(*, session: Session, actor: Principal, business_id: int) -> FormChoices:
    return FormChoices(
        products=catalog.product_choices(session=session, actor=actor, business_id=business_id),
        suppliers=catalog.suppliers_of(session=session, actor=actor, business_id=business_id),
        categories=category_choices(),
        units=UNITS,
    )


def category_choices() -> list[tuple[str, str]]:
    """Key categories first (the article's five), then the others."""
    ordered = sorted(
        ProductCategory, key=lambda c: (c not in KEY_CATEGORIES, list(ProductCategory).index(c))
    )
    return [(c.value, CATEGORY_LABELS[c]) for c in ordered]


def product_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": product.name,
        "category": product.category.value,
        "specification": product.specification,
        "gtin": rules.display_gtin(product.gtin) if product.gtin else "",
        "shelf_life_days": product.shelf_life_days,
        "producer_name": product.producer_name,
    }


def form_values(line: LedgerLine) -> dict[str, str]:
    """A stored line as the form's values (the correction form starts from them)."""

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    values = {
        key: text(getattr(line, key))
        for key in LedgerLineIn.model_fields
        if key not in ("documents", "appearance_ok", "no_shelf_life", "gtin")
    }
    values["gtin"] = rules.display_gtin(line.gtin) if line.gtin else ""
    values["category"] = line.category.value
    values["test_kind"] = line.test_kind.value
    values["appearance_ok"] = "yes" if line.appearance_ok else "no"
    values["no_shelf_life"] = "1" if line.no_shelf_life else ""
    for kind in line.documents:
        values[f"doc_{kind}"] = "1"
    if line.expiry_date and line.shelf_life_days:
        values["expiry_date"] = ""  # computed from the shelf life: let it be computed again
    return values


def _documents_text(line: LedgerLine, translate: Translate) -> str:
    return "、".join(translate(rules.DOCUMENT_LABELS[d]) for d in map(_kind, line.documents))


def _kind(value: str) -> Any:
    from sunshine.ingredients.enums import DocumentKind

    return DocumentKind(value)


def export_csv(lines: Iterable[LedgerLine], translate: Translate) -> bytes:
    """The lines as CSV (UTF-8 with a byte-order mark so Excel shows Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([translate(h) for h in EXPORT_HEADINGS])
    for line in lines:
        writer.writerow(
            [
                line.purchase_date.isoformat(),
                line.product_name,
                translate(CATEGORY_LABELS[line.category]),
                line.specification,
                f"{line.quantity.normalize():f}",
                line.unit,
                line.batch_number or "",
                line.production_date.isoformat() if line.production_date else "",
                line.shelf_life_days or "",
                line.expiry_date.isoformat() if line.expiry_date else "",
                line.producer_name,
                line.supplier_name,
                line.supplier_address,
                line.supplier_contact,
                line.supplier_licence_number or "",
                translate(LICENCE_LABELS[line.supplier_licence_state]),
                _documents_text(line, translate),
                translate(N_("Acceptable")) if line.appearance_ok else line.appearance_note,
                "" if line.temperature_c is None else line.temperature_c,
                translate(TEST_LABELS[line.test_kind])
                + (f": {line.test_result}" if line.test_result else ""),
                line.recorder_name,
                line.retain_until.isoformat(),
                line.id,
                line.corrects_id or "",
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


FLAG_LABELS = service.FLAG_LABELS
