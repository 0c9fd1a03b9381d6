"""Precision, recall, F1 and AP50 of a FastestDet-layout model on a YOLO-format split.

The decoding is the runtime's (``sunshine.workers.vision.detectors.fastestdet``): score =
objectness x class score, ``cx = (col + tanh(tx)) / W``, w/h read as given (our export
applies the sigmoid in the graph), NMS per class at IoU 0.35 with the runtime's own
``nms_indices``. A detection is a true positive
when it overlaps a not yet matched ground-truth box of its class by IoU >= 0.5, in score order.

numpy, OpenCV and ONNX Runtime only (no torch): the shipped ONNX file is what is measured.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sunshine.workers.vision.detectors.fastestdet import class_boxes
from sunshine.workers.vision.training.dataset import (
    FloatArray,
    Sample,
    cache_images,
    load_split,
    near_duplicates,
    read_class_names,
)

NMS_IOU = 0.35
MATCH_IOU = 0.5
MIN_SCORE = 0.01
REPORT_THRESHOLDS = (0.25, 0.5)


@dataclass(frozen=True)
class Detections:
    boxes: FloatArray  # D x 4 (x1, y1, x2, y2), normalised to the image
    scores: FloatArray  # D
    classes: npt.NDArray[np.int64]  # D


def decode(
    fmap: FloatArray, *, min_score: float = MIN_SCORE, nms_iou: float = NMS_IOU
) -> Detections:
    """One activated output map, (5 + C) x H x W, to detections above ``min_score``, decoded
    exactly as the runtime decodes it (the export applies the width/height sigmoid)."""
    all_boxes: list[FloatArray] = []
    all_scores: list[FloatArray] = []
    all_classes: list[npt.NDArray[np.int64]] = []
    for cls in range(fmap.shape[0] - 5):
        boxes, scores = class_boxes(
            fmap, cls, min_score=min_score, nms_iou=nms_iou, wh_sigmoid=False
        )
        all_boxes.append(boxes)
        all_scores.append(scores)
        all_classes.append(np.full(len(scores), cls, dtype=np.int64))
    if not all_boxes:
        return Detections(
            np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
        )
    return Detections(
        np.concatenate(all_boxes), np.concatenate(all_scores), np.concatenate(all_classes)
    )


def _iou_matrix(a: FloatArray, b: FloatArray) -> FloatArray:
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return np.asarray(inter / (area_a[:, None] + area_b[None, :] - inter + 1e-9), np.float32)


def _gt_corners(boxes: FloatArray) -> FloatArray:
    return np.stack(
        [
            boxes[:, 1] - boxes[:, 3] / 2,
            boxes[:, 2] - boxes[:, 4] / 2,
            boxes[:, 1] + boxes[:, 3] / 2,
            boxes[:, 2] + boxes[:, 4] / 2,
        ],
        1,
    ).astype(np.float32)


def score_detections(
    detections: Sequence[Detections], truths: Sequence[FloatArray], num_classes: int
) -> dict[str, Any]:
    """Metrics over a split: per class AP50, and precision/recall/F1 per score threshold."""
    per_class: dict[int, dict[str, Any]] = {}
    for cls in range(num_classes):
        scores: list[float] = []
        hits: list[bool] = []
        n_truth = 0
        for det, truth in zip(detections, truths, strict=True):
            gt = _gt_corners(truth[truth[:, 0] == cls])
            n_truth += len(gt)
            mine = det.classes == cls
            boxes, conf = det.boxes[mine], det.scores[mine]
            order = np.argsort(-conf, kind="stable")
            taken = np.zeros(len(gt), dtype=bool)
            ious = _iou_matrix(boxes[order], gt) if len(gt) else None
            for rank, d in enumerate(order):
                hit = False
                if ious is not None:
                    cand = np.where(~taken, ious[rank], -1.0)
                    j = int(cand.argmax())
                    if cand[j] >= MATCH_IOU:
                        taken[j] = True
                        hit = True
                scores.append(float(conf[d]))
                hits.append(hit)
        per_class[cls] = _curve(np.array(scores), np.array(hits, dtype=bool), n_truth)
    return {"per_class": per_class}


def _curve(
    scores: npt.NDArray[np.float64], hits: npt.NDArray[np.bool_], n_truth: int
) -> dict[str, Any]:
    order = np.argsort(-scores, kind="stable")
    scores, hits = scores[order], hits[order]
    tp = np.cumsum(hits)
    fp = np.cumsum(~hits)
    recall = tp / max(n_truth, 1)
    precision = tp / np.maximum(tp + fp, 1)
    # All-point interpolated AP (VOC 2010+ / COCO-style envelope, no 101-point sampling).
    mrec = np.concatenate(([0.0], recall, [1.0]))
    mpre = np.concatenate(([1.0], precision, [0.0]))
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    steps = np.where(mrec[1:] != mrec[:-1])[0]
    ap = float(np.sum((mrec[steps + 1] - mrec[steps]) * mpre[steps + 1]))

    def at(threshold: float) -> dict[str, float | int]:
        n = int(np.sum(scores >= threshold))
        t = int(tp[n - 1]) if n else 0
        p = t / n if n else 0.0
        r = t / n_truth if n_truth else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "threshold": round(threshold, 3),
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
            "tp": t,
            "fp": n - t,
            "fn": n_truth - t,
        }

    grid = [round(float(x), 2) for x in np.arange(0.05, 0.951, 0.05)]
    table = [at(t) for t in grid]
    best = max(table, key=lambda row: (row["f1"], row["threshold"]))
    return {
        "ground_truth_boxes": n_truth,
        "ap50": round(ap, 4),
        "best_f1": best,
        "at": {str(t): at(t) for t in REPORT_THRESHOLDS},
        "thresholds": table,
    }


def summary(metrics: dict[str, Any]) -> dict[str, float]:
    """Mean over classes of AP50 and of the best-F1 row (what the training log prints)."""
    rows = list(metrics["per_class"].values())
    if not rows:
        return {"ap50": 0.0, "f1": 0.0, "precision": 0.0, "recall": 0.0, "threshold": 0.0}
    return {
        "ap50": float(np.mean([r["ap50"] for r in rows])),
        "f1": float(np.mean([r["best_f1"]["f1"] for r in rows])),
        "precision": float(np.mean([r["best_f1"]["precision"] for r in rows])),
        "recall": float(np.mean([r["best_f1"]["recall"] for r in rows])),
        "threshold": float(np.mean([r["best_f1"]["threshold"] for r in rows])),
    }


@dataclass(frozen=True)
class EvalSplit:
    samples: list[Sample]
    images: npt.NDArray[np.uint8]  # N x S x S x 3, preprocessed
    removed: list[str]  # file names dropped as near-duplicates of training images


def prepare_split(
    data_dir: Path,
    *,
    split: str = "valid",
    size: int = 352,
    dedupe: bool = True,
    limit: int | None = None,
    train_images: npt.NDArray[np.uint8] | None = None,
) -> EvalSplit:
    """Load and preprocess a split; drop the images nearly identical to a training image.

    ``train_images`` (already preprocessed) saves decoding the training split again.
    """
    samples = load_split(data_dir, split)
    if limit is not None:
        samples = samples[:limit]
    images = cache_images(samples, size)
    removed: list[str] = []
    if dedupe and (data_dir / "train" / "images").is_dir():
        if train_images is None:
            train_images = cache_images(load_split(data_dir, "train"), size)
        dup = set(near_duplicates(list(images), list(train_images)))
        removed = [samples[i].image_path.name for i in sorted(dup)]
        keep = [i for i in range(len(samples)) if i not in dup]
        samples = [samples[i] for i in keep]
        images = images[keep]
    return EvalSplit(samples, images, removed)


Predictor = Callable[[npt.NDArray[np.float32]], npt.NDArray[np.float32]]


def predict_split(predict: Predictor, split: EvalSplit, batch: int = 1) -> list[Detections]:
    """Run ``predict`` (B x 3 x S x S float BGR/255 -> B x (5+C) x H x W) over the split."""
    out: list[Detections] = []
    for start in range(0, len(split.images), batch):
        chunk = split.images[start : start + batch]
        tensor = chunk.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255.0)
        maps = predict(tensor)
        out.extend(decode(m) for m in maps)
    return out


def onnx_predictor(model: Path, threads: int = 1) -> Predictor:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def run(batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        # The exported graph has a fixed batch of 1, like the runtime's.
        maps = [session.run(None, {name: batch[i : i + 1]})[0][0] for i in range(len(batch))]
        return np.stack(maps).astype(np.float32)

    return run


def evaluate_onnx(
    *,
    data_dir: Path,
    model: Path,
    split: str = "valid",
    dedupe: bool = True,
    limit: int | None = None,
    threads: int = 1,
) -> dict[str, Any]:
    """Evaluate an exported model; the result is JSON-ready."""
    if not model.is_file():
        raise FileNotFoundError(f"model {model} does not exist")
    data = prepare_split(data_dir, split=split, dedupe=dedupe, limit=limit)
    detections = predict_split(onnx_predictor(model, threads), data)
    names = read_class_names(data_dir)
    num_classes = (
        len(names)
        if names
        else 1
        + int(max((int(s.boxes[:, 0].max()) for s in data.samples if len(s.boxes)), default=0))
    )
    metrics = score_detections(detections, [s.boxes for s in data.samples], num_classes)
    per_class = {
        (names[c] if names and c < len(names) else str(c)): v
        for c, v in metrics["per_class"].items()
    }
    return {
        "model": str(model),
        "model_sha256": hashlib.sha256(model.read_bytes()).hexdigest(),
        "data": str(data_dir),
        "split": split,
        "images": len(data.samples),
        "near_duplicate_rule": (
            "dropped: images whose 32x32 grey thumbnail (area-averaged from the 352 px "
            "input) differs from some training image's by a mean absolute difference < 12"
            if dedupe
            else "none dropped"
        ),
        "near_duplicates_removed": len(data.removed),
        "near_duplicate_files": data.removed,
        "decoding": {
            "input": "BGR /255, plain INTER_AREA resize, no letterbox",
            "score": "objectness x class score",
            "nms_iou": NMS_IOU,
            "match_iou": MATCH_IOU,
            "min_score": MIN_SCORE,
        },
        "threshold_note": (
            "best_f1 picks the threshold maximising F1 on this same split, so its figures are "
            "optimistic; the fixed thresholds in 'at' are not tuned."
        ),
        "per_class": per_class,
        "evaluated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_result(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
