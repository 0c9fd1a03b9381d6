"""Helpers shared by tests: signing in (portal form or API), demo principals and stores."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from sunshine.auth.principal import Principal
from sunshine.cases.models import Case
from sunshine.registry.models import Business


def login(client: TestClient, username: str, password: str | None = None) -> TestClient:
    """Sign ``client`` in through the portal form (CSRF included)."""
    from sunshine.demo.seed import DEMO_PASSWORD

    page = client.get("/login")
    token = _csrf_from(page.text)
    response = client.post(
        "/login",
        data={"username": username, "password": password or DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303, response.text[:500]
    return client


def _csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def csrf_of(client: TestClient, path: str) -> str:
    """The CSRF token rendered into the form at ``path``."""
    return _csrf_from(client.get(path).text)


def api_token(client: TestClient, username: str, password: str | None = None) -> dict[str, str]:
    from sunshine.demo.seed import DEMO_PASSWORD

    response = client.post(
        "/api/v1/auth/token", data={"username": username, "password": password or DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


PROFILE_FIELDS = (
    "name",
    "category",
    "form",
    "scale",
    "licence_number",
    "licence_issue_date",
    "licence_expiry_date",
    "licence_status",
    "licence_scope",
    "address",
    "latitude",
    "longitude",
    "contact_name",
    "contact_phone",
    "food_safety_manager",
    "operating_status",
)


def profile_body(business: dict[str, Any]) -> dict[str, Any]:
    """The body of ``PUT /api/v1/businesses/{id}`` that keeps a business as it is read."""
    body = {field: business[field] for field in PROFILE_FIELDS}
    body["region_code"] = business["township_code"] or business["county_code"]
    return body


def principal_of(session: Session, username: str) -> Principal:
    """The principal of a demo account, as a request would see it."""
    from sunshine.auth import service as auth_service
    from sunshine.auth.models import User

    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return auth_service.principal_for(session, user)


def store_of_station(session: Session, username: str) -> Business:
    """A business in the township of the station that ``username`` belongs to."""
    from sunshine.regions.models import OrgUnit

    principal = principal_of(session, username)
    unit = session.get(OrgUnit, principal.org_unit_id)
    assert unit is not None
    return session.execute(
        select(Business).where(Business.township_code == unit.region_code).limit(1)
    ).scalar_one()


def open_station_case(
    session: Session, *, kind: str, received_workdays_ago: int, username: str = "chief_a"
) -> Case:
    """A case about a store of ``username``'s station, received that many working days ago."""
    from sunshine.cases import service
    from sunshine.cases.calendar import add_workdays
    from sunshine.cases.enums import CaseKind
    from sunshine.core.time import today_local

    draft = service.CaseDraft(
        kind=CaseKind(kind),
        title="后厨卫生问题",
        summary="顾客反映后厨卫生差。",
        business_id=store_of_station(session, username).id,
        received_on=add_workdays(today_local(), count=-received_workdays_ago),
    )
    return service.open_case(session=session, actor=principal_of(session, username), draft=draft)


def tiny_pdf() -> bytes:
    """A one-page PDF with a cross-reference table and an end-of-file marker."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def signature_png(shade: int = 0) -> Any:
    """A signature as the inspector app's canvas exports it: strokes on white, as PNG."""
    from PIL import Image

    from sunshine.core.evidence import Upload

    image = Image.new("RGB", (320, 120), "white")
    for x in range(40, 280):
        image.putpixel((x, 60 + (x % 17)), (shade, shade, shade))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    return Upload("signature.png", buffer)


def signatures(ids: list[int]) -> list[Any]:
    """Each inspector's signature and the business representative's."""
    from sunshine.inspections.service import Signature

    return [*(Signature(i, signature_png()) for i in ids), Signature(None, signature_png(40))]
