#!/usr/bin/env python3
"""Measure the person, mask and phone models by eye on held-out photos, reproducibly.

No labelled images exist here for persons, faces with or without a mask, or phones. The only
photos of people are the smoking data set (Roboflow, CC BY 4.0, labelled for cigarettes only);
none of these three models was trained on it, so its ``valid`` split is held-out for them. A
person looks at every image with the boxes the camera workers would raise, counts what is
visible and judges each box; this script makes that repeatable:

    python scripts/eval_by_eye.py detect --out /tmp/eval-by-eye.json   # boxes, no verdicts
    python scripts/eval_by_eye.py sheets --eval /tmp/eval-by-eye.json --out-dir /tmp/evalsheets
    python scripts/eval_by_eye.py merge --eval /tmp/eval-by-eye.json --verdicts verdicts.txt \\
        --out docs/models/eval-by-eye.json
    python scripts/eval_by_eye.py report                              # figures from the verdicts
    python scripts/eval_by_eye.py check                               # re-run, compare boxes

``detect`` runs ``FrameAnalyzer`` exactly as a camera worker does (person model on the whole
image, the mask model on each person's head crop, the phone class on each person crop, and,
where the person model finds nobody, the mask model on the whole image; the manifest's
thresholds), with the models under ``--models-dir`` (default: $SUNSHINE_MODELS_DIR or
../shared/models).

The verdict file has one line per image, by its position in the set::

    <index> p=<persons> bare=<bare> masked=<masked> phones=<phones> [sideways] | 1:c 2:d f1:c # note

Box codes: ``c`` correct, ``d`` duplicate (a second box on an object already counted), ``w``
wrong (person: not a person), ``x`` wrong class (a face box of the other class), ``n`` not a
face / not a phone. ``f<n>`` judges box n of the mask model run on the whole image, which
``detect`` also lists apart (``frame_mask_boxes``) where the person model found nobody: the
first review showed that the cascade lost those faces with the person, so the workers now
run the mask model on the whole frame there too and the same boxes are in ``boxes`` (judged
the same way); the list apart gives that fallback's own figures. ``sideways`` marks a
photo turned by about 90 degrees (the figures are also given without those). Counting rules:
docs/models/person.md, "Measured on held-out photos".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT / "docs" / "models" / "eval-by-eye.json"
DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "smoking"
SMOKING_EVAL = ROOT / "docs" / "models" / "smoking-eval.json"
MODELS = ("person", "mask", "phone")
WANTED = frozenset({"person", "mask", "no_mask", "cell_phone"})
CLASSES = ("person", "no_mask", "mask", "cell_phone")

CODES = {
    "c": "correct",
    "d": "duplicate",
    "w": "wrong",
    "x": "wrong_class",
    "n": "not_object",
}
# Which verdicts each class may take: a person box is never of the "wrong class", a face or
# phone box that is no face/phone is "not_object".
ALLOWED = {
    "person": {"correct", "duplicate", "wrong"},
    "no_mask": {"correct", "duplicate", "wrong_class", "not_object"},
    "mask": {"correct", "duplicate", "wrong_class", "not_object"},
    "cell_phone": {"correct", "duplicate", "not_object"},
}
# The visible objects a class's correct boxes are counted against (its recall's denominator).
SEEN_KEY = {"person": "persons", "no_mask": "bare", "mask": "masked", "cell_phone": "phones"}


class EvalError(Exception):
    """Bad input: a verdict file or an evaluation file that does not add up."""


# How the reviewer counted (saved with the verdicts so the figures can be read without this file).
COUNTING_RULES = {
    "person": "a person counts when the head or most of the torso is in the picture (a hand "
    "or legs alone do not); people behind glass, in mirrors and in the background count",
    "person_box": "correct when it covers (most of) one counted person not already covered "
    "by an earlier correct box, even if it also spans a neighbour; duplicate when on a person "
    "already covered; wrong when it covers no counted person (a hand, an empty strip)",
    "face": "a face counts when it is about 20 px high or more in the 640 px image and its "
    "nose and mouth are in the picture and not hidden (by a sleeve, a hand over the mouth, "
    "hair, or being turned away), so that bare or masked can be told; a cigarette or fingers "
    "at the lips do not hide the mouth",
    "face_box": "correct when on a counted face of its class (no_mask: bare, mask: masked), "
    "also when it covers only part of the face; wrong_class when on a face of the other "
    "class; not_object when on no face",
    "phone": "a mobile phone counts when it can be recognised as one (held or lying); "
    "a wall payphone does not",
    "phone_box": "correct when on a counted phone; not_object otherwise",
    "sideways": "the photo is turned by about 90 degrees (a Roboflow augmentation or the "
    "source); figures are given with and without these",
}


# -- the image set ------------------------------------------------------------------------------
def image_set(data: Path, step: int) -> tuple[list[str], int]:
    """Every ``step``-th image (from the first) of the deduplicated valid split, by file name,
    and the size of that split."""
    dropped = set(json.loads(SMOKING_EVAL.read_text())["near_duplicate_files"])
    names = sorted(
        p.name
        for p in (data / "valid" / "images").iterdir()
        if p.suffix.lower() in {".jpg", ".jpeg", ".png"} and p.name not in dropped
    )
    if not names:
        raise EvalError(f"no images in {data / 'valid' / 'images'}")
    return names[::step], len(names)


# -- detections ---------------------------------------------------------------------------------
def _analyzer(models_dir: Path) -> tuple[Any, Any, dict[str, Any]]:
    from sunshine.workers.vision.analysis import FrameAnalyzer
    from sunshine.workers.vision.models_store import ModelStore, file_sha256

    store = ModelStore(models_dir, fetch=False)
    analyzer = FrameAnalyzer(store=store, wanted=WANTED)
    if analyzer.unavailable:
        raise EvalError(f"models do not run: {analyzer.unavailable}")
    models = {
        name: {
            "files": {f.path: file_sha256(store.path_of(f)) for f in store.entry(name).files},
            "confidence": store.entry(name).confidence,
            "nms_iou": store.entry(name).nms_iou,
            "region": store.entry(name).region,
        }
        for name in MODELS
    }
    return analyzer, store.detector("mask"), models


def detect_all(data: Path, models_dir: Path, names: list[str]) -> tuple[list[dict[str, Any]], Any]:
    import cv2

    analyzer, mask_model, models = _analyzer(models_dir)
    images = []
    for index, name in enumerate(names):
        frame = cv2.imread(str(data / "valid" / "images" / name), cv2.IMREAD_COLOR)
        if frame is None:
            raise EvalError(f"cannot read {name}")
        found = sorted(analyzer.analyze(frame), key=lambda d: (CLASSES.index(d.cls), -d.confidence))
        # Where the person model found nobody, the mask model's boxes on the whole image,
        # apart: the workers' fallback (in ``found`` too), for its own figures.
        on_frame = None
        if not any(d.cls == "person" for d in found):
            on_frame = _boxes(sorted(mask_model.detect(frame), key=lambda d: -d.confidence))
        images.append(
            {
                "index": index,
                "file": name,
                "seen": None,
                "boxes": _boxes(found),
                "frame_mask_boxes": on_frame,
                "note": "",
            }
        )
    return images, models


def _boxes(found: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "n": n,
            "class": d.cls,
            "confidence": round(d.confidence, 3),
            "box": [int(v) for v in d.box],
            "verdict": None,
        }
        for n, d in enumerate(found, start=1)
    ]


def cmd_detect(args: argparse.Namespace) -> int:
    names, total = image_set(args.data, args.step)
    images, models = detect_all(args.data, args.models_dir, names)
    doc = {
        "purpose": "person, mask and phone models judged by eye on held-out photos",
        "data": "smoking data set (Roboflow, CC BY 4.0), valid split, near-duplicates of "
        "train removed as listed in docs/models/smoking-eval.json",
        "selection": f"positions 0, {args.step}, {2 * args.step}, ... of the {total} "
        "deduplicated valid images sorted by file name",
        "pipeline": "sunshine.workers.vision.analysis.FrameAnalyzer, wanted person, mask, "
        "no_mask, cell_phone: as a camera worker (person model on the image, mask model on "
        "each person's head crop, phone class on each person crop)",
        "reviewer": "one reviewer by eye (a Claude helper session of this project), looking "
        "at each image with its numbered boxes, zooming in where unsure",
        "counting_rules": COUNTING_RULES,
        "models": models,
        "images": images,
    }
    args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(images)} images, {sum(len(i['boxes']) for i in images)} boxes -> {args.out}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Re-run the models on the saved set; the boxes must be the saved ones."""
    doc = json.loads(args.eval.read_text())
    names = [image["file"] for image in doc["images"]]
    images, models = detect_all(args.data, args.models_dir, names)
    differ = 0
    for saved, now in zip(doc["images"], images, strict=True):
        if _strip(saved) != _strip(now):
            differ += 1
            print(f"differs: {saved['file']}", file=sys.stderr)
    for name, model in models.items():
        if model != doc["models"][name]:
            print(f"{name}: model files or thresholds differ from the saved ones", file=sys.stderr)
            differ += 1
    print(f"{len(images)} images re-run, {differ} differences")
    return 1 if differ else 0


def _strip(image: dict[str, Any]) -> tuple[Any, Any]:
    def plain(boxes: list[dict[str, Any]] | None) -> list[Any] | None:
        if boxes is None:
            return None
        return [(b["class"], b["confidence"], b["box"]) for b in boxes]

    return plain(image["boxes"]), plain(image["frame_mask_boxes"])


# -- contact sheets -----------------------------------------------------------------------------
COLOURS = {
    "person": (0, 190, 0),
    "no_mask": (0, 0, 255),
    "mask": (255, 140, 0),
    "cell_phone": (255, 0, 255),
}
SHORT = {"person": "P", "no_mask": "NM", "mask": "M", "cell_phone": "PH"}


def _tile(path: Path, image: dict[str, Any], size: int, key: str) -> Any:
    import cv2
    import numpy as np

    frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if frame is None:
        raise EvalError(f"cannot read {path}")
    scale = size / max(frame.shape[:2])
    frame = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    tile = np.full((size + 28, size, 3), 255, np.uint8)
    tile[28 : 28 + frame.shape[0], : frame.shape[1]] = frame
    cv2.putText(tile, f"#{image['index']} {image['file'][:28]}", (4, 20), 0, 0.6, (0, 0, 0), 2)
    for b in image[key] or []:
        x1, y1, x2, y2 = (round(v * scale) for v in b["box"])
        y1, y2 = y1 + 28, y2 + 28
        colour = COLOURS[b["class"]]
        cv2.rectangle(tile, (x1, y1), (x2, y2), colour, 2)
        label = f"{b['n']} {SHORT[b['class']]} {b['confidence']:.2f}"
        ty = y2 - 6 if b["class"] == "person" else max(y1 - 4, 44)
        (tw, th), _ = cv2.getTextSize(label, 0, 0.55, 2)
        cv2.rectangle(tile, (x1, ty - th - 3), (x1 + tw + 2, ty + 3), (255, 255, 255), -1)
        cv2.putText(tile, label, (x1 + 1, ty), 0, 0.55, colour, 2)
    return tile


def cmd_sheets(args: argparse.Namespace) -> int:
    import cv2
    import numpy as np

    doc = json.loads(args.eval.read_text())
    key = "frame_mask_boxes" if args.frame_mask else "boxes"
    images = [i for i in doc["images"] if i[key] is not None]
    per = args.cols * args.rows
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(images), per):
        tiles = [
            _tile(args.data / "valid" / "images" / i["file"], i, args.size, key)
            for i in images[start : start + per]
        ]
        blank = np.full_like(tiles[0], 255)
        tiles += [blank] * (per - len(tiles))
        rows = [np.hstack(tiles[r * args.cols : (r + 1) * args.cols]) for r in range(args.rows)]
        out = args.out_dir / f"sheet-{start // per:02d}.png"
        cv2.imwrite(str(out), np.vstack(rows))
    print(f"{(len(images) + per - 1) // per} sheets -> {args.out_dir}")
    return 0


# -- verdicts -----------------------------------------------------------------------------------
LINE = re.compile(
    r"^(?P<index>\d+)\s+p=(?P<persons>\d+)\s+bare=(?P<bare>\d+)\s+masked=(?P<masked>\d+)"
    r"\s+phones=(?P<phones>\d+)(?P<sideways>\s+sideways)?\s*\|(?P<boxes>[^#]*)(?:#(?P<note>.*))?$"
)


def parse_verdicts(text: str) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        match = LINE.match(line)
        if match is None:
            raise EvalError(f"verdicts line {number}: cannot read {line!r}")
        index = int(match["index"])
        if index in out:
            raise EvalError(f"verdicts line {number}: image {index} judged twice")
        boxes: dict[int, str] = {}
        frame_boxes: dict[int, str] = {}
        for item in match["boxes"].split():
            n, _, code = item.partition(":")
            target = frame_boxes if n.startswith("f") else boxes
            n = n.removeprefix("f")
            if not n.isdigit() or code not in CODES:
                raise EvalError(f"verdicts line {number}: bad box verdict {item!r}")
            target[int(n)] = CODES[code]
        out[index] = {
            "seen": {k: int(match[k]) for k in ("persons", "bare", "masked", "phones")},
            "boxes": boxes,
            "frame_mask_boxes": frame_boxes,
            "sideways": match["sideways"] is not None,
            "note": (match["note"] or "").strip(),
        }
    return out


def cmd_merge(args: argparse.Namespace) -> int:
    doc = json.loads(args.eval.read_text())
    verdicts = parse_verdicts(args.verdicts.read_text())
    for image in doc["images"]:
        judged = verdicts.pop(image["index"], None)
        if judged is None:
            if args.partial:
                continue
            raise EvalError(f"image {image['index']} ({image['file']}) has no verdicts")
        for key in ("boxes", "frame_mask_boxes"):
            numbers = {b["n"] for b in image[key] or []}
            if set(judged[key]) != numbers:
                raise EvalError(
                    f"image {image['index']}: {key} {sorted(numbers)} but verdicts for "
                    f"{sorted(judged[key])}"
                )
            for b in image[key] or []:
                b["verdict"] = judged[key][b["n"]]
        image["seen"] = judged["seen"]
        image["sideways"] = judged["sideways"]
        image["note"] = judged["note"]
    if verdicts:
        raise EvalError(f"verdicts for images not in the set: {sorted(verdicts)}")
    if args.partial:
        doc["images"] = [i for i in doc["images"] if i["seen"] is not None]
    doc["figures"] = all_figures(doc)
    args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(doc['images'])} judged images -> {args.out}")
    return 0


# -- figures ------------------------------------------------------------------------------------
def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def _wilson(num: int, den: int, z: float = 1.96) -> list[float] | None:
    """95% Wilson score interval of a proportion: with ~100 images, a figure is a range."""
    if not den:
        return None
    p = num / den
    centre = (p + z * z / (2 * den)) / (1 + z * z / den)
    half = z * ((p * (1 - p) / den + z * z / (4 * den * den)) ** 0.5) / (1 + z * z / den)
    return [round(centre - half, 3), round(centre + half, 3)]


def all_figures(doc: dict[str, Any]) -> dict[str, Any]:
    """The figures over every judged image, and over the upright ones only."""
    upright = [i for i in doc["images"] if not i.get("sideways")]
    return {
        "all": figures(doc["images"]),
        "upright": figures(upright),
        "frame_mask_where_no_person": frame_mask_figures(doc["images"]),
    }


def frame_mask_figures(images: list[dict[str, Any]]) -> dict[str, Any]:
    """The mask model on the whole image, on the images where the person model found nobody
    (so the cascade ran no face model): its no_mask boxes against the bare faces there."""
    without = [i for i in images if i["frame_mask_boxes"] is not None]
    boxes = [b for i in without for b in i["frame_mask_boxes"]]
    for i in without:
        for b in i["frame_mask_boxes"]:
            if b["verdict"] not in ALLOWED[b["class"]]:
                raise EvalError(
                    f"image {i['index']} frame box {b['n']} ({b['class']}): verdict "
                    f"{b['verdict']!r} not one of {sorted(ALLOWED[b['class']])}"
                )
        tp = sum(
            b["class"] == "no_mask" and b["verdict"] == "correct" for b in i["frame_mask_boxes"]
        )
        if tp > i["seen"]["bare"]:
            raise EvalError(
                f"image {i['index']}: {tp} correct frame no_mask boxes, bare={i['seen']['bare']}"
            )
    no_mask = [b for b in boxes if b["class"] == "no_mask"]
    tp = sum(b["verdict"] == "correct" for b in no_mask)
    bare = sum(i["seen"]["bare"] for i in without)
    return {
        "images": len(without),
        "bare_faces": bare,
        "no_mask_boxes": len(no_mask),
        "mask_boxes": len(boxes) - len(no_mask),
        "tp": tp,
        "fp": len(no_mask) - tp,
        "fn": bare - tp,
        "precision": _ratio(tp, len(no_mask)),
        "recall": _ratio(tp, bare),
    }


def figures(images: list[dict[str, Any]]) -> dict[str, Any]:
    """Per class: boxes, TP, FP, FN, precision, recall over the judged images.

    Raises EvalError where the verdicts do not add up (a verdict a class cannot take, more
    correct boxes on an image than objects of that kind were seen there)."""
    totals = {cls: {"boxes": 0, "tp": 0, "seen": 0} for cls in CLASSES}
    verdict_counts: dict[str, dict[str, int]] = {cls: {} for cls in CLASSES}
    for image in images:
        seen = image["seen"]
        if seen is None:
            raise EvalError(f"image {image['index']} ({image['file']}) is not judged")
        for cls in CLASSES:
            boxes = [b for b in image["boxes"] if b["class"] == cls]
            for b in boxes:
                if b["verdict"] not in ALLOWED[cls]:
                    raise EvalError(
                        f"image {image['index']} box {b['n']} ({cls}): verdict "
                        f"{b['verdict']!r} not one of {sorted(ALLOWED[cls])}"
                    )
                counts = verdict_counts[cls]
                counts[b["verdict"]] = counts.get(b["verdict"], 0) + 1
            tp = sum(b["verdict"] == "correct" for b in boxes)
            if tp > seen[SEEN_KEY[cls]]:
                raise EvalError(
                    f"image {image['index']}: {tp} correct {cls} boxes but "
                    f"{SEEN_KEY[cls]}={seen[SEEN_KEY[cls]]}"
                )
            totals[cls]["boxes"] += len(boxes)
            totals[cls]["tp"] += tp
            totals[cls]["seen"] += seen[SEEN_KEY[cls]]
    out: dict[str, Any] = {"images": len(images)}
    for cls in CLASSES:
        t = totals[cls]
        out[cls] = {
            "boxes": t["boxes"],
            "objects_seen": t["seen"],
            "tp": t["tp"],
            "fp": t["boxes"] - t["tp"],
            "fn": t["seen"] - t["tp"],
            "precision": _ratio(t["tp"], t["boxes"]),
            "precision_95": _wilson(t["tp"], t["boxes"]),
            "recall": _ratio(t["tp"], t["seen"]),
            "recall_95": _wilson(t["tp"], t["seen"]),
            "verdicts": dict(sorted(verdict_counts[cls].items())),
        }
    # A bare face boxed "mask" is the error that hides a violation: count it separately.
    out["mask"]["false_masks_on_bare_faces"] = verdict_counts["mask"].get("wrong_class", 0)
    out["no_mask"]["on_masked_faces"] = verdict_counts["no_mask"].get("wrong_class", 0)
    return out


def cmd_report(args: argparse.Namespace) -> int:
    doc = json.loads(args.eval.read_text())
    computed = all_figures(doc)
    status = 0
    if doc.get("figures") != computed:
        print("the saved figures differ from the verdicts; re-run merge", file=sys.stderr)
        status = 1
    for subset in ("all", "upright"):
        figs = computed[subset]
        print(f"{subset}: {figs['images']} images")
        for cls in CLASSES:
            f = figs[cls]
            print(
                f"  {cls:<11} boxes {f['boxes']:>3}  seen {f['objects_seen']:>3}  "
                f"TP {f['tp']:>3}  FP {f['fp']:>3}  FN {f['fn']:>3}  "
                f"P {f['precision']} {f['precision_95']}  R {f['recall']} {f['recall_95']}  "
                f"{f['verdicts']}"
            )
        print(f"  mask boxes on bare faces: {figs['mask']['false_masks_on_bare_faces']}")
    f = computed["frame_mask_where_no_person"]
    print(
        f"mask model on the whole image where the cascade found no person: {f['images']} "
        f"images, {f['bare_faces']} bare faces, no_mask boxes {f['no_mask_boxes']} "
        f"(TP {f['tp']}, FP {f['fp']}, FN {f['fn']}), mask boxes {f['mask_boxes']}"
    )
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    models_dir = Path(os.environ.get("SUNSHINE_MODELS_DIR", ROOT.parent / "shared" / "models"))

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", type=Path, default=DEFAULT_DATA)
        p.add_argument("--models-dir", type=Path, default=models_dir)

    p = sub.add_parser("detect", help="run the workers' cascade on the image set")
    common(p)
    p.add_argument("--step", type=int, default=2)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_detect)

    p = sub.add_parser("check", help="re-run the models; the boxes must be the saved ones")
    common(p)
    p.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("sheets", help="contact sheets with the numbered boxes")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--eval", type=Path, required=True)
    p.add_argument("--out-dir", type=Path, required=True)
    p.add_argument("--cols", type=int, default=3)
    p.add_argument("--rows", type=int, default=2)
    p.add_argument("--size", type=int, default=520)
    p.add_argument(
        "--frame-mask",
        action="store_true",
        help="draw the mask model's whole-image boxes (images without a person box)",
    )
    p.set_defaults(func=cmd_sheets)

    p = sub.add_parser("merge", help="put the verdicts into the evaluation file")
    p.add_argument("--eval", type=Path, required=True)
    p.add_argument("--verdicts", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--partial", action="store_true", help="keep only the judged images")
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("report", help="the figures, recomputed from the saved verdicts")
    p.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    p.set_defaults(func=cmd_report)

    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
    except EvalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
