"""双随机 draws: the same seed and inputs give the same result, a draw is stored with all it
takes to repeat it and verifies, tampering is found out, the avoidance rules and Order 49's
rules hold (two officers at least, no repeat within 3 months of an upper level)."""

from __future__ import annotations

import hashlib
import random

import pytest
from plan_helpers import add_officer, office_of, record, station_businesses, station_draw
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpers import principal_of
from sunshine.audit.models import AuditEntry
from sunshine.auth.enums import Role
from sunshine.cli import main as cli_main
from sunshine.core.errors import ConflictError, ForbiddenError, ValidationFailed
from sunshine.inspections import conflicts, draws
from sunshine.inspections import plan_repository as repo
from sunshine.inspections.draw_algorithm import (
    candidates_digest,
    how_many,
    months_before,
    pick_businesses,
    pick_group,
    reproduce,
)
from sunshine.inspections.plan_enums import DrawStatus, RiskLevel, TaskStatus
from sunshine.inspections.plan_models import InspectionTask, RandomDraw, RandomDrawEntry
from sunshine.registry.enums import BusinessForm
from sunshine.registry.models import Business

SEED = "9f" * 32


@pytest.fixture
def county(session: Session) -> dict[str, int]:
    """County A with a bureau leader who draws, two more officers of the county bureau and
    one more of chief_a's station; the users' ids by name."""
    bureau = office_of(session, "inspector_a")
    station = office_of(session, "chief_a")
    made = {
        "leader_a": add_officer(session, username="leader_a", unit=bureau, role=Role.BUREAU_LEADER),
        "off_a1": add_officer(session, username="off_a1", unit=bureau),
        "off_a2": add_officer(session, username="off_a2", unit=bureau),
        "off_s1": add_officer(session, username="off_s1", unit=station),
    }
    ids = {name: user.id for name, user in made.items()}
    for name in ("inspector_a", "chief_a", "inspector_b"):
        ids[name] = principal_of(session, name).user_id or 0
    return ids


# -- the algorithm ------------------------------------------------------------------------


def test_the_same_seed_and_candidates_draw_the_same_businesses_in_any_input_order() -> None:
    candidates = list(range(1, 5001))
    first = pick_businesses(SEED, candidates, 250)
    shuffled = candidates[:]
    random.Random(3).shuffle(shuffled)
    assert pick_businesses(SEED, shuffled, 250) == first
    assert len(set(first)) == 250 and set(first) <= set(candidates)
    assert pick_businesses("a0" * 32, candidates, 250) != first  # another seed, another draw


def test_the_ranking_is_plain_sha256_that_anyone_can_repeat() -> None:
    candidates = [11, 12, 13, 14, 15]
    ranked = sorted(candidates, key=lambda c: hashlib.sha256(f"{SEED}:{c}".encode()).digest())
    assert pick_businesses(SEED, candidates, 3) == ranked[:3]
    pool = [3, 5, 8, 13]
    officers = sorted(pool, key=lambda u: hashlib.sha256(f"{SEED}:42:{u}".encode()).digest())
    assert pick_group(SEED, 42, pool, 2) == officers[:2]
    assert pick_group(SEED, 42, [3], 2) == []  # a pool smaller than the group gives none
    assert candidates_digest([1, 2, 3]) == hashlib.sha256(b"[1,2,3]").hexdigest()


def test_how_many_rounds_a_percentage_up_and_caps_a_count() -> None:
    from decimal import Decimal

    assert how_many(1000, draws.PERCENT, Decimal("5")) == 50
    assert how_many(101, draws.PERCENT, Decimal("5")) == 6
    assert how_many(3, draws.PERCENT, Decimal("0.01")) == 1
    assert how_many(10, draws.COUNT, Decimal("30")) == 10
    from datetime import date

    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 3) == date(2025, 10, 15)


# -- drawing ------------------------------------------------------------------------------


def test_a_draw_is_stored_with_its_inputs_and_verifies(
    session: Session, county: dict[str, int]
) -> None:
    draw = station_draw(session, by="leader_a")
    entries = repo.entries_of(session, draw.id)
    county_a = [
        b.id
        for b in session.execute(
            select(Business).where(
                Business.county_code == office_of(session, "inspector_a").region_code
            )
        ).scalars()
    ]
    assert draw.status is DrawStatus.DRAWN and draw.algorithm == "sunshine-draw/1"
    assert len(draw.seed) == 64 and int(draw.seed, 16) >= 0  # 32 random bytes
    assert draw.candidate_ids == sorted(county_a) and draw.candidate_count == len(county_a)
    assert draw.candidates_sha256 == candidates_digest(sorted(county_a))
    assert [e.business_id for e in entries] == pick_businesses(draw.seed, draw.candidate_ids, 3)
    for entry in entries:
        assert len(entry.inspector_ids) == 2 and set(entry.inspector_ids) <= set(entry.pool)
        assert entry.pool == sorted(entry.pool)
    checked = draws.verify_draw(session=session, draw=draw)
    assert checked.ok, [(c.key, c.message, c.params) for c in checked.checks]
    document = draws.draw_document(draw, entries)
    assert reproduce(document) == [(e.business_id, e.pool, e.inspector_ids) for e in entries]
    logged = session.execute(
        select(AuditEntry).where(
            AuditEntry.action == "draw.make", AuditEntry.entity_id == str(draw.id)
        )
    ).scalar_one()
    assert logged.after is not None and logged.after["seed"] == draw.seed


def test_two_draws_get_different_seeds(session: Session, county: dict[str, int]) -> None:
    first = station_draw(session, by="leader_a", quantity="1", kind=draws.COUNT)
    second = station_draw(session, by="leader_a", quantity="1", kind=draws.COUNT)
    assert first.seed != second.seed and first.reference != second.reference


@pytest.mark.parametrize(
    "tamper",
    ["group", "business", "seed", "candidates", "candidates_and_digest"],
)
def test_verify_finds_a_draw_altered_in_the_database(
    session: Session, county: dict[str, int], tamper: str
) -> None:
    draw = station_draw(session, by="leader_a")
    entry = repo.entries_of(session, draw.id)[0]
    first = (RandomDrawEntry.draw_id == draw.id, RandomDrawEntry.position == 1)
    if tamper == "group":
        others = [u for u in entry.pool if u not in entry.inspector_ids]
        swapped = [entry.inspector_ids[0], *(others or [county["inspector_b"]])[:1]]
        session.execute(update(RandomDrawEntry).where(*first).values(inspector_ids=swapped))
    elif tamper == "business":
        session.execute(
            update(RandomDrawEntry)
            .where(*first)
            .values(
                business_id=draw.candidate_ids[-1]
                if entry.business_id != draw.candidate_ids[-1]
                else draw.candidate_ids[0]
            )
        )
    elif tamper == "seed":
        draw.seed = "0" * 64
    elif tamper == "candidates":
        draw.candidate_ids = draw.candidate_ids[1:]
    else:  # rewritten along with its digest: the audit trail still holds the original
        draw.candidate_ids = draw.candidate_ids[1:]
        draw.candidate_count = len(draw.candidate_ids)
        draw.candidates_sha256 = candidates_digest(draw.candidate_ids)
    session.flush()
    session.expire_all()
    checked = draws.verify_draw(session=session, draw_id=draw.id)
    assert not checked.ok
    failed = {c.key for c in checked.checks if not c.ok}
    assert failed & {"businesses", "groups", "result", "candidates", "audit"}
    with pytest.raises(ConflictError):
        draws.publish_draw(
            session=session, actor=principal_of(session, "leader_a"), draw_id=draw.id
        )


def test_the_command_line_verifies_and_says_when_a_draw_was_altered(
    session: Session, county: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    draw = station_draw(session, by="leader_a")
    session.commit()
    assert cli_main(["draws", "verify", draw.reference]) == 0
    assert "verified" in capsys.readouterr().out
    assert cli_main(["draws", "export", str(draw.id)]) == 0
    assert draw.seed in capsys.readouterr().out
    session.execute(update(RandomDraw).where(RandomDraw.id == draw.id).values(seed="1" * 64))
    session.commit()
    assert cli_main(["draws", "verify", str(draw.id)]) == 1
    assert "does NOT verify" in capsys.readouterr().err


# -- the avoidance rules and Order 49 -------------------------------------------------------


def test_declared_conflicts_and_the_last_inspectors_are_left_out_of_the_pool(
    session: Session, county: dict[str, int]
) -> None:
    business = station_businesses(session, "chief_a")[0]
    record(session, by="inspector_a", business=business, officers=["inspector_a", "chief_a"])
    conflicts.declare_conflict(
        session=session,
        actor=principal_of(session, "off_s1"),
        business_id=business.id,
        reason="配偶在该店任厨师长",
    )
    draw = station_draw(session, by="leader_a")
    entry = next(e for e in repo.entries_of(session, draw.id) if e.business_id == business.id)
    assert entry.excluded[draws.CONFLICT] == [county["off_s1"]]
    assert entry.excluded[draws.LAST_INSPECTION] == sorted(
        [county["inspector_a"], county["chief_a"]]
    )
    assert entry.pool == sorted([county["off_a1"], county["off_a2"]])
    assert sorted(entry.inspector_ids) == entry.pool
    assert draws.verify_draw(session=session, draw=draw).ok


def test_a_group_has_at_least_two_officers_and_a_small_pool_gets_none(
    session: Session, county: dict[str, int]
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        station_draw(session, by="leader_a", group_size=1)
    assert {p.field for p in exc.value.problems} == {"group_size"}
    # Five officers cover chief_a's township, three the county's other townships.
    draw = station_draw(session, by="leader_a", group_size=4)
    entries = repo.entries_of(session, draw.id)
    station = office_of(session, "chief_a").region_code
    places = repo.business_places(session, [e.business_id for e in entries])
    for entry in entries:
        in_station = places[entry.business_id][3] == station
        assert len(entry.pool) == (5 if in_station else 3)
        assert len(entry.inspector_ids) == (4 if in_station else 0)
    assert draws.verify_draw(session=session, draw=draw).ok


def test_a_lower_level_leaves_out_what_an_upper_level_inspected_within_three_months(
    session: Session, county: dict[str, int]
) -> None:
    business = station_businesses(session, "chief_a")[0]
    record(
        session,
        by="inspector_a",
        business=business,
        officers=["inspector_a", "off_a1"],
        days_ago=20,
    )
    # The station is below the county bureau: its only business is left out.
    counted = draws.count_candidates(
        session=session, actor=principal_of(session, "chief_a"), filters=draws.DrawFilters()
    )
    assert (counted.matching, counted.left_out, counted.candidates) == (1, 1, 0)
    with pytest.raises(ValidationFailed):
        station_draw(session, by="chief_a")
    # The county bureau itself (the same level) may draw it ...
    assert business.id in station_draw(session, by="leader_a").candidate_ids
    # ... but not once the city bureau (above it) inspected it.
    city = office_of(session, "city_leader")
    add_officer(session, username="off_c1", unit=city)
    add_officer(session, username="off_c2", unit=city)
    record(session, by="off_c1", business=business, officers=["off_c1", "off_c2"], days_ago=5)
    draw = station_draw(session, by="leader_a")
    assert business.id not in draw.candidate_ids
    assert draw.excluded[draws.UPPER_LEVEL] == [business.id]
    assert draws.verify_draw(session=session, draw=draw).ok


def test_filters_by_form_level_and_area(session: Session, county: dict[str, int]) -> None:
    city = principal_of(session, "city_leader")
    prefecture = office_of(session, "city_leader").region_code
    everything = draws.count_candidates(session=session, actor=city, filters=draws.DrawFilters())
    operating = select(Business.id).where(
        Business.prefecture_code == prefecture, Business.operating_status == "operating"
    )
    assert everything.matching == len(session.execute(operating).all())
    restaurants = draws.count_candidates(
        session=session, actor=city, filters=draws.DrawFilters(forms=(BusinessForm.RESTAURANT,))
    )
    level_b = draws.count_candidates(
        session=session, actor=city, filters=draws.DrawFilters(levels=(RiskLevel.B,))
    )
    county_a = draws.count_candidates(
        session=session,
        actor=city,
        filters=draws.DrawFilters(area_code=office_of(session, "inspector_a").region_code),
    )
    assert restaurants.matching < everything.matching
    assert 0 < level_b.matching < everything.matching and county_a.matching == 3
    with pytest.raises(ValidationFailed) as exc:  # county B is not chief_a's
        draws.count_candidates(
            session=session,
            actor=principal_of(session, "chief_a"),
            filters=draws.DrawFilters(area_code=office_of(session, "inspector_b").region_code),
        )
    assert exc.value.problems[0].field == "area_code"


def test_only_chiefs_leaders_and_administrators_draw(
    session: Session, county: dict[str, int]
) -> None:
    with pytest.raises(ForbiddenError):
        station_draw(session, by="inspector_a")


def test_publishing_assigns_each_drawn_business_to_its_station_and_officers(
    session: Session, county: dict[str, int]
) -> None:
    draw = station_draw(session, by="leader_a")
    actor = principal_of(session, "leader_a")
    draws.publish_draw(session=session, actor=actor, draw_id=draw.id)
    assert draw.status is DrawStatus.PUBLISHED and draw.published_at is not None
    made = list(
        session.execute(select(InspectionTask).where(InspectionTask.draw_id == draw.id)).scalars()
    )
    entries = {e.position: e for e in repo.entries_of(session, draw.id)}
    assert len(made) == len(entries) == draw.drawn_count
    inspectors = repo.inspectors_of_tasks(session, [t.id for t in made])
    station = office_of(session, "chief_a")
    bureau = office_of(session, "inspector_a")
    for task in made:
        entry = entries[task.draw_position or 0]
        assert task.business_id == entry.business_id and task.status is TaskStatus.OPEN
        assert inspectors.get(task.id, []) == entry.inspector_ids
        # Every township of county A has a station; chief_a's is one of them.
        assert task.org_unit_id != bureau.id
        if task.township_code == station.region_code:
            assert task.org_unit_id == station.id
    with pytest.raises(ConflictError):
        draws.publish_draw(session=session, actor=actor, draw_id=draw.id)
