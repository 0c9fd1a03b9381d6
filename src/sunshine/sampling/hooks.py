"""Listeners told when a sample fails: the extension point of traceability (溯源).

When a sample's results make it 不合格, the sampling service opens the verification and
disposal case (核查处置) and then calls every listener here with a :class:`FailedSample`,
in the same transaction (listeners must not commit). By default nobody listens: nothing
else happens.

The traceability capability (a later issue) links the failed batch to the business's
ingredient records here: it finds the purchase-ledger lines (进货查验记录) of the product
and batch, the supplier that delivered them and the other buyers of that batch, and adds
what it finds to the case. It registers itself by naming its module in
:data:`LISTENER_MODULES` (imported on first use, so sampling never imports it) whose import
calls :func:`listen`::

    # sunshine/traceability/sampling_listener.py
    from sunshine.sampling import hooks

    @hooks.listen
    def link_failed_batch(session: Session, failed: hooks.FailedSample) -> None:
        ...  # e.g. ledger lines where product ≈ failed.sample.product_name
             # and batch == failed.sample.batch_number, at failed.sample.business_id

A listener that raises makes the whole recording fail (nothing is stored), like any other
rule of the transaction; one that only wants to try should catch its own errors.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sunshine.cases.models import Case
from sunshine.sampling.models import Sample, SampleItem

#: Modules whose import registers listeners (the traceability capability adds its own).
LISTENER_MODULES: tuple[str, ...] = (
    "sunshine.ingredients.public",  # drops the store pages of the batch's buyers
    "sunshine.traceability.sampling_listener",  # recalls the batch (批次召回)
)


@dataclass(frozen=True)
class FailedSample:
    """A sample whose conclusion is 不合格: the sample (business, product, batch, production
    date), its failed items and the verification and disposal case it opened."""

    sample: Sample
    failed_items: Sequence[SampleItem]
    case: Case


FailureListener = Callable[[Session, FailedSample], None]
_listeners: list[FailureListener] = []


def listen(listener: FailureListener) -> FailureListener:
    """Register ``listener`` (usable as a decorator); registering it twice keeps one."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def forget(listener: FailureListener) -> None:
    """Unregister ``listener`` (tests, or a capability switched off)."""
    if listener in _listeners:
        _listeners.remove(listener)


def sample_failed(*, session: Session, failed: FailedSample) -> None:
    """Tell every listener, in the transaction that recorded the results."""
    for module in LISTENER_MODULES:
        importlib.import_module(module)  # cached by Python after the first time
    for listener in list(_listeners):
        listener(session, failed)
