"""Builders shared by the sampling tests: a sample form with items, and a failed one."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sunshine.core.time import to_local, today_local, utc_now
from sunshine.sampling.forms import ItemForm, ReportForm, SampleForm

LEAD = ItemForm(
    name="铅(以Pb计)",
    standard="GB 2762-2022",
    comparator="le",
    limit="0.2",
    unit="mg/kg",
    method="GB 5009.12-2023",
)
BENZOATE = ItemForm(
    name="苯甲酸及其钠盐(以苯甲酸计)",
    standard="GB 2760-2024",
    comparator="le",
    limit="1.0",
    unit="g/kg",
    method="GB 5009.28-2016",
)
COLIFORMS = ItemForm(
    name="大肠菌群",
    standard="GB 14934-2016",
    comparator="qualitative",
    limit="阴性",
    method="GB 14934-2016",
)


def sampled_at(days_ago: int = 3) -> str:
    return to_local(utc_now() - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M")


def report(**changes: str) -> ReportForm:
    values = {
        "lab_name": "四川省食品检验研究院",
        "report_number": "SP2026-00123",
        "report_date": today_local().isoformat(),
        **changes,
    }
    return ReportForm(**values)


def sample_form(
    business_id: int,
    *,
    items: tuple[ItemForm, ...] = (LEAD, BENZOATE),
    results: tuple[str, ...] = (),
    with_report: bool | None = None,
    **changes: object,
) -> SampleForm:
    """A sample of 辣椒酱 at the business; with ``results`` (one per item) it is complete."""
    filled = tuple(
        replace(item, result=results[n]) if n < len(results) else item
        for n, item in enumerate(items)
    )
    form = SampleForm(
        business_id=business_id,
        product_name="自制辣椒酱",
        category="condiment",
        batch_number="20261101",
        production_date=(today_local() - timedelta(days=20)).isoformat(),
        sampled_at=sampled_at(),
        sampling_place="后厨调料间",
        sampling_agency="锦江区市场监督管理局",
        samplers="张明、李华",
        items=filled,
        report=report()
        if (with_report if with_report is not None else bool(results))
        else ReportForm(),
    )
    return replace(form, **changes)
