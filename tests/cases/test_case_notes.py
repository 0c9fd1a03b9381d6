"""Notes and photos on a case's timeline: kept with their hash, shown to whoever sees the
case, the originals only to its handlers (each opening on the timeline)."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import csrf_of, open_station_case
from sunshine.cases.models import CaseEvent
from sunshine.core.evidence_models import EvidenceFile


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 80, 60)).save(out, "JPEG")
    return out.getvalue()


def _post_note(client: TestClient, case_id: int, text: str, files: list[Any]) -> Any:
    token = csrf_of(client, f"/gov/cases/{case_id}")
    return client.post(
        f"/gov/cases/{case_id}/notes", data={"csrf_token": token, "text": text}, files=files
    )


def test_a_note_with_a_photo_goes_on_the_timeline(
    session: Session, new_client: Callable[[str], TestClient]
) -> None:
    case = open_station_case(session, kind="report", received_workdays_ago=1)
    session.commit()
    chief = new_client("chief_a")
    image = _photo()
    response = _post_note(
        chief,
        case.id,
        "电话联系店主，约定明日检查。",
        [("files", ("kitchen.jpg", image, "image/jpeg"))],
    )
    assert response.status_code == 303, response.text[:300]
    page = chief.get(f"/gov/cases/{case.id}").text
    assert "电话联系店主" in page and hashlib.sha256(image).hexdigest() in page
    token = re.findall(r"/evidence/([0-9a-f]{32})/thumb", page)[0]
    assert chief.get(f"/evidence/{token}/original").status_code == 200
    # The county inspector sees the case (copies) but does not handle it (no original).
    county = new_client("inspector_a")
    assert county.get(f"/evidence/{token}").status_code == 200
    assert county.get(f"/evidence/{token}/original").status_code == 404
    neighbour = new_client("inspector_b")
    assert neighbour.get(f"/evidence/{token}").status_code == 404
    actions = (
        session.execute(
            select(CaseEvent.action).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
        .scalars()
        .all()
    )
    assert actions[-2:] == ["note", "view_sensitive"]


def test_a_refused_file_stores_no_note(
    session: Session, new_client: Callable[[str], TestClient]
) -> None:
    case = open_station_case(session, kind="report", received_workdays_ago=1)
    session.commit()
    chief = new_client("chief_a")
    before = session.execute(select(func.count()).select_from(CaseEvent)).scalar_one()
    files_before = session.execute(select(func.count()).select_from(EvidenceFile)).scalar_one()
    response = _post_note(
        chief, case.id, "附件", [("files", ("fake.jpg", b"not an image at all", "image/jpeg"))]
    )
    assert response.status_code == 415
    assert "fake.jpg" in response.text
    assert session.execute(select(func.count()).select_from(CaseEvent)).scalar_one() == before
    assert (
        session.execute(select(func.count()).select_from(EvidenceFile)).scalar_one() == files_before
    )
    empty = _post_note(chief, case.id, "  ", [])
    assert empty.status_code == 422
