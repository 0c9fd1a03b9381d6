"""``sunshine hygiene backfill``: score the inspections recorded without a hygiene score
(before scoring existed, or imported), a batch per transaction."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(sub: Any) -> None:
    """Register the ``hygiene`` command group on the CLI's sub-parsers."""
    group = sub.add_parser("hygiene", help="hygiene rating (量化分级) scores").add_subparsers(
        dest="hygiene", required=True
    )
    backfill = group.add_parser("backfill", help="score every inspection without a score")
    backfill.add_argument("--batch", type=int, default=500, help="inspections per transaction")
    backfill.set_defaults(func=cmd_backfill)


def cmd_backfill(args: argparse.Namespace) -> int:
    from sunshine.auth.principal import SYSTEM
    from sunshine.core.db import unit_of_work
    from sunshine.inspections.hygiene import backfill_scores

    after, examined, scored = 0, 0, 0
    while True:
        with unit_of_work() as session:
            done = backfill_scores(session=session, actor=SYSTEM, after_id=after, limit=args.batch)
        if done.examined == 0:
            break
        after, examined, scored = done.last_id, examined + done.examined, scored + done.scored
        print(f"\r{examined} inspections examined, {scored} scored", end="", flush=True)
    print(f"\r{examined} inspections examined, {scored} scored")
    return 0
