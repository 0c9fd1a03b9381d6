"""``sunshine vision detect | models``: the output format of issue 6 and its exit statuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sunshine.cli import main
from sunshine.config import Settings, configure

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
MODELS = SHARED / "models"
PEOPLE = MODELS / "fastestdet" / "3.jpg"
DEMO2 = MODELS / "aizoo-facemask" / "samples" / "demo2.jpg"


@pytest.fixture
def models_settings(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """The session's settings with the models read from ../shared/models, never fetched."""
    local = settings.model_copy(
        update={"models_dir": MODELS, "models_fetch": False, "storage_dir": tmp_path}
    )
    configure(local)
    yield local
    configure(settings)


def _lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.mark.shared
@pytest.mark.usefixtures("models_settings")
def test_detect_one_model_prints_one_json_line_per_image(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["vision", "detect", str(PEOPLE), str(DEMO2), "--model", "person"])
    assert status == 0
    first, second = _lines(capsys.readouterr().out)
    assert first["image"] == str(PEOPLE) and second["image"] == str(DEMO2)
    detections = first["detections"]
    assert isinstance(detections, list) and len(detections) >= 4
    confidences = [d["confidence"] for d in detections]
    assert confidences == sorted(confidences, reverse=True)
    for det in detections:
        assert set(det) == {"class", "confidence", "box"}  # no "model" with --model
        assert det["class"] == "person"
        assert det["confidence"] == round(det["confidence"], 3)
        x1, y1, x2, y2 = det["box"]
        assert all(isinstance(v, int) for v in det["box"])
        assert 0 <= x1 < x2 <= 500 and 0 <= y1 < y2 <= 335  # pixels of the original image
    assert {"class": "person", "confidence": 0.842, "box": [41, 63, 178, 294]} in detections


@pytest.mark.shared
@pytest.mark.usefixtures("models_settings")
def test_detect_crop_model_runs_on_the_whole_image_with_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["vision", "detect", str(DEMO2), "--model", "mask"]) == 0
    (line,) = _lines(capsys.readouterr().out)
    assert [d["class"] for d in line["detections"]] == ["mask"]  # type: ignore[union-attr]


@pytest.mark.shared
@pytest.mark.usefixtures("models_settings")
def test_detect_all_models_names_the_model_and_reports_bad_images(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"this is not a JPEG")
    missing = tmp_path / "absent.jpg"
    status = main(["vision", "detect", str(PEOPLE), str(broken), str(missing)])
    assert status == 1  # the bad images do not stop the good ones
    people, bad, absent = _lines(capsys.readouterr().out)
    assert bad == {"image": str(broken), "error": "not an image OpenCV can decode"}
    assert absent["image"] == str(missing) and "No such file" in str(absent["error"])
    detections = people["detections"]
    assert isinstance(detections, list)
    by_model: dict[str, set[str]] = {}
    for det in detections:
        assert set(det) == {"class", "confidence", "box", "model"}
        by_model.setdefault(det["model"], set()).add(det["class"])
    assert by_model["person"] == {"person"}
    assert by_model["person-body"] == {"person"}
    assert by_model["mask"] == {"no_mask"}  # faces found on person crops


@pytest.mark.shared
@pytest.mark.usefixtures("models_settings")
def test_threshold_applies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vision", "detect", str(PEOPLE), "--model", "person", "--threshold", "0.8"]) == 0
    (line,) = _lines(capsys.readouterr().out)
    assert [d["confidence"] for d in line["detections"]] == [0.842, 0.831]  # type: ignore[union-attr]


@pytest.mark.usefixtures("models_settings")
def test_unknown_or_missing_model_exits_2_naming_where_it_looked(
    capsys: pytest.CaptureFixture[str], models_settings: Settings, tmp_path: Path
) -> None:
    assert main(["vision", "detect", str(PEOPLE), "--model", "unicorn"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown model: unicorn" in captured.err
    configure(models_settings.model_copy(update={"models_dir": tmp_path / "empty"}))
    assert main(["vision", "detect", str(PEOPLE), "--model", "person"]) == 2
    err = capsys.readouterr().err
    assert "model not installed: person" in err
    assert str(tmp_path / "empty" / "fastestdet" / "FastestDet.onnx") in err
    # Only the shipped smoking model is left, and it looks at crops of persons found first.
    assert main(["vision", "detect", str(PEOPLE)]) == 2
    err = capsys.readouterr().err
    assert "no model can run" in err and "person model (person) is unavailable" in err


@pytest.mark.shared
@pytest.mark.usefixtures("models_settings")
def test_models_lists_states_and_hashes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vision", "models", "--json"]) == 0
    rows = {row["name"]: row for row in _lines(capsys.readouterr().out)}
    assert rows["person"]["state"] == "installed"
    assert rows["person"]["sha256"] == (
        "31cb14c017fce347cb4c846ec62fdf00d76bb3beecdf4be21e7116ac67feb880"
    )
    assert rows["mask"]["classes"] == ["mask", "no_mask"]
    assert rows["rodent"]["state"] == "not_installed"
    assert rows["smoking"]["state"] in {"installed", "missing"}
    assert all(row["alerts"] in {"violation", "suspected"} for row in rows.values())
    assert main(["vision", "models"]) == 0
    assert "person-body" in capsys.readouterr().out


def test_threshold_must_be_a_probability(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["vision", "detect", "x.jpg", "--threshold", "2"])
    assert stopped.value.code == 2
    assert "must be between 0 and 1" in capsys.readouterr().err
