"""The enterprise portal (企业端) through HTTP: scoping, staff register, profile, QR code."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import csrf_of, login
from sunshine.audit.models import AuditEntry
from sunshine.core.identifiers import make_id_number
from sunshine.core.masking import mask_id_number
from sunshine.registry.enums import BusinessCategory, LicenceStatus
from sunshine.registry.models import Business, Staff
from sunshine.registry.rules import certificate_state
from sunshine.registry.schemas import StaffCreate
from sunshine.registry.service import build_staff


@pytest.fixture
def en(client: TestClient) -> TestClient:
    """A browser-like client reading the portal in English (the message ids)."""
    client.cookies.set("lang", "en")
    client.headers["accept"] = "text/html"
    return client


def _business_id(demo: Demo, username: str) -> int:
    return int(demo.account(username)["business_id"])


def _new_id_number(sequence: int = 123) -> str:
    return make_id_number(
        rng=random.Random(sequence),
        region_code="510104",
        birth_date=date(1990, 5, 17),
        male=True,
        sequence=sequence,
    )


def _staff_form(csrf: str, **changes: str) -> dict[str, str]:
    today = date.today()  # noqa: DTZ011 - a certificate issued about now
    form = {
        "csrf_token": csrf,
        "name": "张三丰",
        "position": "厨师",
        "id_number": _new_id_number(),
        "gender": "male",
        "phone": "13812345678",
        "direct_contact": "1",
        "health_cert_number": "JK2026-000123",
        "health_cert_issue_date": (today - timedelta(days=10)).isoformat(),
        "health_cert_expiry_date": (today + timedelta(days=300)).isoformat(),
    }
    form.update(changes)
    return form


def _active_staff(session: Session, business_id: int) -> list[Staff]:
    """Active staff as stored now (after what the app committed)."""
    session.flush()
    session.expire_all()
    stmt = select(Staff).where(Staff.business_id == business_id, Staff.active.is_(True))
    return list(session.execute(stmt).scalars())


def _audit(session: Session, action: str, entity_id: int | str) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.entity_id == str(entity_id)
    )
    return list(session.execute(stmt).scalars())


def create_staff(
    session: Session,
    business_id: int,
    name: str,
    *,
    expiry: date | None,
    direct_contact: bool = True,
    sequence: int = 201,
) -> Staff:
    """A staff member stored directly (the demo's own staff change with the generator)."""
    issued = expiry - timedelta(days=300) if expiry else None
    data = StaffCreate(
        name=name,
        position="厨师",
        id_number=_new_id_number(sequence),
        direct_contact=direct_contact,
        health_cert_number=f"JK-{sequence}" if expiry else None,
        health_cert_issue_date=issued,
        health_cert_expiry_date=expiry,
    )
    staff = build_staff(business_id=business_id, data=data)
    session.add(staff)
    session.commit()
    return staff


@pytest.fixture
def a1_member(session: Session, demo: Demo) -> Staff:
    """A staff member of store A1 with a name no other demo store uses."""
    return create_staff(
        session, _business_id(demo, "owner_a"), "欧阳测试", expiry=demo.today + timedelta(days=200)
    )


def _profile_form(client: TestClient, **changes: str) -> dict[str, str]:
    """The profile edit form as the page renders it, with some fields changed."""
    html = client.get("/biz/profile/edit").text
    form: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            form[name.group(1)] = _unescape(value.group(1)) if value else ""
    for select_html in re.findall(r"<select.*?</select>", html, flags=re.S):
        name = re.search(r'name="([^"]+)"', select_html)
        chosen = re.search(r'<option value="([^"]*)"\s*selected', select_html)
        assert name and chosen, select_html[:200]
        form[name.group(1)] = chosen.group(1)
    scope = re.search(r'<textarea[^>]*name="licence_scope"[^>]*>(.*?)</textarea>', html, re.S)
    form["licence_scope"] = _unescape(scope.group(1)) if scope else ""
    form.update(changes)
    return form


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


@pytest.fixture
def outlet(session: Session, demo: Demo) -> Business:
    """An outlet of the demo chain HQ: an existing one, else another caterer linked to it."""
    hq_id = _business_id(demo, "chain_hq")
    taken = {a["business_id"] for a in demo.accounts.values() if "business_id" in a}
    existing = session.execute(
        select(Business).where(Business.chain_hq_id == hq_id).order_by(Business.id)
    ).scalars()
    for business in existing:
        if business.id not in taken:
            return business
    candidate = session.execute(
        select(Business)
        .where(
            Business.id.not_in(taken),
            Business.category == BusinessCategory.CATERER,
            Business.is_chain_hq.is_(False),
        )
        .order_by(Business.id)
        .limit(1)
    ).scalar_one()
    candidate.chain_hq_id = hq_id
    session.commit()
    return candidate


# Menus and who may enter -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "imports", "outlets"),
    [
        ("owner_a", True, False),
        ("manager_a", True, False),
        ("staff_a", False, False),
        ("chain_hq", True, True),
    ],
)
def test_each_role_sees_its_menu(
    en: TestClient, username: str, imports: bool, outlets: bool
) -> None:
    login(en, username)
    page = en.get("/biz/")
    assert page.status_code == 200
    menu = page.text[
        page.text.index('id="menu"') : page.text.index("</nav>", page.text.index('id="menu"'))
    ]
    for item, href in (
        ("menu-dashboard", "/biz/"),
        ("menu-profile", "/biz/profile"),
        ("menu-staff", "/biz/staff"),
        ("menu-qr", "/biz/qr"),
    ):
        assert f'id="{item}" href="{href}"' in menu
    assert ('href="/biz/imports"' in menu) is imports
    assert ("Bulk import staff" in menu) is imports
    assert ('href="/biz/outlets"' in menu) is outlets
    assert "Change password" in page.text
    assert 'action="/logout"' in page.text


def test_anonymous_is_sent_to_sign_in_and_regulators_are_refused(en: TestClient) -> None:
    response = en.get("/biz/staff")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/biz/staff"
    login(en, "inspector_a")
    refused = en.get("/biz/")
    assert refused.status_code == 403
    assert "This page is for businesses." in refused.text


# Dashboard ---------------------------------------------------------------------------------


def test_dashboard_shows_licence_certificates_and_real_to_dos(
    en: TestClient, session: Session, demo: Demo
) -> None:
    business_id = _business_id(demo, "owner_a")
    business = session.get(Business, business_id)
    assert business is not None
    today = demo.today
    business.licence_expiry_date = today + timedelta(days=20)
    session.commit()
    expiring = create_staff(
        session, business_id, "张一", expiry=today + timedelta(days=10), sequence=301
    )
    expired = create_staff(
        session, business_id, "张二", expiry=today - timedelta(days=3), sequence=302
    )
    missing = create_staff(session, business_id, "张三", expiry=None, sequence=303)
    create_staff(session, business_id, "张四", expiry=None, direct_contact=False, sequence=304)
    states = Counter(
        certificate_state(s.health_cert_expiry_date, today).value
        for s in _active_staff(session, business_id)
        if s.direct_contact
    )

    login(en, "owner_a")
    html = en.get("/biz/").text
    assert business.name in html
    assert business.licence_number in html
    assert business.public_code in html
    assert "20 days left" in html
    assert "Expiring within 60 days" in html
    assert "licence licence-valid" in html
    for state in ("valid", "expiring", "expired", "missing"):
        assert re.search(rf'id="cert-{state}">\s*<div[^>]*>{states[state]}<', html), state
        assert f'href="/biz/staff?certificate={state}"' in html
    assert states["expiring"] >= 1 and states["expired"] >= 1 and states["missing"] >= 1
    todo = html[html.index('id="todo-list"') :]
    assert f"Renew the food business licence by {(today + timedelta(days=20)).isoformat()}." in todo
    assert (
        f"Renew the health certificate of 张一 by {(today + timedelta(days=10)).isoformat()}."
        in todo
    )
    assert (
        "Renew the health certificate of 张二: it expired on "
        f"{(today - timedelta(days=3)).isoformat()}." in todo
    )
    assert "Obtain a health certificate for 张三 before they handle food." in todo
    assert "张四" not in todo  # no direct food contact: no certificate duty
    alerts = states["expiring"] + states["expired"] + states["missing"]
    assert re.search(rf'id="todo-count">{1 + alerts}<', html)
    # Most urgent first: the licence, then expired, missing, expiring certificates.
    assert todo.index("food business licence") < todo.index("张二") < todo.index("张三")
    assert todo.index("张三") < todo.index("张一")
    for member in (expiring, expired, missing):
        assert f'href="/biz/staff/{member.id}/edit"' in todo


def test_dashboard_of_a_store_in_order_has_nothing_to_do(
    en: TestClient, session: Session, demo: Demo
) -> None:
    business_id = _business_id(demo, "owner_a")
    for person in _active_staff(session, business_id):
        person.health_cert_issue_date = demo.today - timedelta(days=10)
        person.health_cert_expiry_date = demo.today + timedelta(days=300)
        person.health_cert_number = person.health_cert_number or "JK-1"
    business = session.get(Business, business_id)
    assert business is not None
    business.licence_expiry_date = demo.today + timedelta(days=400)
    session.commit()
    login(en, "owner_a")
    html = en.get("/biz/").text
    assert 'id="todo-none"' in html
    assert re.search(r'id="todo-count">0<', html)


def test_dashboard_flags_an_expired_licence_in_red(
    en: TestClient, session: Session, demo: Demo
) -> None:
    business = session.get(Business, _business_id(demo, "owner_a"))
    assert business is not None
    business.licence_expiry_date = demo.today - timedelta(days=5)
    business.licence_status = LicenceStatus.VALID
    session.commit()
    login(en, "owner_a")
    html = en.get("/biz/").text
    assert "licence licence-expired" in html
    assert "status-badge status-expired" in html
    assert "expired 5 days ago" in html
    assert (
        "Renew the food business licence: it expired on "
        f"{(demo.today - timedelta(days=5)).isoformat()}." in html
    )


# Staff register ----------------------------------------------------------------------------


def test_owner_adds_a_staff_member_shown_masked_and_audited(
    en: TestClient, session: Session, demo: Demo
) -> None:
    business_id = _business_id(demo, "owner_a")
    before = len(_active_staff(session, business_id))
    login(en, "owner_a")
    form = _staff_form(csrf_of(en, "/biz/staff/new"))
    response = en.post("/biz/staff/new", data=form)
    assert response.status_code == 303
    assert response.headers["location"] == "/biz/staff?added=1"

    listing = en.get(response.headers["location"]).text
    assert "Staff member added." in listing
    assert "张三丰" in listing
    assert mask_id_number(form["id_number"]) in listing
    assert form["id_number"] not in listing

    staff = _active_staff(session, business_id)
    assert len(staff) == before + 1
    added = next(s for s in staff if s.name == "张三丰")
    assert added.health_cert_number == "JK2026-000123"
    entries = _audit(session, "staff.create", added.id)
    assert len(entries) == 1
    assert entries[0].actor_label == "owner_a"
    assert entries[0].after is not None
    assert entries[0].after["id_number_masked"] == mask_id_number(form["id_number"])
    assert form["id_number"] not in str(entries[0].after)


def test_bad_id_number_is_rejected_naming_the_field(
    en: TestClient, session: Session, demo: Demo
) -> None:
    business_id = _business_id(demo, "owner_a")
    before = len(_active_staff(session, business_id))
    login(en, "owner_a")
    good = _new_id_number()
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    response = en.post(
        "/biz/staff/new", data=_staff_form(csrf_of(en, "/biz/staff/new"), id_number=wrong_check)
    )
    assert response.status_code == 422
    assert 'id="form-errors"' in response.text
    assert 'data-field="id_number"' in response.text
    assert f"check character should be {good[17]}" in response.text
    assert 'id="s-id_number" name="id_number"' in response.text
    assert "is-invalid" in response.text
    assert "张三丰" in response.text  # what was typed is kept
    assert len(_active_staff(session, business_id)) == before
    assert not session.execute(select(Staff).where(Staff.name == "张三丰")).first()


def test_certificate_valid_over_a_year_is_rejected(
    en: TestClient, session: Session, demo: Demo
) -> None:
    business_id = _business_id(demo, "owner_a")
    before = len(_active_staff(session, business_id))
    login(en, "owner_a")
    response = en.post(
        "/biz/staff/new",
        data=_staff_form(
            csrf_of(en, "/biz/staff/new"),
            health_cert_issue_date="2026-01-01",
            health_cert_expiry_date="2027-06-30",
        ),
    )
    assert response.status_code == 422
    assert "valid for at most one year" in response.text
    assert len(_active_staff(session, business_id)) == before


def test_the_same_id_number_twice_is_a_conflict(
    en: TestClient, session: Session, demo: Demo
) -> None:
    login(en, "owner_a")
    form = _staff_form(csrf_of(en, "/biz/staff/new"))
    assert en.post("/biz/staff/new", data=form).status_code == 303
    again = en.post("/biz/staff/new", data=dict(form, name="李四"))
    assert again.status_code == 409
    assert "already on the register" in again.text
    assert not session.execute(select(Staff).where(Staff.name == "李四")).first()


def test_owner_edits_a_staff_member_keeping_the_id_number(
    en: TestClient, session: Session, a1_member: Staff
) -> None:
    member = a1_member
    digest = member.id_number_digest
    login(en, "owner_a")
    page = en.get(f"/biz/staff/{member.id}/edit")
    assert page.status_code == 200
    assert member.id_number_masked in page.text
    assert f'value="{member.name}"' in page.text
    form = _staff_form(
        csrf_of(en, f"/biz/staff/{member.id}/edit"), name=member.name, position="面点师"
    )
    form["id_number"] = ""
    response = en.post(f"/biz/staff/{member.id}/edit", data=form)
    assert response.status_code == 303
    session.expire_all()
    updated = session.get(Staff, member.id)
    assert updated is not None
    assert updated.position == "面点师"
    assert updated.id_number_digest == digest
    assert _audit(session, "staff.update", member.id)
    assert "面点师" in en.get("/biz/staff").text


def test_owner_reveals_an_id_number_once_and_it_is_audited(
    en: TestClient, session: Session, demo: Demo
) -> None:
    login(en, "owner_a")
    form = _staff_form(csrf_of(en, "/biz/staff/new"))
    en.post("/biz/staff/new", data=form)
    added = next(
        s for s in _active_staff(session, _business_id(demo, "owner_a")) if s.name == "张三丰"
    )
    listing = en.get("/biz/staff").text
    assert f'action="/biz/staff/{added.id}/reveal"' in listing
    assert form["id_number"] not in listing
    shown = en.post(f"/biz/staff/{added.id}/reveal", data={"csrf_token": csrf_of(en, "/biz/staff")})
    assert shown.status_code == 200
    assert f'id="id-number">{form["id_number"]}<' in shown.text
    assert shown.headers["cache-control"] == "no-store"
    entries = _audit(session, "staff.reveal_id", added.id)
    assert [e.actor_label for e in entries] == ["owner_a"]


def test_owner_takes_a_staff_member_off_the_register(
    en: TestClient, session: Session, demo: Demo, a1_member: Staff
) -> None:
    business_id = _business_id(demo, "owner_a")
    member = a1_member
    login(en, "owner_a")
    assert f'href="/biz/staff/{member.id}/deactivate"' in en.get("/biz/staff").text
    confirm = en.get(f"/biz/staff/{member.id}/deactivate")
    assert confirm.status_code == 200
    assert f"Take {member.name} off the staff register?" in confirm.text
    assert member.id in {s.id for s in _active_staff(session, business_id)}  # GET changes nothing
    response = en.post(
        f"/biz/staff/{member.id}/deactivate",
        data={"csrf_token": csrf_of(en, f"/biz/staff/{member.id}/deactivate")},
    )
    assert response.status_code == 303
    listing = en.get(response.headers["location"]).text
    assert "Staff member taken off the register." in listing
    assert f"/biz/staff/{member.id}/edit" not in listing
    assert member.id not in {s.id for s in _active_staff(session, business_id)}
    assert _audit(session, "staff.deactivate", member.id)


def test_certificate_filter_lists_only_that_state(
    en: TestClient, session: Session, demo: Demo, a1_member: Staff
) -> None:
    business_id = _business_id(demo, "owner_a")
    create_staff(session, business_id, "过期甲", expiry=demo.today - timedelta(days=1))
    expired = [
        s
        for s in _active_staff(session, business_id)
        if s.direct_contact
        and certificate_state(s.health_cert_expiry_date, demo.today).value == "expired"
    ]
    login(en, "owner_a")
    html = en.get("/biz/staff?certificate=expired").text
    table = html[html.index('id="staff-table"') :]
    assert table.count("<tr>") - 1 == len(expired)
    assert "过期甲" in table
    assert a1_member.name not in table
    assert a1_member.name in en.get("/biz/staff").text
    assert en.get("/biz/staff?certificate=bogus").status_code == 422


# Staff role: read only ---------------------------------------------------------------------


def test_staff_role_sees_but_cannot_change(
    en: TestClient, session: Session, demo: Demo, a1_member: Staff
) -> None:
    business_id = _business_id(demo, "staff_a")
    member = a1_member
    login(en, "staff_a")
    profile = en.get("/biz/profile")
    assert profile.status_code == 200
    assert 'id="edit-profile"' not in profile.text
    assert 'id="read-only-note"' in profile.text
    listing = en.get("/biz/staff")
    assert listing.status_code == 200
    assert member.name in listing.text
    assert member.id_number_masked in listing.text
    assert "/reveal" not in listing.text
    assert 'id="add-staff"' not in listing.text

    csrf = csrf_of(en, "/biz/staff")
    assert en.get("/biz/profile/edit").status_code == 403
    assert en.get("/biz/staff/new").status_code == 403
    assert en.get(f"/biz/staff/{member.id}/edit").status_code == 403
    assert en.get(f"/biz/staff/{member.id}/deactivate").status_code == 403
    assert en.post("/biz/profile/edit", data={"csrf_token": csrf}).status_code == 403
    assert en.post("/biz/staff/new", data=_staff_form(csrf)).status_code == 403
    assert en.post(f"/biz/staff/{member.id}/edit", data=_staff_form(csrf)).status_code == 403
    assert en.post(f"/biz/staff/{member.id}/reveal", data={"csrf_token": csrf}).status_code == 403
    denied = en.post(f"/biz/staff/{member.id}/deactivate", data={"csrf_token": csrf})
    assert denied.status_code == 403
    assert member.id in {s.id for s in _active_staff(session, business_id)}
    assert not _audit(session, "staff.reveal_id", member.id)


# Business profile --------------------------------------------------------------------------


def test_owner_edits_the_profile(en: TestClient, session: Session, demo: Demo) -> None:
    business_id = _business_id(demo, "owner_a")
    login(en, "owner_a")
    form = _profile_form(en, contact_phone="13900001111", food_safety_manager="王管理")
    assert form["licence_status"] == "valid"
    response = en.post("/biz/profile/edit", data=form)
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"] == "/biz/profile?saved=1"
    page = en.get(response.headers["location"]).text
    assert "13900001111" in page
    assert "王管理" in page
    assert "Changes saved." in page
    entries = _audit(session, "business.update", business_id)
    assert entries and entries[-1].after == {
        "contact_phone": "13900001111",
        "food_safety_manager": "王管理",
    }


def test_enterprise_cannot_change_its_licence_status(
    en: TestClient, session: Session, demo: Demo
) -> None:
    business_id = _business_id(demo, "owner_a")
    login(en, "owner_a")
    form = _profile_form(en, licence_status="suspended", contact_phone="13900002222")
    response = en.post("/biz/profile/edit", data=form)
    assert response.status_code == 422
    assert 'data-field="licence_status"' in response.text
    assert "only the licensing authority" in response.text
    session.expire_all()
    business = session.get(Business, business_id)
    assert business is not None
    assert business.licence_status is LicenceStatus.VALID
    assert business.contact_phone != "13900002222"
    assert not _audit(session, "business.update", business_id)


def test_enterprise_cannot_move_itself_to_another_county(
    en: TestClient, session: Session, demo: Demo
) -> None:
    business_id = _business_id(demo, "owner_a")
    other_county = demo.counties[1]
    login(en, "owner_a")
    page = en.get("/biz/profile/edit").text
    assert f'value="{other_county}"' not in page  # not offered
    response = en.post("/biz/profile/edit", data=_profile_form(en, region_code=other_county))
    assert response.status_code == 422
    assert 'data-field="region_code"' in response.text
    session.expire_all()
    business = session.get(Business, business_id)
    assert business is not None
    assert business.county_code == demo.counties[0]


def test_invalid_profile_lists_every_problem(en: TestClient, session: Session, demo: Demo) -> None:
    login(en, "owner_a")
    form = _profile_form(en, contact_phone="12345", licence_number="JY123")
    response = en.post("/biz/profile/edit", data=form)
    assert response.status_code == 422
    assert 'data-field="contact_phone"' in response.text
    assert 'data-field="licence_number"' in response.text
    assert 'value="12345"' in response.text
    assert not _audit(session, "business.update", _business_id(demo, "owner_a"))


# Other businesses see nothing --------------------------------------------------------------


@pytest.mark.parametrize("username", ["owner_a2", "owner_b"])
def test_other_businesses_get_404_for_a1s_staff(
    en: TestClient, session: Session, demo: Demo, username: str, a1_member: Staff
) -> None:
    a1 = _business_id(demo, "owner_a")
    a1_business = session.get(Business, a1)
    assert a1_business is not None
    member = a1_member
    login(en, username)
    csrf = csrf_of(en, "/biz/staff")
    assert en.get(f"/biz/staff/{member.id}/edit").status_code == 404
    assert en.get(f"/biz/staff/{member.id}/deactivate").status_code == 404
    assert en.post(f"/biz/staff/{member.id}/edit", data=_staff_form(csrf)).status_code == 404
    deactivate = en.post(f"/biz/staff/{member.id}/deactivate", data={"csrf_token": csrf})
    assert deactivate.status_code == 404
    assert en.post(f"/biz/staff/{member.id}/reveal", data={"csrf_token": csrf}).status_code == 404
    for path in ("/biz/", "/biz/staff", "/biz/profile", "/biz/qr", "/biz/profile/edit"):
        assert en.get(f"{path}?business={a1}").status_code == 404, path
    pages = ("/biz/", "/biz/staff", "/biz/profile", "/biz/qr", "/biz/poster")
    own_pages = "".join(en.get(p).text for p in pages)
    assert a1_business.public_code not in own_pages
    assert a1_business.licence_number not in own_pages
    assert member.name not in own_pages
    assert member.id_number_masked not in own_pages
    assert en.get("/biz/outlets").status_code == 403
    assert member.id in {s.id for s in _active_staff(session, a1)}
    assert not _audit(session, "staff.reveal_id", member.id)
    assert not _audit(session, "staff.update", member.id)


# Chain headquarters ------------------------------------------------------------------------


def test_chain_hq_sees_its_outlets_and_their_staff(
    en: TestClient, session: Session, demo: Demo, outlet: Business
) -> None:
    outlet_staff = _active_staff(session, outlet.id)
    login(en, "chain_hq")
    dashboard = en.get("/biz/").text
    assert 'id="outlets-table"' in dashboard
    assert outlet.name in dashboard
    assert f'href="/biz/staff?business={outlet.id}"' in dashboard
    listing = en.get("/biz/outlets")
    assert listing.status_code == 200
    assert f'id="outlet-{outlet.id}"' in listing.text

    staff_page = en.get(f"/biz/staff?business={outlet.id}")
    assert staff_page.status_code == 200
    assert f"You are working on the outlet {outlet.name}." in staff_page.text
    assert f'href="/biz/staff/new?business={outlet.id}"' in staff_page.text
    for person in outlet_staff:
        assert person.name in staff_page.text
    outlet_dashboard = en.get(f"/biz/?business={outlet.id}").text
    assert outlet.licence_number in outlet_dashboard
    assert 'id="outlets-table"' not in outlet_dashboard

    # The HQ adds a staff member to the outlet.
    form = _staff_form(csrf_of(en, f"/biz/staff/new?business={outlet.id}"))
    added = en.post(f"/biz/staff/new?business={outlet.id}", data=form)
    assert added.status_code == 303
    assert added.headers["location"] == f"/biz/staff?added=1&business={outlet.id}"
    assert "张三丰" in {s.name for s in _active_staff(session, outlet.id)}

    # A store outside the chain stays out of reach.
    a1 = _business_id(demo, "owner_a")
    assert en.get(f"/biz/staff?business={a1}").status_code == 404
    assert en.get("/biz/staff?business=abc").status_code == 404


def test_an_outlet_of_someone_else_is_not_reachable_by_a_store(
    en: TestClient, outlet: Business
) -> None:
    login(en, "owner_a")
    assert en.get(f"/biz/?business={outlet.id}").status_code == 404
    assert en.get(f"/biz/staff?business={outlet.id}").status_code == 404


def test_chain_dashboard_query_count_does_not_grow_with_outlets(
    en: TestClient, session: Session, demo: Demo, outlet: Business, engine: Engine
) -> None:
    hq_id = _business_id(demo, "chain_hq")
    login(en, "chain_hq")

    def queries() -> int:
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert en.get("/biz/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    queries()  # the first view also loads the signed-in principal into its cache
    with_one = queries()
    assert with_one > 0
    taken = {a["business_id"] for a in demo.accounts.values() if "business_id" in a}
    more = session.execute(
        select(Business)
        .where(
            Business.id.not_in(taken | {outlet.id}),
            Business.chain_hq_id.is_(None),
            Business.is_chain_hq.is_(False),
        )
        .limit(3)
    ).scalars()
    for business in more:
        business.chain_hq_id = hq_id
    session.commit()
    outlets = session.execute(
        select(func.count()).select_from(Business).where(Business.chain_hq_id == hq_id)
    ).scalar_one()
    assert outlets >= 4
    assert queries() == with_one


# QR code and poster ------------------------------------------------------------------------


def test_qr_page_and_poster_show_the_store_code(
    en: TestClient, session: Session, demo: Demo
) -> None:
    business = session.get(Business, _business_id(demo, "owner_a"))
    assert business is not None
    code = business.public_code
    login(en, "owner_a")
    page = en.get("/biz/qr").text
    assert f'src="/s/{code}/qr.svg"' in page
    assert f'href="/s/{code}/qr.png" download="{code}.png"' in page
    assert f'href="/s/{code}/qr.svg" download="{code}.svg"' in page
    assert f">http://testserver/s/{code}</a>" in page
    assert 'href="/biz/poster"' in page

    poster = en.get("/biz/poster").text
    assert "Scan to see this store&#39;s food-safety information" in poster
    assert f'id="poster-code">{code}<' in poster
    assert business.name in poster
    assert business.licence_number in poster
    assert 'class="poster-qr"' in poster
    assert 'id="menu"' not in poster

    image = en.get(f"/s/{code}/qr.svg")
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")


# CSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/biz/staff/new", "/biz/profile/edit"])
def test_missing_csrf_token_is_refused(
    en: TestClient, session: Session, demo: Demo, path: str
) -> None:
    business_id = _business_id(demo, "owner_a")
    before = len(_active_staff(session, business_id))
    login(en, "owner_a")
    form = (
        _staff_form("") if path.endswith("new") else _profile_form(en, contact_phone="13900003333")
    )
    form.pop("csrf_token")
    response = en.post(path, data=form)
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    forged = en.post(path, data=dict(form, csrf_token="forged"))
    assert forged.status_code == 403
    assert len(_active_staff(session, business_id)) == before
    assert not _audit(session, "business.update", business_id)


def test_deactivate_without_csrf_keeps_the_staff_member(
    en: TestClient, session: Session, demo: Demo, a1_member: Staff
) -> None:
    business_id = _business_id(demo, "owner_a")
    member = a1_member
    login(en, "owner_a")
    assert en.post(f"/biz/staff/{member.id}/deactivate").status_code == 403
    assert member.id in {s.id for s in _active_staff(session, business_id)}
