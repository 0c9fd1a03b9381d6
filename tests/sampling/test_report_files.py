"""A sample's laboratory report files: PDF and photos, for its regulators and its business."""

from __future__ import annotations

import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from PIL import Image
from sampling_support import sample_form
from sqlalchemy.orm import Session

from conftest import Demo
from helpers import csrf_of, principal_of, tiny_pdf
from sunshine.core.time import today_local
from sunshine.registry.models import Business
from sunshine.sampling import service


def test_a_sample_s_report_is_for_its_regulators_and_its_business_only(
    new_client: Callable[[str], TestClient], session: Session, demo: Demo
) -> None:
    store = session.get(Business, demo.account("owner_a")["business_id"])
    assert store is not None
    sample = service.record_sample(
        session=session, actor=principal_of(session, "inspector_a"), form=sample_form(store.id)
    )
    session.commit()
    inspector = new_client("inspector_a")
    path = f"/gov/sampling/samples/{sample.id}"
    photo = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(photo, "JPEG")
    done = inspector.post(
        f"{path}/results",
        data={
            "csrf_token": csrf_of(inspector, path),
            "items-0-result": "0.01",
            "items-1-result": "0.1",
            "lab_name": "四川省食品检验研究院",
            "report_number": "SP-7",
            "report_date": today_local().isoformat(),
        },
        files=[
            ("report_files", ("report.pdf", tiny_pdf(), "application/pdf")),
            ("report_files", ("page2.jpg", photo.getvalue(), "image/jpeg")),
        ],
    )
    assert done.status_code == 303, done.text[:2000]
    page = inspector.get(path, headers={"accept": "text/html"}).text
    token = page.split('href="/evidence/')[1].split("/original")[0]
    assert inspector.get(f"/evidence/{token}/original").content == tiny_pdf()
    assert new_client("owner_a").get(f"/evidence/{token}/original").status_code == 200
    assert new_client("inspector_b").get(f"/evidence/{token}/original").status_code == 404
    assert new_client("owner_a2").get(f"/evidence/{token}/original").status_code == 404
    assert new_client("citizen").get(f"/evidence/{token}/original").status_code == 404
