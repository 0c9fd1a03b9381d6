"""``sunshine draws verify ID | export ID``: repeat a 双随机 draw from its stored inputs, or
print the document anyone can repeat it from."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_commands(sub: Any) -> None:
    """Register the ``draws`` command group on the CLI's sub-parsers."""
    group = sub.add_parser("draws", help="双随机 draws: verify or export one").add_subparsers(
        dest="draws", required=True
    )
    verify = group.add_parser(
        "verify", help="repeat a draw from its seed and inputs; non-zero if it differs"
    )
    verify.add_argument("draw", help="the draw's id or reference (SJ20261130-…)")
    verify.set_defaults(func=cmd_verify)
    export = group.add_parser("export", help="print the draw's document (JSON) to repeat it")
    export.add_argument("draw", help="the draw's id or reference")
    export.set_defaults(func=cmd_export)


def cmd_verify(args: argparse.Namespace) -> int:
    from sunshine.core.db import unit_of_work
    from sunshine.core.i18n import english
    from sunshine.inspections.draws import verify_draw

    with unit_of_work() as session:
        result = verify_draw(session=session, draw_id=args.draw)
    for check in result.checks:
        mark = "ok " if check.ok else "BAD"
        print(f"  {mark} {check.key:<11} {english(check.message, check.params)}")
    if result.ok:
        print(f"draw {result.reference} (#{result.draw_id}) verified")
        return 0
    print(f"draw {result.reference} (#{result.draw_id}) does NOT verify", file=sys.stderr)
    return 1


def cmd_export(args: argparse.Namespace) -> int:
    from sunshine.core.db import unit_of_work
    from sunshine.core.errors import NotFoundError
    from sunshine.inspections import plan_repository as repo
    from sunshine.inspections.draws import draw_document

    with unit_of_work() as session:
        draw = repo.find_draw(session, args.draw)
        if draw is None:
            raise NotFoundError("No such draw")
        document = draw_document(draw, repo.entries_of(session, draw.id))
    json.dump(document, sys.stdout, ensure_ascii=False)
    print()
    return 0
