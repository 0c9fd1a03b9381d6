"""One workflow for every kind of case (案件), configured per kind as data.

The main line is received → accepted (or rejected, with a reason) → assigned → verifying →
handled → reviewed → closed. Side moves: a reviewer *returns* handled work for more
verification; a unit *transfers* a case it is not responsible for to another unit (the case
is received there afresh); a case is *escalated* to the supervising unit (its state is kept;
the scheduler does this to overdue cases); a closed or rejected case is *reopened*.

Each kind says (:class:`KindConfig`) whether it has the review step, which statutory clocks
run between which states (keys of :mod:`sunshine.cases.limits`), and which roles may take
each action. Later capabilities (sampling failures, camera alerts, ingredient anomalies,
delivery-platform findings, governance items) add kinds here, not code paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sunshine.auth.enums import Role
from sunshine.cases.enums import CaseAction, CaseKind, CaseState
from sunshine.core.errors import ConflictError, FieldProblem, ForbiddenError, ValidationFailed
from sunshine.core.i18n import N_

__all__ = [
    "KINDS",
    "OPEN_STATES",
    "CaseAction",
    "CaseKind",
    "CaseState",
    "ClockSpec",
    "KindConfig",
    "Move",
    "allowed_actions",
    "kind_config",
    "moved_on",
    "plan_move",
    "required_reason",
]


OPEN_STATES = frozenset(
    {
        CaseState.RECEIVED,
        CaseState.ACCEPTED,
        CaseState.ASSIGNED,
        CaseState.VERIFYING,
        CaseState.HANDLED,
        CaseState.REVIEWED,
    }
)


# Where each action may start and where it leads (a state mapped to None keeps the state).
_MOVES: Mapping[CaseAction, Mapping[CaseState, CaseState | None]] = {
    CaseAction.ACCEPT: {CaseState.RECEIVED: CaseState.ACCEPTED},
    CaseAction.REJECT: {CaseState.RECEIVED: CaseState.REJECTED},
    CaseAction.ASSIGN: {
        CaseState.ACCEPTED: CaseState.ASSIGNED,
        CaseState.ASSIGNED: CaseState.ASSIGNED,  # reassignment
    },
    CaseAction.START_VERIFYING: {CaseState.ASSIGNED: CaseState.VERIFYING},
    CaseAction.HANDLE: {CaseState.VERIFYING: CaseState.HANDLED},
    CaseAction.REVIEW: {CaseState.HANDLED: CaseState.REVIEWED},
    CaseAction.RETURN: {
        CaseState.HANDLED: CaseState.VERIFYING,
        CaseState.REVIEWED: CaseState.VERIFYING,
    },
    CaseAction.CLOSE: {CaseState.REVIEWED: CaseState.CLOSED},
    CaseAction.TRANSFER: {
        CaseState.RECEIVED: CaseState.RECEIVED,
        CaseState.ACCEPTED: CaseState.RECEIVED,
        CaseState.ASSIGNED: CaseState.RECEIVED,
        CaseState.VERIFYING: CaseState.RECEIVED,
    },
    CaseAction.ESCALATE: dict.fromkeys(OPEN_STATES),
    CaseAction.REOPEN: {
        CaseState.CLOSED: CaseState.VERIFYING,
        CaseState.REJECTED: CaseState.RECEIVED,
    },
}

# Actions that must say why (the reason is kept on the timeline and shown to the parties).
REASON_REQUIRED = frozenset(
    {
        CaseAction.REJECT,
        CaseAction.RETURN,
        CaseAction.TRANSFER,
        CaseAction.ESCALATE,
        CaseAction.REOPEN,
        CaseAction.HANDLE,  # the handling result
    }
)


@dataclass(frozen=True)
class ClockSpec:
    """A statutory clock: ``limit_key`` runs from entering ``starts`` until entering any of
    ``stops`` (received: from the day the case was received)."""

    limit_key: str
    starts: CaseState
    stops: frozenset[CaseState]


@dataclass(frozen=True)
class KindConfig:
    kind: CaseKind
    reviewed: bool  # whether handled work is reviewed before closing
    clocks: tuple[ClockSpec, ...]
    actors: Mapping[CaseAction, frozenset[Role]]
    automatic: frozenset[CaseAction]  # what the scheduler may do by itself
    #: States besides the main line's from which the case may be closed (a recall is done
    #: when its holders are, whatever step its case had reached).
    closes_from: frozenset[CaseState] = frozenset()


_DISPATCHERS = frozenset({Role.STATION_CHIEF, Role.BUREAU_LEADER, Role.ADMIN})
_HANDLERS = frozenset({Role.INSPECTOR, Role.STATION_CHIEF})
_REVIEWERS = frozenset({Role.STATION_CHIEF, Role.BUREAU_LEADER})

_STANDARD_ACTORS: Mapping[CaseAction, frozenset[Role]] = {
    CaseAction.ACCEPT: _DISPATCHERS | {Role.INSPECTOR},
    CaseAction.REJECT: _DISPATCHERS,
    CaseAction.ASSIGN: _DISPATCHERS,
    CaseAction.START_VERIFYING: _HANDLERS,
    CaseAction.HANDLE: _HANDLERS,
    CaseAction.REVIEW: _REVIEWERS,
    CaseAction.RETURN: _REVIEWERS,
    CaseAction.CLOSE: _REVIEWERS,
    CaseAction.TRANSFER: _DISPATCHERS,
    CaseAction.ESCALATE: _DISPATCHERS,
    CaseAction.REOPEN: frozenset({Role.BUREAU_LEADER, Role.ADMIN}),
}
_CLOSED_OR_REJECTED = frozenset({CaseState.REJECTED, CaseState.CLOSED})

KINDS: Mapping[CaseKind, KindConfig] = {
    CaseKind.COMPLAINT: KindConfig(
        kind=CaseKind.COMPLAINT,
        reviewed=True,
        clocks=(
            # Accept or reject within 7 working days of receipt (O20 Art. 14).
            ClockSpec(
                "complaint.accept",
                CaseState.RECEIVED,
                frozenset({CaseState.ACCEPTED}) | _CLOSED_OR_REJECTED,
            ),
            # Mediate within 45 working days of acceptance (O20 Art. 21 ¶1(5)).
            ClockSpec(
                "complaint.mediation",
                CaseState.ACCEPTED,
                frozenset({CaseState.HANDLED, CaseState.REVIEWED}) | _CLOSED_OR_REJECTED,
            ),
        ),
        actors=_STANDARD_ACTORS,
        automatic=frozenset({CaseAction.ESCALATE}),
    ),
    CaseKind.REPORT: KindConfig(
        kind=CaseKind.REPORT,
        reviewed=True,
        clocks=(
            # Verify a lead and decide whether to open a case within 15 working days
            # (《市场监督管理行政处罚程序规定》 Art. 18).
            ClockSpec(
                "lead.verify",
                CaseState.RECEIVED,
                frozenset({CaseState.HANDLED, CaseState.REVIEWED}) | _CLOSED_OR_REJECTED,
            ),
        ),
        actors=_STANDARD_ACTORS,
        automatic=frozenset({CaseAction.ESCALATE}),
    ),
    CaseKind.SAMPLING: KindConfig(
        kind=CaseKind.SAMPLING,
        reviewed=True,
        clocks=(
            # Verify and dispose of a failed sample within 15 working days of receiving
            # the result (penalty procedure Art. 18 applied by our reading: unverified,
            # see limits.py).
            ClockSpec(
                "sampling.verify",
                CaseState.RECEIVED,
                frozenset({CaseState.HANDLED, CaseState.REVIEWED}) | _CLOSED_OR_REJECTED,
            ),
        ),
        actors=_STANDARD_ACTORS,
        automatic=frozenset({CaseAction.ESCALATE}),
    ),
    CaseKind.ENFORCEMENT: KindConfig(
        kind=CaseKind.ENFORCEMENT,
        reviewed=True,
        clocks=(
            # A filed case (立案) is decided within 90 days of filing, extendable by 30 with
            # the head's approval (penalty procedure Art. 64, see limits.py): the case is
            # opened on the day it is filed, and the decision is its handling.
            ClockSpec(
                "case.decide",
                CaseState.RECEIVED,
                frozenset({CaseState.HANDLED, CaseState.REVIEWED}) | _CLOSED_OR_REJECTED,
            ),
        ),
        actors=_STANDARD_ACTORS,
        automatic=frozenset({CaseAction.ESCALATE}),
    ),
    CaseKind.RECALL: KindConfig(
        kind=CaseKind.RECALL,
        reviewed=True,
        # No statutory clock: a recall's deadlines are the holders' acknowledgements, in
        # hours by the recall's level (traceability/recall.py, 食品召回管理办法 Art. 13,
        # unverified), which the engine's day-counted limits do not express; none of the
        # limits in limits.py (complaints, leads, filed cases, sampling) governs a recall.
        clocks=(),
        actors=_STANDARD_ACTORS,
        automatic=frozenset(),
        closes_from=OPEN_STATES,
    ),
    CaseKind.LEAD: KindConfig(
        kind=CaseKind.LEAD,
        reviewed=False,
        clocks=(
            ClockSpec(
                "lead.verify",
                CaseState.RECEIVED,
                frozenset({CaseState.HANDLED}) | _CLOSED_OR_REJECTED,
            ),
        ),
        actors=_STANDARD_ACTORS,
        automatic=frozenset({CaseAction.ESCALATE}),
    ),
}


@dataclass(frozen=True)
class Move:
    """What an allowed action does: from ``source`` to ``target`` (the same for escalation)."""

    action: CaseAction
    source: CaseState
    target: CaseState


def kind_config(kind: CaseKind) -> KindConfig:
    return KINDS[kind]


def _moves_for(config: KindConfig, action: CaseAction) -> Mapping[CaseState, CaseState | None]:
    moves = dict(_MOVES[action])
    if not config.reviewed:
        # Without the review step, handled work is closed (or returned) directly.
        moves.pop(CaseState.REVIEWED, None)
        if action is CaseAction.REVIEW:
            return {}
        if action is CaseAction.CLOSE:
            return {CaseState.HANDLED: CaseState.CLOSED}
    if action is CaseAction.CLOSE:
        moves.update(dict.fromkeys(config.closes_from, CaseState.CLOSED))
    return moves


def allowed_actions(*, kind: CaseKind, state: CaseState, role: Role | None) -> list[CaseAction]:
    """The actions this role may take on a case of this kind in this state (for buttons).

    ``role=None`` is the scheduler, which may take only the kind's automatic actions.
    """
    config = kind_config(kind)
    return [
        action
        for action in CaseAction
        if state in _moves_for(config, action) and _may_act(config, action, role)
    ]


def _may_act(config: KindConfig, action: CaseAction, role: Role | None) -> bool:
    if role is None:
        return action in config.automatic
    return role in config.actors.get(action, frozenset())


def plan_move(
    *,
    kind: CaseKind,
    state: CaseState,
    action: CaseAction,
    role: Role | None,
    reason: str | None = None,
) -> Move:
    """Check that ``role`` may take ``action`` on a case in ``state``; say where it leads.

    Raises ``ForbiddenError`` for a role that may not act, ``ConflictError`` for an action
    the state does not allow (typically: someone else acted first), ``ValidationFailed``
    for a missing reason.
    """
    config = kind_config(kind)
    if not _may_act(config, action, role):
        raise ForbiddenError(N_("Your role may not take this action on this case."))
    moves = _moves_for(config, action)
    if not moves:
        raise ForbiddenError(N_("Cases of this kind have no such step."))
    if state not in moves:
        raise moved_on()
    if action in REASON_REQUIRED:
        required_reason(reason)
    target = moves[state]
    return Move(action=action, source=state, target=state if target is None else target)


def moved_on() -> ConflictError:
    """The answer to a handler who acted on a case someone else changed in the meantime."""
    return ConflictError(
        N_("This case has moved on since you opened it; reload it to see where it stands.")
    )


def required_reason(text: str | None) -> str:
    """The reason a step needs, trimmed (refused when blank)."""
    if not (text and text.strip()):
        raise ValidationFailed(
            [FieldProblem("reason", N_("Give a reason for this step."), code="required")]
        )
    return text.strip()
