"""Recording, refusing and correcting purchase-ledger lines, and who sees them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from ledger_helpers import day, line_data, photo_upload, product, store_of, suppliers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import principal_of, tiny_pdf
from sunshine.audit.models import AuditEntry
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailed
from sunshine.core.evidence import EvidenceRejected, Upload
from sunshine.core.pagination import PageRequest
from sunshine.ingredients import catalog, hooks, rules, service
from sunshine.ingredients import repository as repo
from sunshine.ingredients.enums import DocumentKind, LicenceState, ProductCategory
from sunshine.ingredients.models import LedgerLine
from sunshine.ingredients.service import DocumentFile


def _count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(LedgerLine)).scalar_one()


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.text for p in exc.value.problems}


def test_a_line_keeps_the_supplier_and_its_licence_as_on_the_purchase_date(
    session: Session,
) -> None:
    registered, external = suppliers(session)
    staff = principal_of(session, "staff_a")
    store = store_of(session)
    line = service.record_line(
        session=session, actor=staff, business_id=store.id, data=line_data(external.id)
    )
    assert line.supplier_name.startswith("青石桥蔬菜批发摊")
    assert line.supplier_address == "成都市锦江区青石桥南街 12 号"
    assert line.supplier_contact == "王建国 13800001234"
    assert line.supplier_licence_number == "JY15101040000012"
    assert line.supplier_licence_state is LicenceState.VALID
    assert line.expiry_date == line.production_date + timedelta(days=2)  # type: ignore[operator]
    assert line.retain_until == rules.retain_until(expiry=line.expiry_date, entered_on=day(0))
    assert line.county_code == store.county_code
    assert service.flags_of(line) == []
    entry = session.execute(
        select(AuditEntry).where(
            AuditEntry.entity_type == "ledger_line", AuditEntry.entity_id == str(line.id)
        )
    ).scalar_one()
    assert entry.action == "ledger_line.record"
    registered_line = service.record_line(
        session=session, actor=staff, business_id=store.id, data=line_data(registered.id)
    )
    assert registered_line.supplier_business_id == registered.supplier_business_id


def test_a_supplier_licence_expired_on_the_purchase_date_is_flagged(session: Session) -> None:
    actor = principal_of(session, "owner_a")
    expired = catalog.add_external_supplier(
        session=session,
        actor=actor,
        data=catalog.ExternalSupplierInput(
            name="过期许可证的供货者",
            address="成都市武侯区某街 1 号",
            contact_name="赵六",
            contact_phone="028-85551234",
            licence_number="JY15101070000099",
            licence_expiry_date=day(-10),
        ),
    )
    line = service.record_line(
        session=session,
        actor=actor,
        business_id=store_of(session).id,
        data=line_data(expired.id, purchase_date=day(-2), production_date=day(-3)),
    )
    assert line.supplier_licence_state is LicenceState.EXPIRED
    assert "licence_expired" in service.flags_of(line)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"purchase_date": day(1)}, "purchase_date", "the purchase date is in the future"),
        (
            {"batch_number": None, "production_date": None},
            "batch_number",
            "give the batch number or the production date",
        ),
        (
            {"production_date": day(-1), "shelf_life_days": None, "expiry_date": day(-5)},
            "expiry_date",
            "the use-by date is before the production date",
        ),
        (
            {"production_date": day(0), "purchase_date": day(-1)},
            "production_date",
            "the production date is after the purchase date",
        ),
        (
            {"shelf_life_days": None},
            "expiry_date",
            "give the shelf life or the use-by date, or say it has no stated shelf life",
        ),
        ({"no_shelf_life": True}, "no_shelf_life", "a product without a stated shelf life"),
        ({"product_name": None}, "product_name", "This field is required"),
        ({"category": None}, "category", "This field is required"),
        ({"specification": None}, "specification", "This field is required"),
        ({"gtin": "6901234567893"}, "gtin", "the GTIN's check digit is wrong"),
        ({"supplier_id": 999_999}, "supplier_id", "not one of this store's suppliers"),
        ({"appearance_ok": False}, "appearance_note", "say what was wrong"),
        ({"test_kind": "own"}, "test_result", "give the result of the test"),
        ({"product_id": 999_999}, "product_id", "no such product in the library"),
    ],
)
def test_bad_lines_are_refused_field_by_field_and_nothing_is_stored(
    session: Session, changes: dict[str, object], field: str, message: str
) -> None:
    _, external = suppliers(session)
    before = _count(session)
    with pytest.raises(ValidationFailed) as exc:
        service.record_line(
            session=session,
            actor=principal_of(session, "staff_a"),
            business_id=store_of(session).id,
            data=line_data(int(str(changes.pop("supplier_id", external.id))), **changes),
        )
    assert message in _fields(exc)[field]
    assert _count(session) == before


def test_every_problem_is_named_at_once(session: Session) -> None:
    _, external = suppliers(session)
    with pytest.raises(ValidationFailed) as exc:
        service.record_line(
            session=session,
            actor=principal_of(session, "staff_a"),
            business_id=store_of(session).id,
            data=line_data(
                external.id, purchase_date=day(3), batch_number=None, production_date=None,
                specification=None, gtin="123",
            ),
        )  # fmt: skip
    assert set(_fields(exc)) == {"purchase_date", "batch_number", "specification", "gtin"}


def test_types_are_checked_by_the_schema() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as exc:
        line_data(1, quantity=Decimal("-1"), temperature_c=300, documents=["passport"])
    assert {e["loc"][0] for e in exc.value.errors()} == {"quantity", "temperature_c", "documents"}


def test_a_product_from_the_library_fills_the_line(session: Session) -> None:
    _, external = suppliers(session)
    milk = product(session)
    line = service.record_line(
        session=session,
        actor=principal_of(session, "staff_a"),
        business_id=store_of(session).id,
        data=line_data(
            external.id, product_id=milk.id, product_name=None, category=None,
            specification=None, shelf_life_days=None, producer_name=None,
            documents=["licence", "test_report"],
        ),
    )  # fmt: skip
    assert (line.product_name, line.category, line.gtin) == (
        "纯牛奶",
        ProductCategory.DAIRY,
        "06901234567892",
    )
    assert line.shelf_life_days == 180 and line.producer_name == "四川新希望乳业有限公司"
    choices = catalog.product_choices(
        session=session, actor=principal_of(session, "staff_a"), business_id=line.business_id
    )
    assert choices.recent[0].id == milk.id
    found = catalog.product_by_gtin(
        session=session, actor=principal_of(session, "staff_a"), gtin="6901234567892"
    )
    assert found is not None and found.id == milk.id


def test_another_store_does_not_see_a_store_s_own_products(session: Session) -> None:
    milk = product(session)
    with pytest.raises(NotFoundError):
        catalog.product_for(
            session=session, actor=principal_of(session, "owner_b"), product_id=milk.id
        )


def test_documents_are_attached_by_kind(session: Session) -> None:
    _, external = suppliers(session)
    pdf = Upload("report.pdf", __import__("io").BytesIO(tiny_pdf()))
    line = service.record_line(
        session=session,
        actor=principal_of(session, "staff_a"),
        business_id=store_of(session).id,
        data=line_data(external.id, documents=["licence"]),
        files=[
            DocumentFile(DocumentKind.VOUCHER, photo_upload()),
            DocumentFile(DocumentKind.TEST_REPORT, pdf),
        ],
    )
    assert line.documents == ["licence", "voucher", "test_report"]
    assert set(line.document_files) == {"voucher", "test_report"}
    detail = service.line_file(
        session=session, actor=principal_of(session, "inspector_a"), line_id=line.id
    )
    assert detail.files["test_report"][0].media_type == "application/pdf"


def test_a_file_of_the_wrong_type_refuses_the_line(session: Session) -> None:
    _, external = suppliers(session)
    before = _count(session)
    with pytest.raises(EvidenceRejected):
        service.record_line(
            session=session,
            actor=principal_of(session, "staff_a"),
            business_id=store_of(session).id,
            data=line_data(external.id),
            files=[
                DocumentFile(
                    DocumentKind.VOUCHER, Upload("x.jpg", __import__("io").BytesIO(b"MZ" * 40))
                )
            ],
        )
    assert _count(session) == before


def test_a_correction_declares_the_old_line_wrong_and_keeps_it(session: Session) -> None:
    _, external = suppliers(session)
    staff = principal_of(session, "staff_a")
    store = store_of(session)
    seen: list[tuple[int, int | None]] = []

    def listener(_s: Session, _a: object, line: LedgerLine, old: LedgerLine | None) -> None:
        seen.append((line.id, old.id if old else None))

    hooks.listen(listener)
    try:
        old = service.record_line(
            session=session,
            actor=staff,
            business_id=store.id,
            data=line_data(external.id),
            files=[DocumentFile(DocumentKind.VOUCHER, photo_upload())],
        )
        new = service.correct_line(
            session=session,
            actor=staff,
            line_id=old.id,
            data=line_data(external.id, quantity=Decimal("21.5"), documents=["voucher", "licence"]),
            reason="数量录错：实收 21.5 kg",
        )
    finally:
        hooks.forget(listener)
    assert seen == [(old.id, None), (new.id, old.id)]
    assert old.corrected_by_id == new.id and not old.current
    assert new.corrects_id == old.id and new.correction_reason == "数量录错：实收 21.5 kg"
    assert new.document_files["voucher"] == old.document_files["voucher"]  # kept
    page = service.list_lines(
        session=session,
        actor=staff,
        filters=repo.LineFilter(business_id=store.id),
        page=PageRequest(1, 50),
    )
    assert [x.id for x in page.items if x.id in (old.id, new.id)] == [new.id]
    detail = service.line_file(session=session, actor=staff, line_id=old.id)
    assert [v.id for v in detail.versions] == [old.id, new.id]
    actions = set(
        session.execute(
            select(AuditEntry.action).where(AuditEntry.entity_type == "ledger_line")
        ).scalars()
    )
    assert {"ledger_line.record", "ledger_line.correct"} <= actions
    with pytest.raises(ConflictError):
        service.correct_line(
            session=session, actor=staff, line_id=old.id, data=line_data(external.id), reason="再改"
        )
    with pytest.raises(ValidationFailed) as exc:
        service.correct_line(
            session=session, actor=staff, line_id=new.id, data=line_data(external.id), reason=" "
        )
    assert "reason" in _fields(exc)


def test_a_listener_that_fails_stores_nothing(session: Session) -> None:
    _, external = suppliers(session)
    before = _count(session)

    def broken(*_args: object) -> None:
        raise RuntimeError("EPCIS down")

    hooks.listen(broken)
    try:
        with pytest.raises(RuntimeError), session.begin_nested():
            service.record_line(
                session=session,
                actor=principal_of(session, "staff_a"),
                business_id=store_of(session).id,
                data=line_data(external.id),
            )
    finally:
        hooks.forget(broken)
    assert _count(session) == before


def test_neighbours_see_nothing_and_cannot_act(session: Session) -> None:
    _, external = suppliers(session)
    store = store_of(session)
    line = service.record_line(
        session=session,
        actor=principal_of(session, "staff_a"),
        business_id=store.id,
        data=line_data(external.id),
    )
    everything = repo.LineFilter()
    for username in ("owner_b", "inspector_b"):
        actor = principal_of(session, username)
        page = service.list_lines(
            session=session, actor=actor, filters=everything, page=PageRequest(1, 200)
        )
        assert all(x.business_id != store.id for x in page.items), username
        with pytest.raises(NotFoundError):
            service.line_file(session=session, actor=actor, line_id=line.id)
    inspector_a = principal_of(session, "inspector_a")
    seen = service.list_lines(
        session=session, actor=inspector_a, filters=everything, page=PageRequest(1, 200)
    )
    assert line.id in [x.id for x in seen.items]
    with pytest.raises(NotFoundError):
        service.correct_line(
            session=session,
            actor=principal_of(session, "owner_b"),
            line_id=line.id,
            data=line_data(external.id),
            reason="x",
        )
    with pytest.raises(NotFoundError):  # another store is answered as if it did not exist
        service.record_line(
            session=session,
            actor=principal_of(session, "owner_b"),
            business_id=store.id,
            data=line_data(external.id),
        )
    with pytest.raises(ForbiddenError):
        service.correct_line(
            session=session,
            actor=inspector_a,
            line_id=line.id,
            data=line_data(external.id),
            reason="x",
        )


def test_external_supplier_details_are_checked(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        catalog.add_external_supplier(
            session=session,
            actor=principal_of(session, "staff_a"),
            data=catalog.ExternalSupplierInput(
                name="", address="", contact_name="张三", contact_phone="12345",
                licence_number="JY0123", licence_expiry_date=None,
            ),
        )  # fmt: skip
    assert set(_fields(exc)) == {
        "name",
        "address",
        "contact_phone",
        "licence_number",
        "licence_expiry_date",
    }


def test_upstream_of_a_registered_supplier_is_its_own_supplier_list(session: Session) -> None:
    registered, _ = suppliers(session)
    ups = catalog.upstreams(
        session=session, actor=principal_of(session, "owner_a"), supplier_id=registered.id
    )
    assert ups == []  # the wholesaler has recorded no supplier of its own yet
