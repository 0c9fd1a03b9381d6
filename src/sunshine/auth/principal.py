"""The principal: who is acting, with the scope the access helpers need."""

from __future__ import annotations

from dataclasses import dataclass, field

from sunshine.auth.enums import ENTERPRISE_EDITORS, ENTERPRISE_ROLES, REGULATOR_ROLES, Role
from sunshine.regions.enums import RegionLevel


@dataclass(frozen=True)
class Principal:
    """A signed-in user (or the system, or the anonymous public) as seen by services.

    ``jurisdiction_code``/``jurisdiction_level`` are the regulator's region subtree root.
    ``business_id`` is the enterprise user's own business (the HQ for a chain HQ).
    """

    user_id: int | None
    username: str
    display_name: str
    role: Role | None
    org_unit_id: int | None = None
    jurisdiction_code: str | None = None
    jurisdiction_level: RegionLevel | None = None
    business_id: int | None = None
    ip: str | None = None
    user_agent: str | None = None
    locale: str = "zh_CN"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.role is None

    @property
    def is_regulator(self) -> bool:
        return self.role in REGULATOR_ROLES

    @property
    def is_enterprise(self) -> bool:
        return self.role in ENTERPRISE_ROLES

    @property
    def can_edit_business(self) -> bool:
        return self.role in ENTERPRISE_EDITORS or self.is_regulator

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def label(self) -> str:
        return self.username if self.user_id is not None else self.display_name


ANONYMOUS = Principal(user_id=None, username="anonymous", display_name="anonymous", role=None)
SYSTEM = Principal(user_id=None, username="system", display_name="system", role=Role.ADMIN)
