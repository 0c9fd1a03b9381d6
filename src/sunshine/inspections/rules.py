"""The rule that derives an inspection's result (符合 / 基本符合 / 不符合) from its items.

A checklist version carries its rule as data (``result_rule`` in its file), so a new table
with new thresholds needs no code. One kind of rule is understood, ``thresholds``: no item
failed is compliant; any of the ``noncompliant_if_any`` conditions makes it non-compliant;
anything else is basically compliant. The conditions:

- ``key_failures_at_least`` n: n or more key items (重点项) failed;
- ``general_failures_more_than`` n: more than n general items (一般项) failed;
- ``general_pass_rate_below`` r: passed / (checked - not applicable) of the general items
  is below r (合理缺项 leave the denominator, as the 2016 catering table says).

The 2016 catering table (表1-3) is ``key_failures_at_least: 2, general_pass_rate_below:
0.70``; the 2016 tables of the other business kinds are ``general_failures_more_than: 8,
key_failures_at_least: 1``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sunshine.core.errors import FieldProblem
from sunshine.core.i18n import N_
from sunshine.inspections.enums import InspectionResult, ItemOutcome

RULE_KINDS = ("thresholds",)
_CONDITIONS = {
    "key_failures_at_least": int,
    "general_failures_more_than": int,
    "general_pass_rate_below": float,
}


@dataclass(frozen=True)
class Tally:
    """What an inspection's items came to."""

    key_failed: int
    key_checked: int  # applicable key items
    general_failed: int
    general_checked: int  # applicable general items
    not_applicable: int

    @property
    def general_pass_rate(self) -> float:
        """Passed over applicable general items (1.0 when none applies)."""
        if self.general_checked == 0:
            return 1.0
        return (self.general_checked - self.general_failed) / self.general_checked

    @property
    def failed(self) -> int:
        return self.key_failed + self.general_failed


def tally(outcomes: Iterable[tuple[bool, ItemOutcome]]) -> Tally:
    """Count (is key, outcome) pairs."""
    counts = {"kf": 0, "kc": 0, "gf": 0, "gc": 0, "na": 0}
    for key, outcome in outcomes:
        if outcome is ItemOutcome.NOT_APPLICABLE:
            counts["na"] += 1
            continue
        prefix = "k" if key else "g"
        counts[f"{prefix}c"] += 1
        if outcome is ItemOutcome.FAIL:
            counts[f"{prefix}f"] += 1
    return Tally(counts["kf"], counts["kc"], counts["gf"], counts["gc"], counts["na"])


def derive_result(rule: Mapping[str, Any], counted: Tally) -> InspectionResult:
    """The result ``rule`` gives for ``counted`` (a rule checked by :func:`rule_problems`)."""
    if counted.failed == 0:
        return InspectionResult.COMPLIANT
    conditions = rule.get("noncompliant_if_any", {})
    if _any_holds(conditions, counted):
        return InspectionResult.NONCOMPLIANT
    return InspectionResult.BASICALLY_COMPLIANT


def _any_holds(conditions: Mapping[str, Any], counted: Tally) -> bool:
    return any(_holds(name, float(value), counted) for name, value in conditions.items())


def _holds(condition: str, value: float, counted: Tally) -> bool:
    if condition == "key_failures_at_least":
        return counted.key_failed >= value
    if condition == "general_failures_more_than":
        return counted.general_failed > value
    return counted.general_pass_rate < value  # general_pass_rate_below


def rule_problems(rule: object, field: str = "result_rule") -> list[FieldProblem]:
    """What is wrong with a rule read from a file (empty: it can be used)."""
    if not isinstance(rule, dict):
        return [FieldProblem(field, N_("must be an object"))]
    if rule.get("kind") not in RULE_KINDS:
        return [
            FieldProblem(
                f"{field}.kind",
                N_("'{value}' is not a known rule kind (known: {known})"),
                params={"value": str(rule.get("kind")), "known": ", ".join(RULE_KINDS)},
            )
        ]
    conditions = rule.get("noncompliant_if_any")
    if not isinstance(conditions, dict) or not conditions:
        return [
            FieldProblem(f"{field}.noncompliant_if_any", N_("must name at least one condition"))
        ]
    problems = []
    for name, value in conditions.items():
        kind = _CONDITIONS.get(name)
        path = f"{field}.noncompliant_if_any.{name}"
        if kind is None:
            problems.append(
                FieldProblem(
                    path,
                    N_("unknown condition (known: {known})"),
                    params={"known": ", ".join(_CONDITIONS)},
                )
            )
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(FieldProblem(path, N_("must be a number of at least 0")))
        elif kind is float and value > 1:
            problems.append(FieldProblem(path, N_("a rate is between 0 and 1")))
        elif kind is int and value != int(value):
            problems.append(FieldProblem(path, N_("must be a whole number")))
    return problems
