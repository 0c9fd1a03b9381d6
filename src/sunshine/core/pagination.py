"""Pagination of lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 20

    def __post_init__(self) -> None:
        object.__setattr__(self, "page", max(1, self.page))
        object.__setattr__(self, "per_page", min(max(1, self.per_page), 200))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    request: PageRequest
    # Set when counting stopped early: ``total`` is then a lower bound ("10,000+").
    count_cap: int | None = None

    @property
    def capped(self) -> bool:
        return self.count_cap is not None and self.total > self.count_cap

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.request.per_page))

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1
