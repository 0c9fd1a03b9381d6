"""The shipped detector families decode their models' outputs correctly (issue 6 section 8).

Expected boxes are the ones measured for the design note (docs/design/sunshine-kitchen.md,
section 2) on the upstream sample images in ../shared/models.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from sunshine.workers.vision.analysis import FrameAnalyzer, crop_box, merge_crop_detections
from sunshine.workers.vision.detectors.base import Box, Detection, iou
from sunshine.workers.vision.detectors.fastestdet import decode_fastestdet
from sunshine.workers.vision.models_store import ModelStore

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
MODELS = SHARED / "models"
PEOPLE = MODELS / "fastestdet" / "3.jpg"
SAMPLES = MODELS / "aizoo-facemask" / "samples"
# The five people of 3.jpg (500x335), as Yolo-Fastest body finds them.
FIVE_PEOPLE: list[Box] = [
    (36, 63, 184, 294),
    (276, 140, 500, 294),
    (167, 135, 247, 276),
    (236, 141, 311, 281),
    (200, 138, 275, 274),
]
# FastestDet's four boxes measured for the design note (two middle people merge).
FASTESTDET_PEOPLE: list[Box] = [
    (40, 62, 177, 293),
    (288, 141, 482, 297),
    (159, 136, 256, 264),
    (230, 138, 323, 277),
]
# Where the photo is inside face.png (a screenshot of the AIZOO web demo): y, x ranges.
FACE_PHOTO = (slice(231, 731), slice(122, 622))


@pytest.fixture(scope="module")
def store() -> ModelStore:
    return ModelStore(MODELS, fetch=False)


def _matched(found: list[Detection], expected: list[Box], threshold: float = 0.5) -> int:
    return sum(1 for box in expected if any(iou(d.box, box) > threshold for d in found))


# -- pure decoding ---------------------------------------------------------------------------


@pytest.mark.parametrize(("grid", "classes"), [(22, 1), (11, 3), (7, 80)])
def test_fastestdet_decoder_any_grid_and_class_count(grid: int, classes: int) -> None:
    fmap = np.zeros((5 + classes, grid, grid), dtype=np.float32)
    fmap[5 + classes - 1] = 1.0  # softmax-ed scores: all on the last class
    row, col = grid // 2, grid // 3
    fmap[0, row, col] = 0.9  # objectness (already sigmoid-ed)
    fmap[1, row, col] = np.arctanh(0.5)  # centre half a cell right of the cell's corner
    fmap[2, row, col] = 0.0
    fmap[3, row, col], fmap[4, row, col] = 0.2, 0.4  # w, h already sigmoid-ed
    found = decode_fastestdet(
        fmap,
        class_map={classes - 1: "thing"},
        confidence=0.5,
        nms_iou=0.35,
        wh_sigmoid=False,
        size=(1000, 500),
        model="m",
    )
    assert len(found) == 1
    det = found[0]
    assert det.cls == "thing" and det.model == "m"
    assert det.confidence == pytest.approx(0.9)
    cx, cy = (col + 0.5) / grid * 1000, row / grid * 500
    expected = (round(cx - 100), round(cy - 100), round(cx + 100), round(cy + 100))
    assert all(abs(a - b) <= 1 for a, b in zip(det.box, expected, strict=True))


def test_fastestdet_decoder_applies_sigmoid_to_raw_sizes_and_suppresses_duplicates() -> None:
    fmap = np.zeros((6, 8, 8), dtype=np.float32)
    fmap[5] = 1.0
    for col, objectness in ((3, 0.8), (4, 0.7)):  # neighbouring cells, one big object
        fmap[0, 3, col] = objectness
        fmap[3, 3, col] = fmap[4, 3, col] = 1.0  # raw: sigmoid(1) = 0.731 of the image
    found = decode_fastestdet(
        fmap,
        class_map={0: "thing"},
        confidence=0.5,
        nms_iou=0.35,
        wh_sigmoid=True,
        size=(400, 400),
    )
    assert [d.confidence for d in found] == [pytest.approx(0.8)]
    x1, _, x2, _ = found[0].box
    assert abs((x2 - x1) - 0.731 * 400) <= 1
    assert (
        decode_fastestdet(
            fmap,
            class_map={0: "thing"},
            confidence=0.85,
            nms_iou=0.35,
            wh_sigmoid=True,
            size=(400, 400),
        )
        == []
    )


def test_crop_box_is_square_padded_and_inside_the_frame() -> None:
    head = crop_box((100, 100, 200, 400), "head", 1280, 720)
    x1, y1, x2, y2 = head
    assert x2 - x1 == y2 - y1  # square
    assert y1 < 100 < 100 + 0.4 * 300 < y2  # covers the top of the box, padded above
    edge = crop_box((0, 0, 50, 700), "person", 1280, 720)
    assert edge[0] == 0 and edge[1] == 0 and edge[3] == 720


def test_crop_duplicates_merge_slivers_into_the_whole_object() -> None:
    whole = Detection("no_mask", 0.96, (331, 146, 355, 174), "mask")
    sliver = Detection("no_mask", 0.90, (331, 155, 337, 174), "mask")
    other = Detection("no_mask", 0.80, (400, 146, 420, 170), "mask")
    masked = Detection("mask", 0.70, (331, 146, 355, 174), "mask")
    assert merge_crop_detections([sliver, other, whole, masked]) == [whole, other, masked]


# -- real models on the upstream samples ----------------------------------------------------


@pytest.mark.shared
def test_fastestdet_finds_the_people_of_the_sample(store: ModelStore) -> None:
    found = store.detector("person").detect(cv2.imread(str(PEOPLE)))
    assert {d.cls for d in found} == {"person"}
    assert len(found) >= 4
    assert _matched(found, FASTESTDET_PEOPLE) >= 4
    assert all(d.model == "person" and 0.65 < d.confidence <= 1 for d in found)


@pytest.mark.shared
def test_person_body_finds_all_five(store: ModelStore) -> None:
    found = store.detector("person-body").detect(cv2.imread(str(PEOPLE)))
    assert len(found) == 5
    assert _matched(found, FIVE_PEOPLE) == 5


@pytest.mark.shared
def test_mask_model_on_the_samples(store: ModelStore) -> None:
    mask = store.detector("mask")
    demo = mask.detect(cv2.imread(str(SAMPLES / "demo2.jpg")))
    assert [d.cls for d in demo] == ["mask"]
    photo = cv2.imread(str(SAMPLES / "face.png"))[FACE_PHOTO]
    staff = mask.detect(photo)
    assert [d.cls for d in staff] == ["mask"] * 3
    assert all(d.confidence > 0.9 for d in staff)
    bare = mask.detect(cv2.imread(str(PEOPLE)))
    assert len([d for d in bare if d.cls == "no_mask"]) >= 3
    assert not [d for d in bare if d.cls == "mask"]


@pytest.mark.shared
def test_threshold_override_changes_what_is_reported(store: ModelStore) -> None:
    image = cv2.imread(str(PEOPLE))
    strict = store.detector("person", confidence=0.8).detect(image)
    assert len(strict) == 2 and all(d.confidence > 0.8 for d in strict)


@pytest.mark.shared
def test_analyzer_cascade_finds_small_faces_in_a_720p_frame(store: ModelStore) -> None:
    """3.jpg scaled into the middle of a 1280x720 frame: persons on the frame, faces on crops."""
    photo = cv2.imread(str(PEOPLE))
    scaled = cv2.resize(photo, (1075, 720), interpolation=cv2.INTER_LINEAR)
    frame = np.zeros((720, 1280, 3), dtype=np.uint8)
    frame[:, 102 : 102 + 1075] = scaled
    analyzer = FrameAnalyzer(store=store, wanted=frozenset({"person", "no_mask", "mask"}))
    assert analyzer.unavailable == {}
    found = analyzer.analyze(frame)
    persons = [d for d in found if d.cls == "person"]
    faces = [d for d in found if d.cls == "no_mask"]
    assert len(persons) >= 3  # black borders and the 352 squeeze cost FastestDet one
    assert len(faces) >= 3
    assert not [d for d in found if d.cls == "mask"]
    # Faces are in frame pixels: inside the photo, each within some person's padded box.
    for face in faces:
        x1, y1, x2, y2 = face.box
        assert 102 <= x1 < x2 <= 102 + 1075 and 0 <= y1 < y2 <= 720
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        assert any(
            px1 - 0.15 * (px2 - px1) <= cx <= px2 + 0.15 * (px2 - px1) and py1 <= cy <= py2
            for px1, py1, px2, py2 in (p.box for p in persons)
        )
    # Expected face of the leftmost person (87,76,117,105 in 3.jpg) scaled by 2.15.
    left = (102 + round(87 * 2.15), round(76 * 2.15), 102 + round(117 * 2.15), round(105 * 2.15))
    assert any(iou(face.box, left) > 0.4 for face in faces)


@pytest.mark.shared
def test_analyzer_without_persons_wanted_still_uses_them_for_crops(store: ModelStore) -> None:
    analyzer = FrameAnalyzer(store=store, wanted=frozenset({"no_mask"}))
    found = analyzer.analyze(cv2.imread(str(PEOPLE)))
    assert found and {d.cls for d in found} == {"no_mask"}


# A held-out close-up (smoking set, valid split) where the person model finds nobody: one bare
# face filling much of the picture (docs/models/eval-by-eye.json, image 41).
CLOSE_UP = SHARED / "datasets/smoking/valid/images/1257_jpg.rf.5cb40d1b1265f8a405aadb0c2a10f3db.jpg"


@pytest.mark.shared
def test_without_a_person_the_face_model_looks_at_the_whole_frame(store: ModelStore) -> None:
    frame = cv2.imread(str(CLOSE_UP))
    assert [d for d in store.detector("person").detect(frame) if d.cls == "person"] == []
    analyzer = FrameAnalyzer(
        store=store, wanted=frozenset({"person", "no_mask", "mask", "cigarette", "cell_phone"})
    )
    found = analyzer.analyze(frame)
    # The bare face, in frame pixels; the models of small objects (cigarettes, phones) still
    # look only at people, so nothing else is reported.
    assert [d.cls for d in found] == ["no_mask"]
    x1, y1, x2, y2 = found[0].box
    assert found[0].confidence > 0.9 and 0 <= x1 < x2 <= 640 and 0 <= y1 < y2 <= 640
    assert (x2 - x1) * (y2 - y1) > 40 * 40
    # A frame with nobody and no face in it: nothing, from any model.
    assert analyzer.analyze(np.zeros((720, 1280, 3), dtype=np.uint8)) == []


@pytest.mark.shared
def test_analyzer_reports_models_it_cannot_run(store: ModelStore) -> None:
    analyzer = FrameAnalyzer(
        store=store, wanted=frozenset({"person", "cigarette", "no_hat", "unicorn"})
    )
    unavailable = analyzer.unavailable
    # A class no public model covers is expected, not a fault of this camera.
    assert "no_hat" not in unavailable and analyzer.not_installed == {"no_hat"}
    assert "unicorn" in unavailable
    if store.state("smoking") != "installed":
        assert "smoking-fastestdet-352.onnx" in unavailable["smoking"]
    found = analyzer.analyze(cv2.imread(str(PEOPLE)))
    assert [d for d in found if d.cls == "person"]


def test_analyzer_without_the_person_model_switches_crop_models_off(tmp_path: Path) -> None:
    store = ModelStore(tmp_path, fetch=False)
    analyzer = FrameAnalyzer(store=store, wanted=frozenset({"person", "no_mask"}))
    unavailable = analyzer.unavailable
    assert str(tmp_path / "fastestdet" / "FastestDet.onnx") in unavailable["person"]
    assert "mask" in unavailable
    assert analyzer.analyze(np.zeros((720, 1280, 3), dtype=np.uint8)) == []
