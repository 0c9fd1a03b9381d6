"""``sunshine vision detect | models``: run the detectors on image files, list the models.

``detect`` prints one JSON line per image::

    {"image": "3.jpg", "detections": [{"class": "person", "confidence": 0.842,
     "box": [41, 63, 178, 294]}]}

Boxes are pixels of the original image, best first. With ``--model`` that one model runs on
the whole image (crop models too: the command is for checking a model on a folder of
images). Without it every installed model runs as a camera worker runs them (person models
on the image, crop models on each person) and each detection names its ``"model"``.
An unreadable image prints ``{"image": ..., "error": ...}`` and the exit status is 1 at the
end; an unknown or unusable model exits 2 before any image is read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sunshine.config import model_settings

if TYPE_CHECKING:
    import numpy as np

    from sunshine.workers.vision.detectors.base import Detection
    from sunshine.workers.vision.models_store import ModelStore


def _store(threshold: float | None) -> ModelStore:
    from sunshine.workers.vision.models_store import ModelStore

    settings = model_settings()
    return ModelStore(settings.models_dir, fetch=settings.models_fetch, confidence=threshold)


def _read_image(path: str) -> tuple[np.ndarray | None, str]:
    import cv2
    import numpy as np

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None, "not an image OpenCV can decode"
    return image, ""


def _detection_json(d: Detection, *, with_model: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "class": d.cls,
        "confidence": round(d.confidence, 3),
        "box": [int(v) for v in d.box],
    }
    if with_model:
        out["model"] = d.model
    return out


def _whole_image_runner(store: ModelStore, name: str) -> Callable[[np.ndarray], list[Detection]]:
    detector = store.detector(name)
    return detector.detect


def _all_models_runner(store: ModelStore) -> Callable[[np.ndarray], list[Detection]]:
    """Every installed model, as the camera worker runs them; ModelUnavailable if none."""
    from sunshine.workers.vision.analysis import FrameAnalyzer
    from sunshine.workers.vision.models_store import ModelUnavailable

    installed = [e for e in store.entries if e.files and store.state(e.name) == "installed"]
    if not installed:
        raise ModelUnavailable(
            f"no model installed (looked in {store.models_dir} and {store.package_dir}; "
            "set SUNSHINE_MODELS_DIR, or SUNSHINE_MODELS_FETCH=1 and name a --model to fetch it)"
        )
    person_models = [e.name for e in installed if e.region == "frame" and "person" in e.classes]
    person_model = "person" if "person" in person_models else next(iter(person_models), "person")
    wanted = frozenset(c for e in installed for c in e.classes)
    analyzer = FrameAnalyzer(store=store, wanted=wanted, person_model=person_model)
    others = [store.detector(name) for name in person_models if name != person_model]
    if not analyzer.runs_anything and not others:
        # e.g. only the shipped smoking model, which looks at person crops, and no person model
        reasons = "; ".join(f"{name}: {why}" for name, why in analyzer.unavailable.items())
        raise ModelUnavailable(f"no model can run ({reasons})")
    for name, message in analyzer.unavailable.items():
        print(f"note: {name} does not run: {message}", file=sys.stderr)

    def run(image: np.ndarray) -> list[Detection]:
        found = analyzer.analyze(image)
        for detector in others:
            found.extend(detector.detect(image))
        return found

    return run


def cmd_vision_detect(args: argparse.Namespace) -> int:
    from sunshine.workers.vision.models_store import ModelUnavailable

    store = _store(args.threshold)
    try:
        run = _whole_image_runner(store, args.model) if args.model else _all_models_runner(store)
    except ModelUnavailable as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    failed = False
    for path in args.images:
        image, error = _read_image(path)
        line: dict[str, Any]
        if image is None:
            failed = True
            line = {"image": path, "error": error}
        else:
            found = sorted(run(image), key=lambda d: -d.confidence)
            line = {
                "image": path,
                "detections": [_detection_json(d, with_model=not args.model) for d in found],
            }
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 1 if failed else 0


def cmd_vision_models(args: argparse.Namespace) -> int:
    store = _store(None)
    for entry in store.entries:
        state = store.state(entry.name)
        row = {
            "name": entry.name,
            "state": state,
            "classes": list(entry.classes),
            "region": entry.region,
            "alerts": entry.alert_kind,
            "runtime": entry.runtime,
            "sha256": store.sha256(entry.name) if state == "installed" else None,
            "files": [
                {"path": str(store.path_of(f)), "url": f.url, "sha256": f.sha256}
                for f in entry.files
            ],
            "licence": entry.licence,
            "card": entry.card,
            "message": store.message(entry.name),
        }
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
            continue
        print(
            f"{entry.name:<16} {state:<14} {','.join(entry.classes):<20} "
            f"{entry.alert_kind:<10} {row['sha256'] or '-'}"
        )
        print(f"    {row['message']}")
    return 0


def add_vision_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Register ``sunshine vision ...`` (detect, models, and the training commands, whose
    handlers import torch only when run); returns the ``vision`` sub-command parsers."""
    vision = sub.add_parser("vision", help="kitchen camera detectors (明厨亮灶)")
    commands = vision.add_subparsers(dest="vision", required=True)

    detect = commands.add_parser(
        "detect", help="run detectors on image files; one JSON line per image"
    )
    detect.add_argument("images", nargs="+", metavar="IMAGE")
    detect.add_argument(
        "--model",
        default=None,
        help="only this model, on the whole image (default: every installed model, "
        "crop models on each person)",
    )
    detect.add_argument(
        "--threshold", type=_probability, default=None, help="confidence threshold (0..1)"
    )
    detect.set_defaults(func=cmd_vision_detect)

    models = commands.add_parser("models", help="the models, their state, files and sha256")
    models.add_argument("--json", action="store_true", help="one JSON line per model")
    models.set_defaults(func=cmd_vision_models)

    from sunshine.workers.vision.training.commands import add_training_commands

    add_training_commands(commands)
    return commands


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text}")
    return value
