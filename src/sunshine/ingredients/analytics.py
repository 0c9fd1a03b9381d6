"""The big ledger (大台账): every store's purchase ledger pooled for the regulator.

* Aggregates by category, region, supplier and month over a period, scoped to the
  regulator's jurisdiction (the lines' own region codes, like the ledger list).
* Anomaly rules (:data:`RULES`, thresholds as data with their sources) that create risk
  signals (:class:`LedgerSignal`): run by a periodic job over every ledger and on demand by a
  regulator over its jurisdiction. Idempotent: a signal's fingerprint (the rule and the
  line, or the rule and the lot) is unique, so running the rules again creates nothing new.
  A regulator may open a lead case (线索, ``CaseKind.LEAD``) from a signal.

The licence-scope rule judges each line by the scope copied onto it when it was recorded
(``supplier_licence_scope``) with :func:`rules.scope_verdict`: only a clear mismatch is a
signal, an unknown or empty scope is not. The shipment rules (线上下单、线下核查) find
shipments the caterer has not confirmed in the time allowed and receipts of less than was
shipped; a lead case opened from a signal is titled in the deployment's language.

Mass balance (a lot received across stores in more quantity than its supplier shipped)
needs the quantity shipped per lot, which only the shipments feature (线上下单、线下核查)
knows: it registers :func:`shipped_quantity_source` from a module named in
:data:`SHIPPED_MODULES`. Until one is registered the rule finds nothing.
"""

from __future__ import annotations

import hashlib
import importlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access as auth_access
from sunshine.auth.principal import Principal
from sunshine.cases.enums import CaseKind
from sunshine.cases.models import Case
from sunshine.cases.service import CaseDraft, open_case
from sunshine.config import get_settings
from sunshine.core.errors import ConflictError, ForbiddenError, NotFoundError
from sunshine.core.i18n import N_, Translator
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.time import SHANGHAI, to_local, today_local, utc_now
from sunshine.ingredients import access, rules
from sunshine.ingredients import reports_repository as repo
from sunshine.ingredients import signals_repository as signals_repo
from sunshine.ingredients.enums import (
    CATEGORY_LABELS,
    KEY_CATEGORIES,
    DocumentKind,
    LicenceState,
    ProductCategory,
    SignalRule,
    SignalStatus,
)
from sunshine.ingredients.models import LedgerLine
from sunshine.ingredients.shipments_models import Shipment
from sunshine.ingredients.signal_models import LedgerSignal
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.registry.models import Business

# Rules as data ------------------------------------------------------------------------------

SOURCE_ART53 = "kitchen-and-ingredients.md §2.1 (食品安全法 Art. 53; verified)"
SOURCE_ART34 = "食品安全法 Art. 34(10) (no food past its use-by date; from memory, unverified)"
SOURCE_DOCS = "kitchen-and-ingredients.md §2.1-2.2 (索证索票; Art. 53 verified, §2.2 secondary)"
SOURCE_ISSUE = "issue 5 §6 (the platform's own rule; threshold chosen, not regulatory)"
SOURCE_SHIPMENTS = "issue 5 §2 (线上下单、线下核查; SUNSHINE_SHIPMENT_CONFIRM_HOURS)"

# What a regulator reads as each rule's basis (the sources above are for maintainers).
BASIS_ART53 = N_("Food Safety Law, Art. 53 (checking suppliers' licences)")
BASIS_ART34 = N_("Food Safety Law, Art. 34 (food past its use-by date; text unverified)")
BASIS_DOCS = N_("Food Safety Law, Art. 53; catering operating norms (certificates and invoices)")
BASIS_PLATFORM = N_("Platform rule: its threshold is the platform's choice, not a legal limit")
BASIS_SHIPMENTS = N_("Platform rule: online order, offline verification")


@dataclass(frozen=True)
class AnomalyRule:
    rule: SignalRule
    label: str  # English msgid
    source: str
    lookback_days: int
    threshold: int | None = None
    regulator_basis: str = ""  # English msgid shown to regulators


RULES: dict[SignalRule, AnomalyRule] = {
    r.rule: r
    for r in (
        AnomalyRule(
            SignalRule.LICENCE_MISSING,
            N_("Supplier without a licence for a key category"),
            SOURCE_ART53,
            90,
            regulator_basis=BASIS_ART53,
        ),
        AnomalyRule(
            SignalRule.LICENCE_EXPIRED,
            N_("Supplier's licence expired, suspended or revoked on the purchase date"),
            SOURCE_ART53,
            90,
            regulator_basis=BASIS_ART53,
        ),
        AnomalyRule(
            SignalRule.LICENCE_SCOPE,
            N_("Goods outside the supplier's licensed scope"),
            SOURCE_ART53 + "; scope table: " + rules.SOURCE_SCOPE,
            90,
            regulator_basis=BASIS_ART53,
        ),
        AnomalyRule(
            SignalRule.EXPIRED_ON_RECEIPT,
            N_("Goods past their use-by date when received"),
            SOURCE_ART34,
            90,
            regulator_basis=BASIS_ART34,
        ),
        AnomalyRule(
            SignalRule.MISSING_DOCUMENTS,
            N_("Documents missing for a key category"),
            SOURCE_DOCS,
            90,
            regulator_basis=BASIS_DOCS,
        ),
        # One batch number of one product at this many stores or more within the window.
        AnomalyRule(
            SignalRule.BATCH_SPREAD,
            N_("One batch at implausibly many stores"),
            SOURCE_ISSUE,
            30,
            threshold=30,
            regulator_basis=BASIS_PLATFORM,
        ),
        AnomalyRule(
            SignalRule.MASS_BALANCE,
            N_("More of a lot received than its supplier shipped"),
            SOURCE_ISSUE,
            90,
            regulator_basis=BASIS_PLATFORM,
        ),
        AnomalyRule(
            SignalRule.SHIPMENT_UNCONFIRMED,
            N_("Shipment not confirmed by the caterer in time"),
            SOURCE_SHIPMENTS,
            90,
            regulator_basis=BASIS_SHIPMENTS,
        ),
        AnomalyRule(
            SignalRule.SHIPMENT_MISMATCH,
            N_("Less received than the supplier shipped"),
            SOURCE_SHIPMENTS,
            90,
            regulator_basis=BASIS_SHIPMENTS,
        ),
    )
}

# Mass balance: the shipments feature's quantity per lot -------------------------------------

#: ``(session, supplier_business_id, product_id, batch, unit) -> quantity shipped`` or
#: ``None`` when no shipment of that lot is recorded (the rule then says nothing).
ShippedQuantity = Callable[[Session, int, int, str, str], Decimal | None]
SHIPPED_MODULES: tuple[str, ...] = ("sunshine.ingredients.shipments_balance",)
_shipped: list[ShippedQuantity] = []


def shipped_quantity_source(source: ShippedQuantity) -> ShippedQuantity:
    """Register the function that answers the quantity shipped of a lot."""
    if source not in _shipped:
        _shipped.append(source)
    return source


def forget_shipped_quantity_source(source: ShippedQuantity) -> None:
    if source in _shipped:
        _shipped.remove(source)


def _shipped_sources() -> list[ShippedQuantity]:
    for module in SHIPPED_MODULES:
        importlib.import_module(module)
    return list(_shipped)


# Scope --------------------------------------------------------------------------------------

_CHILD_COLUMN = {
    RegionLevel.PROVINCE: LedgerLine.prefecture_code,
    RegionLevel.PREFECTURE: LedgerLine.county_code,
    RegionLevel.COUNTY: LedgerLine.township_code,
    RegionLevel.TOWNSHIP: LedgerLine.township_code,
}


def signal_condition(principal: Principal) -> ColumnElement[bool]:
    """Which signals ``principal`` may read: those placed within its jurisdiction."""
    return auth_access.placed_within_jurisdiction(principal, LedgerSignal)


def _require_regulator(actor: Principal) -> None:
    if not actor.is_regulator or actor.jurisdiction_level is None:
        raise ForbiddenError(N_("The big ledger is for regulators."))


# Aggregates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    key: str
    shown: str  # a name (a region, a supplier) or the msgid's English text
    lines: int
    stores: int
    suppliers: int
    # The English msgid of a category, shown translated; kept apart from ``label`` so that
    # names (data) never reach the translator.
    msgid: str | None = None


@dataclass(frozen=True)
class BigLedger:
    date_from: date
    date_to: date
    by_category: list[Bucket]
    by_region: list[Bucket]
    by_supplier: list[Bucket]
    by_month: list[tuple[str, int]]
    total_lines: int
    open_signals: dict[str, int] = field(default_factory=dict)


TOP_SUPPLIERS = 15


def big_ledger(
    *, session: Session, actor: Principal, date_from: date | None, date_to: date | None
) -> BigLedger:
    """The aggregates of the actor's jurisdiction over the period (default: the last 12
    months up to today)."""
    _require_regulator(actor)
    date_to = date_to or today_local()
    date_from = date_from or date_to - timedelta(days=365)
    scope = access.line_condition(actor)
    span: dict[str, Any] = {"date_from": date_from, "date_to": date_to}
    by_category = [
        Bucket(
            r.key.value if hasattr(r.key, "value") else str(r.key),
            CATEGORY_LABELS[ProductCategory(r.key)],
            r.lines,
            r.stores,
            r.suppliers,
            msgid=CATEGORY_LABELS[ProductCategory(r.key)],
        )
        for r in repo.aggregate(session, scope=scope, key=LedgerLine.category, **span)
    ]
    assert actor.jurisdiction_level is not None
    child = _CHILD_COLUMN[actor.jurisdiction_level]
    region_rows = repo.aggregate(session, scope=scope, key=child, **span)
    names = regions_repo.get_regions(session, [r.key for r in region_rows if r.key])
    by_region = [
        Bucket(
            r.key or "",
            names[r.key].name if r.key in names else (r.key or "—"),
            r.lines,
            r.stores,
            r.suppliers,
        )
        for r in region_rows
    ]
    by_supplier = [
        Bucket(r.key, r.key, r.lines, r.stores, r.suppliers)
        for r in repo.aggregate(
            session, scope=scope, key=LedgerLine.supplier_name, limit=TOP_SUPPLIERS, **span
        )
    ]
    months: dict[str, int] = defaultdict(int)
    for r in repo.aggregate(session, scope=scope, key=LedgerLine.purchase_date, **span):
        day = r.key if isinstance(r.key, date) else date.fromisoformat(str(r.key))
        months[day.strftime("%Y-%m")] += r.lines
    return BigLedger(
        date_from=date_from,
        date_to=date_to,
        by_category=by_category,
        by_region=by_region,
        by_supplier=by_supplier,
        by_month=sorted(months.items()),
        total_lines=sum(b.lines for b in by_category),
        open_signals=repo.signal_counts(session, scope=signal_condition(actor)),
    )


# Anomaly rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    rule: SignalRule
    fingerprint: str
    lines: list[LedgerLine]
    details: dict[str, Any]
    #: Where a finding without ledger lines is placed (a shipment's caterer).
    place: Business | None = None


def _fp(*parts: object) -> str:
    text = "|".join(str(p) for p in parts)
    if len(text) <= 120:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:40]
    return f"{parts[0]}|{digest}"


def _line_details(line: LedgerLine) -> dict[str, Any]:
    return {
        "product": line.product_name,
        "batch": line.batch_number,
        "supplier": line.supplier_name,
        "purchase_date": line.purchase_date.isoformat(),
    }


def _licence_findings(session: Session, scope: ColumnElement[bool], since: date) -> list[Finding]:
    found: list[Finding] = []
    bad = (LicenceState.EXPIRED, LicenceState.SUSPENDED, LicenceState.REVOKED)
    for line in repo.lines_where(
        session,
        scope=scope,
        condition=LedgerLine.supplier_licence_state.in_(bad),
        since=since,
    ):
        details = {**_line_details(line), "licence_state": line.supplier_licence_state.value}
        found.append(
            Finding(SignalRule.LICENCE_EXPIRED, _fp("licence_expired", line.id), [line], details)
        )
    # Edible farm produce (食用农产品: vegetables) may come from a farmer without a licence.
    needs_licence = sorted(KEY_CATEGORIES - {ProductCategory.VEGETABLES})
    for line in repo.lines_where(
        session,
        scope=scope,
        condition=(LedgerLine.supplier_licence_state == LicenceState.NONE)
        & LedgerLine.category.in_(needs_licence),
        since=since,
    ):
        found.append(
            Finding(
                SignalRule.LICENCE_MISSING,
                _fp("licence_missing", line.id),
                [line],
                _line_details(line),
            )
        )
    return found


def _scope_findings(session: Session, scope: ColumnElement[bool], since: date) -> list[Finding]:
    """Lines whose supplier's licence scope, as copied onto the line when it was recorded,
    clearly does not cover the goods (:func:`rules.scope_verdict`); lines without a copy
    (recorded before it was kept) are not judged."""
    lines = repo.lines_where(
        session,
        scope=scope,
        condition=(LedgerLine.supplier_licence_state == LicenceState.VALID)
        & LedgerLine.category.in_(sorted(rules.SCOPE_JUDGED)),
        since=since,
    )
    found = []
    for line in lines:
        verdict = rules.scope_verdict(
            line.supplier_licence_scope,
            category=line.category,
            chilled=rules.is_chilled(line.product_name, line.specification),
        )
        if verdict is rules.ScopeVerdict.NOT_COVERED:
            details = {**_line_details(line), "scope": list(line.supplier_licence_scope or [])}
            found.append(
                Finding(SignalRule.LICENCE_SCOPE, _fp("licence_scope", line.id), [line], details)
            )
    return found


def _receipt_findings(session: Session, scope: ColumnElement[bool], since: date) -> list[Finding]:
    found = []
    for line in repo.lines_where(
        session,
        scope=scope,
        condition=LedgerLine.expiry_date < LedgerLine.purchase_date,
        since=since,
    ):
        details = {**_line_details(line), "expiry_date": str(line.expiry_date)}
        found.append(
            Finding(
                SignalRule.EXPIRED_ON_RECEIPT, _fp("expired_on_receipt", line.id), [line], details
            )
        )
    for line in repo.lines_where(
        session,
        scope=scope,
        condition=LedgerLine.category.in_(sorted(KEY_CATEGORIES)),
        since=since,
    ):
        missing = rules.missing_documents(
            line.category, frozenset(DocumentKind(d) for d in line.documents)
        )
        if missing:
            details = {**_line_details(line), "missing": [m.value for m in missing]}
            found.append(
                Finding(
                    SignalRule.MISSING_DOCUMENTS, _fp("missing_documents", line.id), [line], details
                )
            )
    return found


def _spread_findings(session: Session, scope: ColumnElement[bool], today: date) -> list[Finding]:
    rule = RULES[SignalRule.BATCH_SPREAD]
    assert rule.threshold is not None
    since = today - timedelta(days=rule.lookback_days)
    found = []
    for row in repo.batch_spread(session, scope=scope, since=since, min_stores=rule.threshold):
        lines = repo.lines_of_batch(
            session, scope=scope, product_name=row.product_name, batch=row.batch_number, since=since
        )
        details = {
            "product": row.product_name,
            "batch": row.batch_number,
            "stores": int(row.stores),
            "threshold": rule.threshold,
        }
        found.append(
            Finding(
                SignalRule.BATCH_SPREAD,
                _fp("batch_spread", row.product_name, row.batch_number),
                list(lines),
                details,
            )
        )
    return found


def _mass_balance_findings(
    session: Session, scope: ColumnElement[bool], since: date
) -> list[Finding]:
    sources = _shipped_sources()
    if not sources:
        return []
    found = []
    for row in repo.received_by_lot(session, scope=scope, since=since):
        shipped = [
            q
            for source in sources
            if (
                q := source(
                    session, row.supplier_business_id, row.product_id, row.batch_number, row.unit
                )
            )
            is not None
        ]
        if not shipped:
            continue
        received = repo.decimal_or_zero(row.received)
        if received <= sum(shipped, Decimal(0)):
            continue
        key = (row.supplier_business_id, row.product_id, row.batch_number, row.unit)
        lines = [
            line
            for line in repo.lines_where(
                session,
                scope=scope,
                condition=(LedgerLine.supplier_business_id == row.supplier_business_id)
                & (LedgerLine.product_id == row.product_id)
                & (LedgerLine.batch_number == row.batch_number)
                & (LedgerLine.unit == row.unit),
                since=since,
            )
        ]
        details = {
            "batch": row.batch_number,
            "product": lines[0].product_name if lines else "",
            "supplier": lines[0].supplier_name if lines else "",
            "received": f"{received.normalize():f} {row.unit}",
            "shipped": f"{sum(shipped, Decimal(0)).normalize():f} {row.unit}",
        }
        found.append(Finding(SignalRule.MASS_BALANCE, _fp("mass_balance", *key), lines, details))
    return found


def _shipment_details(shipment: Shipment, supplier: str) -> dict[str, Any]:
    return {
        "product": shipment.product_name,
        "batch": shipment.batch_number,
        "supplier": supplier,
        "shipment": shipment.id,
        "reference": shipment.reference,
        "shipped_on": to_local(shipment.shipped_at).date().isoformat(),
        "shipped": f"{shipment.quantity.normalize():f} {shipment.unit}",
    }


def _shipment_findings(
    session: Session, caterers: ColumnElement[bool], today: date
) -> list[Finding]:
    """Shipments not confirmed within the time allowed (as of now) and receipts of less
    than was shipped, each placed at the receiving caterer."""
    lookback = RULES[SignalRule.SHIPMENT_UNCONFIRMED].lookback_days
    since = datetime.combine(today - timedelta(days=lookback), time(0), SHANGHAI)
    late = utc_now() - timedelta(hours=get_settings().shipment_confirm_hours)
    found = []
    for shipment, caterer, supplier in signals_repo.shipments_where(
        session, caterers=caterers, condition=signals_repo.unconfirmed(late), since=since
    ):
        found.append(
            Finding(
                SignalRule.SHIPMENT_UNCONFIRMED,
                _fp("shipment_unconfirmed", shipment.id),
                [],
                _shipment_details(shipment, supplier),
                place=caterer,
            )
        )
    for shipment, caterer, supplier in signals_repo.shipments_where(
        session, caterers=caterers, condition=signals_repo.mismatched(), since=since
    ):
        received = shipment.received_quantity or Decimal(0)
        details = {
            **_shipment_details(shipment, supplier),
            "received": f"{received.normalize():f} {shipment.unit}",
        }
        line = signals_repo.ledger_line(session, shipment.ledger_line_id)
        found.append(
            Finding(
                SignalRule.SHIPMENT_MISMATCH,
                _fp("shipment_mismatch", shipment.id),
                [line] if line is not None else [],
                details,
                place=caterer,
            )
        )
    return found


def find_anomalies(
    *,
    session: Session,
    scope: ColumnElement[bool],
    today: date,
    caterers: ColumnElement[bool] | None = None,
) -> list[Finding]:
    """Every rule's findings over the lines of ``scope`` and the shipments to the caterers
    of ``caterers`` (a condition on Business; none: the shipment rules are not run)."""
    since = today - timedelta(days=RULES[SignalRule.LICENCE_EXPIRED].lookback_days)
    return [
        *_licence_findings(session, scope, since),
        *_scope_findings(session, scope, since),
        *_receipt_findings(session, scope, since),
        *_spread_findings(session, scope, today),
        *_mass_balance_findings(session, scope, since),
        *(_shipment_findings(session, caterers, today) if caterers is not None else []),
    ]


def _placement(lines: Sequence[LedgerLine]) -> dict[str, str | None]:
    """The region codes shared by every line (a signal spanning two counties is placed at
    their prefecture, so each county's regulator sees only its own)."""

    def common(values: set[str | None]) -> str | None:
        return values.pop() if len(values) == 1 else None

    placed = {
        "province_code": common({line.province_code for line in lines}),
        "prefecture_code": common({line.prefecture_code for line in lines}),
        "county_code": common({line.county_code for line in lines}),
        "township_code": common({line.township_code for line in lines}),
    }
    if placed["prefecture_code"] is None:
        placed["county_code"] = placed["township_code"] = None
    elif placed["county_code"] is None:
        placed["township_code"] = None
    return placed


def _placed_at(business: Business) -> dict[str, str | None]:
    return {
        "province_code": business.province_code,
        "prefecture_code": business.prefecture_code,
        "county_code": business.county_code,
        "township_code": business.township_code,
    }


def _store_findings(session: Session, findings: Sequence[Finding]) -> list[LedgerSignal]:
    known = repo.existing_fingerprints(session, [f.fingerprint for f in findings])
    created = []
    now = utc_now()
    for finding in findings:
        if finding.fingerprint in known or not (finding.lines or finding.place):
            continue
        known.add(finding.fingerprint)
        if finding.place is not None:
            placed = _placed_at(finding.place)
            businesses = {finding.place.id}
        else:
            placed = _placement(finding.lines)
            businesses = {line.business_id for line in finding.lines}
        if placed["province_code"] is None:
            continue  # lines of two provinces: no regulator sees them all
        signal = LedgerSignal(
            rule=finding.rule,
            fingerprint=finding.fingerprint,
            business_id=businesses.pop() if len(businesses) == 1 else None,
            line_ids=[line.id for line in finding.lines][:200],
            details={**finding.details, "stores": finding.details.get("stores", 1)},
            found_at=now,
            status=SignalStatus.OPEN,
            **placed,
        )
        session.add(signal)
        created.append(signal)
    session.flush()
    return created


def run_rules(
    *, session: Session, actor: Principal, today: date | None = None
) -> list[LedgerSignal]:
    """Run the rules over the actor's jurisdiction now (the regulator's button)."""
    _require_regulator(actor)
    caterers = auth_access.business_condition(actor)
    return _run(session, actor, access.line_condition(actor), caterers, today or today_local())


def run_all(*, session: Session, actor: Principal, today: date | None = None) -> list[LedgerSignal]:
    """Run the rules over every ledger (the periodic job, as the system)."""
    return _run(session, actor, true(), true(), today or today_local())


def _run(
    session: Session,
    actor: Principal,
    scope: ColumnElement[bool],
    caterers: ColumnElement[bool],
    today: date,
) -> list[LedgerSignal]:
    found = find_anomalies(session=session, scope=scope, today=today, caterers=caterers)
    created = _store_findings(session, found)
    if created:
        audit.record(
            session=session,
            actor=actor,
            action="ledger_signals.find",
            entity_type="ledger_signal",
            entity_id=created[0].id,
            after={"created": len(created), "ids": [s.id for s in created][:100]},
        )
    return created


# Reading and acting on signals --------------------------------------------------------------


def list_signals(
    *,
    session: Session,
    actor: Principal,
    page: PageRequest,
    status: SignalStatus | None = None,
    rule: SignalRule | None = None,
) -> Page[LedgerSignal]:
    _require_regulator(actor)
    rows, total = repo.page_signals(
        session,
        scope=signal_condition(actor),
        status=status,
        rule=rule.value if rule else None,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)


def get_signal(*, session: Session, actor: Principal, signal_id: int) -> LedgerSignal:
    _require_regulator(actor)
    found = repo.get_signal(session, signal_id=signal_id, scope=signal_condition(actor))
    if found is None:
        raise NotFoundError(N_("No such risk signal"))
    return found


#: The words of a signal's details in a lead case's summary (English msgids; a detail not
#: named here is written with its key).
DETAIL_LABELS: dict[str, str] = {
    "product": N_("Ingredient product name"),
    "batch": N_("Batch number"),
    "supplier": N_("Supplier"),
    "purchase_date": N_("Purchase date"),
    "licence_state": N_("Supplier's licence on the purchase date"),
    "scope": N_("Supplier's licence scope when recorded"),
    "expiry_date": N_("Use-by date"),
    "missing": N_("Documents missing"),
    "stores": N_("Stores"),
    "threshold": N_("Threshold (stores)"),
    "received": N_("Quantity received"),
    "shipped": N_("Quantity shipped"),
    "shipment": N_("Shipment number"),
    "reference": N_("Delivery note number"),
    "shipped_on": N_("Shipped on"),
}


def _detail_value(key: str, value: object, _: Translator) -> str:
    if key == "missing" and isinstance(value, list):
        return "、".join(
            _(rules.DOCUMENT_LABELS[DocumentKind(v)]) if v in set(DocumentKind) else str(v)
            for v in value
        )
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    return "—" if value is None or value == "" else str(value)


def lead_text(signal: LedgerSignal, locale: str) -> tuple[str, str]:
    """The title and summary of the lead case opened from ``signal``, in ``locale``: case
    titles and summaries are stored text, written in the deployment's language like the
    other domains' cases (Chinese by default)."""
    _ = Translator(locale)
    rule = RULES[signal.rule]
    d = signal.details
    subject = str(d.get("product") or "")
    if d.get("batch"):
        subject = _("{product} (batch {batch})", product=subject, batch=d["batch"])
    title = _("Ledger risk signal: {rule} — {subject}", rule=_(rule.label), subject=subject)
    lines = [
        f"{_(rule.label)} ({rule.source})",
        *(
            f"{_(DETAIL_LABELS[k]) if k in DETAIL_LABELS else k}: {_detail_value(k, v, _)}"
            for k, v in d.items()
        ),
    ]
    if signal.line_ids:
        ids = ", ".join(str(i) for i in signal.line_ids[:50])
        lines.append(_("Ledger lines: {ids}", ids=ids))
    return title.strip()[:200], "\n".join(lines)


def open_lead(*, session: Session, actor: Principal, signal_id: int) -> Case:
    """Open a lead case (线索) from the signal; a signal opens at most one case."""
    signal = get_signal(session=session, actor=actor, signal_id=signal_id)
    if signal.case_id is not None:
        raise ConflictError(N_("A case was already opened from this signal."))
    title, summary = lead_text(signal, get_settings().default_locale)
    region = signal.township_code or signal.county_code or signal.prefecture_code
    case = open_case(
        session=session,
        actor=actor,
        draft=CaseDraft(
            kind=CaseKind.LEAD,
            title=title,
            summary=summary,
            business_id=signal.business_id,
            region_code=None if signal.business_id else region or signal.province_code,
        ),
    )
    before = {"status": signal.status.value}
    signal.case_id = case.id
    signal.status = SignalStatus.CASE_OPENED
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="ledger_signal.open_case",
        entity_type="ledger_signal",
        entity_id=signal.id,
        before=before,
        after={"status": signal.status.value, "case_id": case.id},
    )
    return case
