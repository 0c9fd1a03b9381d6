"""Seeding a realistic demo province: regions, offices, businesses, staff and accounts."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth.enums import Role
from sunshine.auth.models import User
from sunshine.auth.passwords import hash_password
from sunshine.auth.principal import SYSTEM
from sunshine.core import crypto
from sunshine.core.masking import mask_id_number
from sunshine.demo import repository as demo_repo
from sunshine.demo.fake import FakeBusiness, RegionRef, generate_province
from sunshine.regions import repository as regions_repo
from sunshine.regions import service as regions_service
from sunshine.regions.enums import RegionLevel
from sunshine.registry.enums import (
    BusinessCategory,
    BusinessForm,
    BusinessScale,
    LicenceKind,
    LicenceStatus,
    OperatingStatus,
)
from sunshine.registry.models import Business, Staff, TrainingRecord
from sunshine.registry.service import CODE_ALPHABET, CODE_LENGTH

DEMO_PASSWORD = "Sunshine#2026"  # noqa: S105 - printed for the demo; refused outside demo mode
BATCH = 1000


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    region_code: str
    org_unit: str | None = None
    business_id: int | None = None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "username": self.username,
            "password": self.password,
            "role": self.role.value,
            "region_code": self.region_code,
        }
        if self.org_unit is not None:
            out["org_unit"] = self.org_unit
        if self.business_id is not None:
            out["business_id"] = self.business_id
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class SeedResult:
    businesses: int
    staff: int
    regions_added: int
    org_units_added: int
    accounts: list[DemoAccount]
    focus_counties: list[str]


def _region_refs(session: Session, province_code: str) -> list[RegionRef]:
    refs: list[RegionRef] = []
    for level in (
        RegionLevel.PROVINCE,
        RegionLevel.PREFECTURE,
        RegionLevel.COUNTY,
        RegionLevel.TOWNSHIP,
    ):
        for r in regions_repo.regions_at_level(
            session, level=level, within=(RegionLevel.PROVINCE, province_code)
        ):
            refs.append(
                RegionRef(code=r.code, name=r.name, level=r.level.value, parent_code=r.parent_code)
            )
    return refs


def focus_counties(refs: Sequence[RegionRef], province_code: str) -> list[str]:
    """The demo accounts' two counties: the first two urban districts of the capital."""
    capital = province_code[:2] + "01" + "00"
    urban = [
        r.code
        for r in refs
        if r.level == "county" and r.parent_code == capital and 1 <= int(r.code[4:6]) <= 20
    ]
    counties = [r.code for r in refs if r.level == "county"]
    chosen = (urban or counties)[:2]
    if len(chosen) < 2:
        chosen = counties[:2]
    return chosen


def _public_code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _business_row(
    fake: FakeBusiness, *, code: str, placement: Mapping[str, str | None], chain_hq_id: int | None
) -> dict[str, Any]:
    return {
        "public_code": code,
        "name": fake.name,
        "uscc": fake.uscc,
        "category": BusinessCategory(fake.category),
        "form": BusinessForm(fake.form),
        "scale": BusinessScale(fake.scale),
        "chain_hq_id": chain_hq_id,
        "is_chain_hq": fake.is_chain_hq,
        "licence_kind": LicenceKind.PRODUCTION
        if fake.licence_number.startswith("SC")
        else LicenceKind.BUSINESS,
        "licence_number": fake.licence_number,
        "licence_issue_date": fake.licence_issue_date,
        "licence_expiry_date": fake.licence_expiry_date,
        "licence_status": LicenceStatus(fake.licence_status),
        "licence_scope": list(fake.licence_scope),
        "address": fake.address,
        "province_code": placement["province"],
        "prefecture_code": placement["prefecture"],
        "county_code": fake.county_code,
        "township_code": fake.township_code,
        "latitude": fake.latitude,
        "longitude": fake.longitude,
        "contact_name": fake.contact_name,
        "contact_phone": fake.contact_phone,
        "food_safety_manager": fake.food_safety_manager,
        "operating_status": OperatingStatus(fake.operating_status),
    }


def _batched(items: Iterable[FakeBusiness], size: int) -> Iterable[list[FakeBusiness]]:
    batch: list[FakeBusiness] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert_batch(
    session: Session,
    batch: list[FakeBusiness],
    rng: random.Random,
    parents: dict[str, str],
    key_to_id: dict[int, int],
    pending_hq: list[tuple[int, int]],
) -> int:
    rows = []
    for fake in batch:
        prefecture = parents[fake.county_code]
        placement = {"province": parents[prefecture], "prefecture": prefecture}
        hq = key_to_id.get(fake.chain_hq_key) if fake.chain_hq_key is not None else None
        rows.append(
            _business_row(fake, code=_public_code(rng), placement=placement, chain_hq_id=hq)
        )
    ids = (
        session.execute(insert(Business).returning(Business.id, sort_by_parameter_order=True), rows)
        .scalars()
        .all()
    )
    staff_rows: list[dict[str, Any]] = []
    trainings: list[list[dict[str, Any]]] = []
    for fake, row, business_id in zip(batch, rows, ids, strict=True):
        key_to_id[fake.key] = business_id
        if fake.chain_hq_key is not None and row["chain_hq_id"] is None:
            pending_hq.append((business_id, fake.chain_hq_key))
        for person in fake.staff:
            staff_rows.append(
                {
                    "business_id": business_id,
                    "name": person.name,
                    "position": person.position,
                    "gender": person.gender,
                    "phone": person.phone,
                    "id_number_encrypted": crypto.encrypt(person.id_number),
                    "id_number_digest": crypto.digest(person.id_number),
                    "id_number_masked": mask_id_number(person.id_number),
                    "direct_contact": person.direct_contact,
                    "health_cert_number": person.health_cert_number or None,
                    "health_cert_issue_date": person.health_cert_issue_date,
                    "health_cert_expiry_date": person.health_cert_expiry_date,
                }
            )
            trainings.append(
                [
                    {
                        "taken_date": t.taken_date,
                        "topic": t.topic,
                        "hours": t.hours,
                        "provider": t.provider,
                    }
                    for t in person.trainings
                ]
            )
    if staff_rows:
        staff_ids = (
            session.execute(
                insert(Staff).returning(Staff.id, sort_by_parameter_order=True), staff_rows
            )
            .scalars()
            .all()
        )
        training_rows = [
            dict(t, staff_id=sid) for sid, ts in zip(staff_ids, trainings, strict=True) for t in ts
        ]
        if training_rows:
            session.execute(insert(TrainingRecord), training_rows)
    return len(staff_rows)


def seed_province(
    *,
    session: Session,
    province_code: str,
    businesses: int,
    seed: int,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> SeedResult:
    """Load the province, its offices and ``businesses`` generated businesses (deterministic)."""
    loaded = regions_service.load_province(
        session=session, actor=SYSTEM, province_code=province_code
    )
    units = regions_service.build_org_units(
        session=session, actor=SYSTEM, province_code=province_code
    )
    refs = _region_refs(session, province_code)
    parents = {r.code: r.parent_code or "" for r in refs}
    focus = focus_counties(refs, province_code)
    rng = random.Random(f"codes-{seed}")
    key_to_id: dict[int, int] = {}
    staff_total = 0
    done = 0
    fakes = generate_province(
        seed=seed, businesses=businesses, regions=refs, today=today, focus_counties=focus
    )
    pending_hq: list[tuple[int, int]] = []
    for batch in _batched(fakes, BATCH):
        staff_total += _insert_batch(session, batch, rng, parents, key_to_id, pending_hq)
        done += len(batch)
        if progress:
            progress(len(batch))
    # Outlets generated before (or with) their HQ get the link once every id is known.
    demo_repo.link_outlets(session, [(bid, key_to_id[key]) for bid, key in pending_hq])
    session.flush()
    demo_repo.refresh_statistics(session)
    accounts = create_demo_accounts(session=session, province_code=province_code, focus=focus)
    audit.record(
        session=session,
        actor=SYSTEM,
        action="demo.seed",
        entity_type="province",
        entity_id=province_code,
        after={"businesses": done, "staff": staff_total, "seed": seed, "accounts": len(accounts)},
    )
    return SeedResult(
        businesses=done,
        staff=staff_total,
        regions_added=loaded.added,
        org_units_added=units,
        accounts=accounts,
        focus_counties=focus,
    )


def _add_user(
    session: Session,
    account: DemoAccount,
    display_name: str,
    org_unit_id: int | None,
    business_id: int | None,
) -> None:
    session.add(
        User(
            username=account.username,
            display_name=display_name,
            password_hash=hash_password(account.password),
            role=account.role,
            org_unit_id=org_unit_id,
            business_id=business_id,
        )
    )


def create_demo_accounts(
    *, session: Session, province_code: str, focus: Sequence[str]
) -> list[DemoAccount]:
    """One account per role, for two neighbouring counties, printed by ``make run``."""
    from sunshine.demo.accounts import plan_accounts

    accounts: list[DemoAccount] = []
    for planned in plan_accounts(session=session, province_code=province_code, focus=focus):
        account = DemoAccount(
            username=planned.username,
            password=DEMO_PASSWORD,
            role=planned.role,
            region_code=planned.region_code,
            org_unit=planned.org_unit_name,
            business_id=planned.business_id,
            note=planned.note,
        )
        _add_user(session, account, planned.display_name, planned.org_unit_id, planned.business_id)
        accounts.append(account)
    session.flush()
    return accounts


def summarise(result: SeedResult) -> dict[str, int]:
    roles = Counter(a.role.value for a in result.accounts)
    return {"businesses": result.businesses, "staff": result.staff, **roles}
