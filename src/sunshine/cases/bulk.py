"""Assigning many cases at once (批量分派).

One request, one transaction, but each case on its own: every case is checked against the
version the dispatcher saw and moved inside a savepoint, so a case that fails (someone else
acted first, it is not accepted yet, the officer does not belong to its office) is left
exactly as it was and the others are still assigned. The answer says, case by case, what
happened and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from sunshine.auth import access
from sunshine.auth import repository as users_repo
from sunshine.auth.principal import Principal
from sunshine.cases import service
from sunshine.cases.enums import CaseAction
from sunshine.cases.service import Step
from sunshine.cases.workbench import ASSIGNEE_ROLES, may_assign
from sunshine.cases.workflow import allowed_actions
from sunshine.core.errors import (
    ConflictError,
    DomainError,
    FieldProblem,
    ForbiddenError,
    ValidationFailed,
)
from sunshine.core.i18n import N_, Message, Params

#: At most one workbench page and a little more per request.
MAX_CASES = 200


@dataclass(frozen=True)
class Target:
    """A case to assign and the version of it the dispatcher saw."""

    case_id: int
    expected_version: int


@dataclass(frozen=True)
class Outcome:
    """What became of one case: assigned, or not and why (an English template and its
    parameters, shown in the reader's language)."""

    case_id: int
    reference: str | None
    assigned: bool
    message: str | None = None
    params: Params = field(default_factory=dict)
    version: int | None = None  # the case's version afterwards, when assigned


def assign_cases(
    *, session: Session, actor: Principal, assignee_id: int | None, targets: Sequence[Target]
) -> list[Outcome]:
    """Assign each target case to ``assignee_id``; refuse the whole request only when it
    cannot apply to any case (the role may not assign, no officer or no case chosen)."""
    access.require_regulator(actor)
    if not may_assign(actor):
        raise ForbiddenError(N_("Your role may not assign cases."))
    _check_request(session=session, assignee_id=assignee_id, targets=targets)
    assert assignee_id is not None
    return [
        _assign_one(session=session, actor=actor, assignee_id=assignee_id, target=target)
        for target in targets
    ]


def _check_request(*, session: Session, assignee_id: int | None, targets: Sequence[Target]) -> None:
    problems: list[FieldProblem] = []
    assignee = users_repo.get_user(session, assignee_id) if assignee_id is not None else None
    if assignee is None or not assignee.is_active or assignee.role not in ASSIGNEE_ROLES:
        problems.append(
            FieldProblem("assignee_id", N_("Choose an officer who handles cases."), code="required")
        )
    if not targets:
        problems.append(FieldProblem("cases", N_("Select at least one case."), code="required"))
    elif len(targets) > MAX_CASES:
        problems.append(
            FieldProblem(
                "cases", N_("Assign at most {limit} cases at once."), params={"limit": MAX_CASES}
            )
        )
    elif len({t.case_id for t in targets}) != len(targets):
        problems.append(FieldProblem("cases", N_("A case was selected twice.")))
    if problems:
        raise ValidationFailed(problems)


def _assign_one(*, session: Session, actor: Principal, assignee_id: int, target: Target) -> Outcome:
    reference: str | None = None
    try:
        with session.begin_nested():
            case = service.get_case(session=session, actor=actor, case_id=target.case_id)
            reference = case.reference
            if CaseAction.ASSIGN not in allowed_actions(
                kind=case.kind, state=case.state, role=actor.role
            ):
                raise ConflictError(
                    N_("A case is assigned once it is accepted; this one is {state}."),
                    state=Message(STATE_NAMES[case.state.value]),
                )
            case = service.act(
                session=session,
                actor=actor,
                case_id=target.case_id,
                step=Step(
                    action=CaseAction.ASSIGN,
                    expected_version=target.expected_version,
                    assignee_id=assignee_id,
                ),
            )
            version = case.version
    except DomainError as exc:
        message, params = _why(exc)
        return Outcome(target.case_id, reference, False, message, params)
    return Outcome(target.case_id, reference, True, version=version)


def _why(error: DomainError) -> tuple[str, Params]:
    """The sentence that explains a refusal: a field problem says more than its summary."""
    if isinstance(error, ValidationFailed) and error.problems:
        problem = error.problems[0]
        return problem.message, dict(problem.params)
    return error.message, dict(error.params)


#: The names of states in refusals (English msgids, translated when shown).
STATE_NAMES = {
    "received": N_("received"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "assigned": N_("assigned"),
    "verifying": N_("being verified"),
    "handled": N_("handled"),
    "reviewed": N_("reviewed"),
    "closed": N_("closed"),
}
