"""Matching the answers a form sends to the items of the list it answers (an inspection's
checklist, a self-inspection's list): each answer must name an item of the list, once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from sunshine.core.errors import ProblemList
from sunshine.core.i18n import N_
from sunshine.inspections.models import ChecklistItem


class Answer(Protocol):
    @property
    def item_code(self) -> str: ...


A = TypeVar("A", bound=Answer)


def match_answers(
    check: ProblemList,
    answers: Sequence[A],
    items: Sequence[ChecklistItem],
    *,
    unknown: str,
    check_answer: Callable[[str, ChecklistItem, A], None],
) -> tuple[list[tuple[ChecklistItem, A]], list[str]]:
    """Each answer with its item, in the order sent, and the codes of the items not
    answered. An answer naming no item of the list (``unknown``: the message, with
    ``{code}``) or an item answered before is a problem of its own, at ``items[n].item``;
    ``check_answer(path, item, answer)`` checks the rest of each matched answer."""
    by_code = {item.code: item for item in items}
    seen: set[str] = set()
    matched = []
    for n, answer in enumerate(answers):
        path = f"items[{n}]"
        item = by_code.get(answer.item_code)
        if item is None:
            check.add(f"{path}.item", unknown, code=answer.item_code)
            continue
        if answer.item_code in seen:
            check.add(f"{path}.item", N_("item {code} is answered twice"), code=item.code)
            continue
        seen.add(answer.item_code)
        check_answer(path, item, answer)
        matched.append((item, answer))
    return matched, [item.code for item in items if item.code not in seen]
