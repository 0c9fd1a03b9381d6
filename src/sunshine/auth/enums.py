"""Roles and their families."""

from enum import StrEnum


class Role(StrEnum):
    """Role of a signed-in user. The anonymous public has no account and no role."""

    PUBLIC = "public"
    ENTERPRISE_OWNER = "enterprise_owner"
    ENTERPRISE_MANAGER = "enterprise_manager"
    ENTERPRISE_STAFF = "enterprise_staff"
    CHAIN_HQ = "chain_hq"
    INSPECTOR = "inspector"
    STATION_CHIEF = "station_chief"
    BUREAU_LEADER = "bureau_leader"
    ADMIN = "admin"


ENTERPRISE_ROLES = frozenset(
    {Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER, Role.ENTERPRISE_STAFF, Role.CHAIN_HQ}
)
REGULATOR_ROLES = frozenset({Role.INSPECTOR, Role.STATION_CHIEF, Role.BUREAU_LEADER, Role.ADMIN})
# Enterprise roles allowed to change the business profile and staff records.
ENTERPRISE_EDITORS = frozenset({Role.ENTERPRISE_OWNER, Role.ENTERPRISE_MANAGER, Role.CHAIN_HQ})
