"""scripts/eval_by_eye.py: the by-eye figures in the model cards follow from the saved verdicts,
and the saved boxes are what the workers' cascade gives today."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
EVAL = ROOT / "docs" / "models" / "eval-by-eye.json"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "eval_by_eye", ROOT / "scripts" / "eval_by_eye.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


@pytest.fixture(scope="module")
def saved() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(EVAL.read_text())
    return doc


def test_saved_figures_are_recomputed_from_the_verdicts(
    script: ModuleType, saved: dict[str, Any]
) -> None:
    assert script.all_figures(saved) == saved["figures"]
    every = saved["figures"]["all"]
    assert every["images"] == len(saved["images"])
    for cls in script.CLASSES:
        f = every[cls]
        assert f["tp"] + f["fp"] == f["boxes"] == sum(f["verdicts"].values())
        assert f["tp"] + f["fn"] == f["objects_seen"]


def test_the_card_figures_are_the_saved_ones(saved: dict[str, Any]) -> None:
    person = saved["figures"]["all"]["person"]
    no_mask = saved["figures"]["all"]["no_mask"]
    card = (ROOT / "docs" / "models" / "person.md").read_text()
    assert f"| {person['tp']} | {person['fp']} | {person['fn']} |" in card
    card = (ROOT / "docs" / "models" / "mask.md").read_text()
    assert f"| {no_mask['tp']} | {no_mask['fp']} | {no_mask['fn']} |" in card


def test_more_correct_boxes_than_objects_seen_is_refused(
    script: ModuleType, saved: dict[str, Any]
) -> None:
    doc = copy.deepcopy(saved)
    image = next(i for i in doc["images"] if any(b["class"] == "person" for b in i["boxes"]))
    image["seen"]["persons"] = 0
    with pytest.raises(script.EvalError, match="correct person boxes"):
        script.all_figures(doc)


def test_a_verdict_the_class_cannot_take_is_refused(
    script: ModuleType, saved: dict[str, Any]
) -> None:
    doc = copy.deepcopy(saved)
    box = next(b for i in doc["images"] for b in i["boxes"] if b["class"] == "person")
    box["verdict"] = "wrong_class"
    with pytest.raises(script.EvalError, match="not one of"):
        script.all_figures(doc)


def test_verdict_lines_are_read_strictly(script: ModuleType) -> None:
    read = script.parse_verdicts(
        "3 p=2 bare=1 masked=0 phones=0 sideways | 1:c 2:d f1:n # a note\n"
        "// a comment\n"
        "4 p=0 bare=0 masked=0 phones=1 |\n"
    )
    assert read[3]["seen"] == {"persons": 2, "bare": 1, "masked": 0, "phones": 0}
    assert read[3]["boxes"] == {1: "correct", 2: "duplicate"}
    assert read[3]["frame_mask_boxes"] == {1: "not_object"}
    assert read[3]["sideways"] is True
    assert read[3]["note"] == "a note"
    assert read[4]["boxes"] == {}
    with pytest.raises(script.EvalError, match="bad box verdict"):
        script.parse_verdicts("1 p=1 bare=1 masked=0 phones=0 | 1:q")
    with pytest.raises(script.EvalError, match="judged twice"):
        script.parse_verdicts("1 p=1 bare=0 masked=0 phones=0 |\n1 p=1 bare=0 masked=0 phones=0 |")


@pytest.mark.shared
def test_the_saved_boxes_are_what_the_cascade_gives(script: ModuleType) -> None:
    status = script.main(["check", "--eval", str(EVAL)])
    assert status == 0
