"""What demo data is already present (so ``make run`` keeps it between runs)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sunshine.demo import repository
from sunshine.demo.seed import DEMO_PASSWORD, DemoAccount


def has_businesses(session: Session) -> bool:
    return repository.any_business(session)


def existing_demo_accounts(session: Session) -> list[DemoAccount]:
    """The demo accounts as stored (passwords are the demo password unless changed)."""
    out = []
    for user, unit_name, region_code in repository.users_with_units(session):
        out.append(
            DemoAccount(
                username=user.username,
                password=DEMO_PASSWORD,
                role=user.role,
                region_code=region_code or "",
                org_unit=unit_name,
                business_id=user.business_id,
            )
        )
    return out
