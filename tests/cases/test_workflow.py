"""The case workflow: who may do what, in which state, and where it leads."""

from __future__ import annotations

import pytest

from sunshine.auth.enums import ENTERPRISE_ROLES, Role
from sunshine.cases.limits import limit_keys
from sunshine.cases.workflow import (
    KINDS,
    OPEN_STATES,
    CaseAction,
    CaseKind,
    CaseState,
    allowed_actions,
    plan_move,
)
from sunshine.core.errors import ConflictError, ForbiddenError, ValidationFailed

A, S = CaseAction, CaseState
CHIEF, INSPECTOR, LEADER = Role.STATION_CHIEF, Role.INSPECTOR, Role.BUREAU_LEADER


def _walk(kind: CaseKind, steps: list[tuple[CaseAction, Role | None]]) -> list[CaseState]:
    state, seen = S.RECEIVED, []
    for action, role in steps:
        state = plan_move(kind=kind, state=state, action=action, role=role, reason="因为").target
        seen.append(state)
    return seen


def test_a_complaint_runs_the_whole_line() -> None:
    assert _walk(
        CaseKind.COMPLAINT,
        [
            (A.ACCEPT, CHIEF),
            (A.ASSIGN, CHIEF),
            (A.START_VERIFYING, INSPECTOR),
            (A.HANDLE, INSPECTOR),
            (A.REVIEW, CHIEF),
            (A.CLOSE, CHIEF),
        ],
    ) == [S.ACCEPTED, S.ASSIGNED, S.VERIFYING, S.HANDLED, S.REVIEWED, S.CLOSED]


def test_a_lead_without_review_closes_from_handled() -> None:
    states = _walk(
        CaseKind.LEAD,
        [(A.ACCEPT, CHIEF), (A.ASSIGN, CHIEF), (A.START_VERIFYING, INSPECTOR), (A.HANDLE, CHIEF)],
    )
    assert states[-1] is S.HANDLED
    assert plan_move(kind=CaseKind.LEAD, state=S.HANDLED, action=A.CLOSE, role=CHIEF).target is (
        S.CLOSED
    )
    with pytest.raises(ForbiddenError):
        plan_move(kind=CaseKind.LEAD, state=S.HANDLED, action=A.REVIEW, role=CHIEF)
    with pytest.raises(ConflictError):  # a complaint must be reviewed first
        plan_move(kind=CaseKind.COMPLAINT, state=S.HANDLED, action=A.CLOSE, role=CHIEF)


def test_side_moves() -> None:
    def target(state: CaseState, action: CaseAction, role: Role | None = LEADER) -> CaseState:
        return plan_move(
            kind=CaseKind.REPORT, state=state, action=action, role=role, reason="理由"
        ).target

    assert target(S.REVIEWED, A.RETURN) is S.VERIFYING
    assert target(S.VERIFYING, A.TRANSFER) is S.RECEIVED  # received afresh by the other unit
    assert target(S.VERIFYING, A.ESCALATE) is S.VERIFYING  # the unit changes, not the state
    assert target(S.VERIFYING, A.ESCALATE, None) is S.VERIFYING  # the scheduler may escalate
    assert target(S.CLOSED, A.REOPEN) is S.VERIFYING
    assert target(S.REJECTED, A.REOPEN) is S.RECEIVED
    assert target(S.ASSIGNED, A.ASSIGN) is S.ASSIGNED  # reassignment


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [
        (S.REVIEWED, A.CLOSE, INSPECTOR),  # an inspector does not close
        (S.RECEIVED, A.REJECT, INSPECTOR),
        (S.CLOSED, A.REOPEN, CHIEF),  # only a leader reopens
        (S.RECEIVED, A.ACCEPT, None),  # the scheduler only escalates
        *[(S.RECEIVED, A.ACCEPT, role) for role in sorted(ENTERPRISE_ROLES)],
        (S.RECEIVED, A.ACCEPT, Role.PUBLIC),
    ],
)
def test_roles_that_may_not_act(state: CaseState, action: CaseAction, role: Role | None) -> None:
    with pytest.raises(ForbiddenError):
        plan_move(kind=CaseKind.COMPLAINT, state=state, action=action, role=role, reason="x")


def test_the_second_of_two_handlers_gets_a_conflict() -> None:
    first = plan_move(kind=CaseKind.COMPLAINT, state=S.RECEIVED, action=A.ACCEPT, role=CHIEF)
    with pytest.raises(ConflictError) as raised:
        # The second handler's page still showed "received"; the case is now accepted.
        plan_move(
            kind=CaseKind.COMPLAINT, state=first.target, action=A.REJECT, role=LEADER, reason="重复"
        )
    assert raised.value.status == 409


@pytest.mark.parametrize("action", [A.REJECT, A.RETURN, A.TRANSFER, A.ESCALATE, A.REOPEN, A.HANDLE])
def test_steps_that_must_say_why(action: CaseAction) -> None:
    from sunshine.cases.workflow import _MOVES

    state = next(iter(_MOVES[action]))
    role = LEADER if action is A.REOPEN else CHIEF
    for reason in (None, "", "   "):
        with pytest.raises(ValidationFailed) as raised:
            plan_move(kind=CaseKind.REPORT, state=state, action=action, role=role, reason=reason)
        assert raised.value.problems[0].field == "reason"


def test_buttons_follow_role_and_state() -> None:
    assert allowed_actions(kind=CaseKind.COMPLAINT, state=S.RECEIVED, role=CHIEF) == [
        A.ACCEPT,
        A.REJECT,
        A.TRANSFER,
        A.ESCALATE,
    ]
    assert allowed_actions(kind=CaseKind.COMPLAINT, state=S.VERIFYING, role=INSPECTOR) == [A.HANDLE]
    assert allowed_actions(kind=CaseKind.COMPLAINT, state=S.CLOSED, role=CHIEF) == []
    assert allowed_actions(kind=CaseKind.COMPLAINT, state=S.HANDLED, role=None) == [A.ESCALATE]


@pytest.mark.parametrize("kind", list(CaseKind))
def test_every_kind_is_complete(kind: CaseKind) -> None:
    config = KINDS[kind]
    assert {spec.limit_key for spec in config.clocks} <= limit_keys()
    # From received, every open state and "closed" can be reached by someone.
    reached, frontier = {S.RECEIVED}, [S.RECEIVED]
    while frontier:
        state = frontier.pop()
        for role in [*Role, None]:
            for action in allowed_actions(kind=kind, state=state, role=role):
                target = plan_move(
                    kind=kind, state=state, action=action, role=role, reason="r"
                ).target
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
    expected = set(OPEN_STATES) | {S.CLOSED, S.REJECTED}
    if not config.reviewed:
        expected.discard(S.REVIEWED)
    assert reached == expected
