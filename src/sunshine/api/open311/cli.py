"""``sunshine open311 add-client | list-clients | disable-client``: API keys of Open311 clients."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sunshine.api.open311.models import DEFAULT_HOURLY_LIMIT


def add_commands(sub: Any) -> None:
    """Register the ``open311`` command group on the CLI's sub-parsers."""
    group = sub.add_parser(
        "open311", help="Open311 GeoReport v2 clients (12345 hotline systems, apps)"
    ).add_subparsers(dest="open311", required=True)
    add = group.add_parser("add-client", help="register a client and print its API key once")
    add.add_argument("name")
    add.add_argument(
        "--hourly-limit",
        type=int,
        default=DEFAULT_HOURLY_LIMIT,
        help=f"requests it may file per hour (default {DEFAULT_HOURLY_LIMIT})",
    )
    add.set_defaults(func=cmd_add_client)
    listing = group.add_parser("list-clients", help="the clients, active or not")
    listing.set_defaults(func=cmd_list_clients)
    disable = group.add_parser("disable-client", help="stop accepting a client's key")
    disable.add_argument("name")
    disable.set_defaults(func=cmd_disable_client)


def cmd_add_client(args: argparse.Namespace) -> int:
    from sunshine.api.open311 import clients
    from sunshine.auth.principal import SYSTEM
    from sunshine.core.db import unit_of_work

    with unit_of_work() as session:
        issued = clients.add_client(
            session=session, actor=SYSTEM, name=args.name, hourly_limit=args.hourly_limit
        )
        name = issued.client.name
    print(issued.api_key)
    print(
        f"API key of Open311 client {name!r}: shown once, only its digest is stored.",
        file=sys.stderr,
    )
    return 0


def cmd_list_clients(args: argparse.Namespace) -> int:
    from sunshine.api.open311 import clients
    from sunshine.core.db import unit_of_work

    with unit_of_work() as session:
        for client in clients.list_clients(session=session):
            state = "active" if client.active else "disabled"
            print(f"{client.name}\t{state}\t{client.hourly_limit}/h\t{client.created_at:%Y-%m-%d}")
    return 0


def cmd_disable_client(args: argparse.Namespace) -> int:
    from sunshine.api.open311 import clients
    from sunshine.auth.principal import SYSTEM
    from sunshine.core.db import unit_of_work

    with unit_of_work() as session:
        clients.disable_client(session=session, actor=SYSTEM, name=args.name)
    print(f"Open311 client {args.name!r} disabled")
    return 0
