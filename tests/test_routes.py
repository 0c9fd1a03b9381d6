"""The routers are matched in order of traffic; that order must not change who answers."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from starlette.routing import compile_path

from sunshine.app import routers


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_no_two_routers_answer_the_same_path() -> None:
    routes = [
        (index, prefix + route.path, route.methods or set())
        for index, (router, prefix) in enumerate(routers())
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    assert len(routes) > 50
    clashes = [
        (path_a, path_b)
        for index_a, path_a, methods_a in routes
        for index_b, path_b, methods_b in routes
        if index_a != index_b
        and methods_a & methods_b
        and compile_path(path_a)[0].match(_sample(path_b))
    ]
    assert clashes == []


def test_the_store_page_is_matched_first() -> None:
    first_router, prefix = routers()[0]
    assert prefix == ""
    assert "/s/{code}" in {r.path for r in first_router.routes if isinstance(r, APIRoute)}
