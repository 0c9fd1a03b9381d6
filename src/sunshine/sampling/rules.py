"""How a test item's verdict and a sample's conclusion follow from what the laboratory found.

Pure functions, no database: the service, the import and the tests use them alike.

* A numeric limit (≤, <, ≥, >) is compared with a numeric result, after converting the
  result into the limit's unit when both are units of one kind (mg/kg and μg/kg, mg/L and
  g/L); units that cannot be compared are refused rather than guessed. "未检出" (not
  detected) meets a maximum and never a minimum.
* A result under a bound (``<10``, below the limit of quantification) meets a maximum
  the bound does not exceed; otherwise it shows nothing and the amount is asked for.
* "不得检出" (must not be detected): "未检出" passes, a measured amount above zero or
  "检出" fails.
* A qualitative item (阴性/阳性 and the like) carries the verdict the laboratory states.
* A verdict stated for a numeric or not-detected item must agree with the computed one.
* The sample's conclusion: any failed item makes it 不合格, otherwise 合格.

Values are compared exactly as reported (Decimal). The rounding rules of GB/T 8170 (修约值
比较法), which some standards call for, are not applied: the laboratory's reported value is
taken as already rounded (an assumption, not a rule read from a standard).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sunshine.core.i18n import N_, Message, ParamValue
from sunshine.sampling.enums import Comparator, Conclusion, Verdict
from sunshine.sampling.labels import VERDICT_LABELS

#: How a result that found nothing is written (compared case-insensitively).
NOT_DETECTED_WORDS = frozenset({"未检出", "nd", "n.d.", "not detected", "<lod", "＜lod"})
#: How a result that found the substance is written without an amount.
DETECTED_WORDS = frozenset({"检出", "detected"})
#: Verdicts as they are typed in forms and files.
VERDICT_WORDS = {
    "pass": Verdict.PASS,
    "合格": Verdict.PASS,
    "符合": Verdict.PASS,
    "fail": Verdict.FAIL,
    "不合格": Verdict.FAIL,
    "不符合": Verdict.FAIL,
}
#: Comparators as they are typed in forms and files.
COMPARATOR_WORDS = {
    **{c.value: c for c in Comparator},
    "≤": Comparator.AT_MOST,
    "<=": Comparator.AT_MOST,
    "<": Comparator.BELOW,
    "＜": Comparator.BELOW,
    "≥": Comparator.AT_LEAST,
    ">=": Comparator.AT_LEAST,
    ">": Comparator.ABOVE,
    "＞": Comparator.ABOVE,
    "不得检出": Comparator.NOT_DETECTED,
    "定性": Comparator.QUALITATIVE,
}
NUMERIC = frozenset({Comparator.AT_MOST, Comparator.BELOW, Comparator.AT_LEAST, Comparator.ABOVE})
SYMBOLS = {
    Comparator.AT_MOST: "≤",
    Comparator.BELOW: "<",
    Comparator.AT_LEAST: "≥",
    Comparator.ABOVE: ">",
}

# Units of one kind, each with its size in the kind's base unit (mg/kg, mg/L).
_UNIT_SCALES: dict[str, tuple[str, Decimal]] = {
    "g/kg": ("mass", Decimal(1000)),
    "mg/kg": ("mass", Decimal(1)),
    "μg/kg": ("mass", Decimal("0.001")),
    "mg/100g": ("mass", Decimal(10)),
    "g/100g": ("mass", Decimal(10000)),
    "g/l": ("volume", Decimal(1000)),
    "mg/l": ("volume", Decimal(1)),
    "μg/l": ("volume", Decimal("0.001")),
    "mg/100ml": ("volume", Decimal(10)),
    "g/100ml": ("volume", Decimal(10000)),
}


@dataclass(frozen=True)
class ItemInput:
    """One test item as entered: the limit and the result as written (a number or words)."""

    name: str
    comparator: Comparator
    limit: str
    unit: str
    result: str = ""
    result_unit: str = ""
    stated: Verdict | None = None


@dataclass(frozen=True)
class ItemProblem:
    """What is wrong with one field of an item (``where`` is the item's field name)."""

    where: str
    message: str
    params: dict[str, ParamValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Judged:
    """An item's limit and result read as values, and its verdict (None: no result yet)."""

    limit_value: Decimal | None
    result_value: Decimal | None
    verdict: Verdict | None
    problems: tuple[ItemProblem, ...] = ()


def number(text: str) -> Decimal | None:
    """The number ``text`` writes (``"0.050"``, ``"1,200"``), or None."""
    cleaned = text.strip().replace(",", "").replace("，", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def normal_unit(unit: str) -> str:
    """A unit spelled one way: ``µg/kg``, ``ug/kg`` and ``μg/kg`` are the same unit."""
    text = unit.strip().replace(" ", "").replace("µ", "μ")
    if text.lower().startswith("ug/"):
        text = "μ" + text[1:]
    lowered = text.lower()
    return lowered if lowered in _UNIT_SCALES else text


def convert(value: Decimal, *, from_unit: str, to_unit: str) -> Decimal | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``; None when they do not compare."""
    source, target = normal_unit(from_unit), normal_unit(to_unit)
    if source == target:
        return value
    a, b = _UNIT_SCALES.get(source), _UNIT_SCALES.get(target)
    if a is None or b is None or a[0] != b[0]:
        return None
    return value * a[1] / b[1]


def _words(text: str) -> str:
    return text.strip().lower()


def judge(item: ItemInput) -> Judged:
    """Read the item's limit and result and give its verdict (see the module's rules)."""
    problems: list[ItemProblem] = []
    limit_value = None
    if item.comparator in NUMERIC:
        limit_value = number(item.limit)
        if limit_value is None:
            problems.append(
                ItemProblem(
                    "limit",
                    N_("the limit of a {symbol} item is a number"),
                    {"symbol": SYMBOLS[item.comparator]},
                )
            )
        if not item.unit.strip():
            problems.append(ItemProblem("unit", N_("give the unit of the limit")))
    elif item.comparator is Comparator.QUALITATIVE and not item.limit.strip():
        problems.append(
            ItemProblem("limit", N_("write what the standard requires (for example 阴性)"))
        )
    if not item.result.strip():
        if item.stated is not None:
            problems.append(ItemProblem("verdict", N_("a verdict needs the result it judges")))
        return Judged(limit_value, None, None, tuple(problems))
    if problems:
        return Judged(limit_value, number(item.result), None, tuple(problems))
    if item.comparator in NUMERIC:
        assert limit_value is not None
        return _numeric(item, limit_value)
    if item.comparator is Comparator.NOT_DETECTED:
        return _not_detected(item)
    return _qualitative(item)


def _numeric(item: ItemInput, limit: Decimal) -> Judged:
    words = _words(item.result)
    if words[:1] in ("<", "＜") and number(words[1:]) is not None:
        return _below(item, limit, number(words[1:]) or Decimal(0))
    if words in NOT_DETECTED_WORDS:
        if item.comparator in (Comparator.AT_LEAST, Comparator.ABOVE):
            problem = ItemProblem(
                "result", N_("a result of 未检出 cannot be held against a minimum; give the amount")
            )
            return Judged(limit, None, None, (problem,))
        return _agreed(item, limit, None, Verdict.PASS)
    value = number(item.result)
    if value is None:
        problem = ItemProblem(
            "result",
            N_("'{result}' is not a number; write the amount found, or 未检出"),
            {"result": item.result.strip()},
        )
        return Judged(limit, None, None, (problem,))
    result_unit = item.result_unit.strip() or item.unit
    converted = convert(value, from_unit=result_unit, to_unit=item.unit)
    if converted is None:
        problem = ItemProblem(
            "result_unit",
            N_("a result in {result_unit} cannot be compared with a limit in {unit}"),
            {"result_unit": result_unit, "unit": item.unit.strip()},
        )
        return Judged(limit, value, None, (problem,))
    meets = {
        Comparator.AT_MOST: converted <= limit,
        Comparator.BELOW: converted < limit,
        Comparator.AT_LEAST: converted >= limit,
        Comparator.ABOVE: converted > limit,
    }[item.comparator]
    return _agreed(item, limit, value, Verdict.PASS if meets else Verdict.FAIL)


def _below(item: ItemInput, limit: Decimal, bound: Decimal) -> Judged:
    """A result reported as under a bound (``<10``: below the limit of quantification)
    meets a maximum the bound does not exceed; against a minimum, or a maximum below the
    bound, it shows nothing and the amount is asked for."""
    converted = convert(bound, from_unit=item.result_unit.strip() or item.unit, to_unit=item.unit)
    maximum = item.comparator in (Comparator.AT_MOST, Comparator.BELOW)
    if converted is None or not maximum or converted > limit:
        problem = ItemProblem(
            "result",
            N_("'{result}' does not show whether the limit is met; give the amount found"),
            {"result": item.result.strip()},
        )
        return Judged(limit, None, None, (problem,))
    return _agreed(item, limit, None, Verdict.PASS)


def _not_detected(item: ItemInput) -> Judged:
    words = _words(item.result)
    if words in NOT_DETECTED_WORDS:
        return _agreed(item, None, None, Verdict.PASS)
    if words in DETECTED_WORDS:
        return _agreed(item, None, None, Verdict.FAIL)
    value = number(item.result)
    if value is None or value < 0:
        problem = ItemProblem(
            "result",
            N_(
                "'{result}' is not a result of a must-not-be-detected item; write 未检出, 检出 "
                "or the amount found"
            ),
            {"result": item.result.strip()},
        )
        return Judged(None, None, None, (problem,))
    return _agreed(item, None, value, Verdict.FAIL if value > 0 else Verdict.PASS)


def _qualitative(item: ItemInput) -> Judged:
    if item.stated is None:
        problem = ItemProblem(
            "verdict", N_("give the laboratory's verdict of a qualitative item (合格 or 不合格)")
        )
        return Judged(None, None, None, (problem,))
    return Judged(None, number(item.result), item.stated)


def _agreed(
    item: ItemInput, limit: Decimal | None, value: Decimal | None, verdict: Verdict
) -> Judged:
    """The computed verdict, refused when the one stated says otherwise."""
    if item.stated is not None and item.stated is not verdict:
        problem = ItemProblem(
            "verdict",
            N_(
                "the result gives '{computed}', not '{stated}'; the verdict follows from the "
                "result and the limit"
            ),
            {
                "computed": Message(VERDICT_LABELS[verdict]),
                "stated": Message(VERDICT_LABELS[item.stated]),
            },
        )
        return Judged(limit, value, None, (problem,))
    return Judged(limit, value, verdict)


def conclusion_of(verdicts: Iterable[Verdict]) -> Conclusion:
    """不合格 when any item failed, else 合格 (a sample has at least one item)."""
    return (
        Conclusion.UNQUALIFIED if any(v is Verdict.FAIL for v in verdicts) else Conclusion.QUALIFIED
    )
