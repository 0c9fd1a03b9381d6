"""Verdicts of test items and the conclusion of a sample, from what the laboratory found."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sunshine.sampling.enums import Comparator, Conclusion, Verdict
from sunshine.sampling.rules import ItemInput, conclusion_of, convert, judge

C, V = Comparator, Verdict


def _item(**changes: object) -> ItemInput:
    values: dict[str, object] = {
        "name": "铅(以Pb计)",
        "comparator": C.AT_MOST,
        "limit": "0.2",
        "unit": "mg/kg",
    }
    values.update(changes)
    return ItemInput(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("comparator", "limit", "result", "verdict"),
    [
        (C.AT_MOST, "0.2", "0.35", V.FAIL),
        (C.AT_MOST, "0.2", "0.2", V.PASS),  # the limit itself meets "at most"
        (C.BELOW, "0.2", "0.2", V.FAIL),  # ... but not "below"
        (C.AT_MOST, "0.2", "0.050", V.PASS),
        (C.AT_MOST, "0.2", "未检出", V.PASS),
        (C.AT_MOST, "0.2", "ND", V.PASS),
        (C.AT_LEAST, "3.0", "2.5", V.FAIL),  # a minimum (e.g. protein g/100g)
        (C.AT_LEAST, "3.0", "3.0", V.PASS),
        (C.ABOVE, "3.0", "3.0", V.FAIL),
        (C.AT_MOST, "1,000", "1,200", V.FAIL),  # thousands separators
    ],
)
def test_a_numeric_verdict_follows_from_the_result_and_the_limit(
    comparator: Comparator, limit: str, result: str, verdict: Verdict
) -> None:
    judged = judge(_item(comparator=comparator, limit=limit, result=result))
    assert judged.problems == ()
    assert judged.verdict is verdict


def test_units_of_one_kind_are_converted_before_comparing() -> None:
    # 0.25 mg/kg written as 250 μg/kg (and as "ug/kg", as keyboards without μ write it).
    assert judge(_item(result="250", result_unit="μg/kg")).verdict is V.FAIL
    assert judge(_item(result="150", result_unit="ug/kg")).verdict is V.PASS
    assert judge(_item(limit="1.0", unit="g/kg", result="0.8", result_unit="g/kg")).verdict is (
        V.PASS
    )
    assert convert(Decimal("1.2"), from_unit="g/kg", to_unit="mg/kg") == Decimal("1200.0")
    assert convert(Decimal(1), from_unit="mg/kg", to_unit="mg/L") is None


def test_units_that_do_not_compare_are_refused_not_guessed() -> None:
    judged = judge(_item(result="0.1", result_unit="CFU/g"))
    assert judged.verdict is None
    assert [(p.where, p.params) for p in judged.problems] == [
        ("result_unit", {"result_unit": "CFU/g", "unit": "mg/kg"})
    ]


def test_must_not_be_detected() -> None:
    nd = _item(comparator=C.NOT_DETECTED, limit="", unit="μg/kg")
    assert judge(ItemInput(**{**nd.__dict__, "result": "未检出"})).verdict is V.PASS
    assert judge(ItemInput(**{**nd.__dict__, "result": "2.3"})).verdict is V.FAIL
    assert judge(ItemInput(**{**nd.__dict__, "result": "检出"})).verdict is V.FAIL
    assert judge(ItemInput(**{**nd.__dict__, "result": "0"})).verdict is V.PASS


def test_a_qualitative_item_carries_the_laboratory_s_verdict() -> None:
    item = _item(comparator=C.QUALITATIVE, limit="阴性", unit="", result="阳性")
    missing = judge(item)
    assert missing.verdict is None
    assert missing.problems[0].where == "verdict"
    assert judge(ItemInput(**{**item.__dict__, "stated": V.FAIL})).verdict is V.FAIL


def test_a_stated_verdict_that_contradicts_the_result_is_refused() -> None:
    judged = judge(_item(result="0.35", stated=V.PASS))
    assert judged.verdict is None
    assert judged.problems[0].where == "verdict"
    assert judge(_item(result="0.35", stated=V.FAIL)).verdict is V.FAIL  # agreeing is fine


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"limit": "about 0.2", "result": "0.1"}, "limit"),
        ({"unit": "", "result": "0.1"}, "unit"),
        ({"result": "a little"}, "result"),
        ({"comparator": C.AT_LEAST, "limit": "3", "result": "未检出"}, "result"),
        ({"comparator": C.QUALITATIVE, "limit": "", "result": "阴性", "stated": V.PASS}, "limit"),
    ],
)
def test_unreadable_limits_and_results_are_named(changes: dict[str, object], where: str) -> None:
    judged = judge(_item(**changes))
    assert judged.verdict is None
    assert where in [p.where for p in judged.problems]


def test_no_result_yet_means_no_verdict_and_no_problem() -> None:
    judged = judge(_item())
    assert (judged.verdict, judged.problems, judged.limit_value) == (None, (), Decimal("0.2"))


def test_the_conclusion_is_unqualified_when_any_item_fails() -> None:
    assert conclusion_of([V.PASS, V.PASS]) is Conclusion.QUALIFIED
    assert conclusion_of([V.PASS, V.FAIL, V.PASS]) is Conclusion.UNQUALIFIED
