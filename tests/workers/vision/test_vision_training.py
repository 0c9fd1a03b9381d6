"""Smoking detector training code: model, loss, augmentation, export contract, evaluation, CLI.

Torch is an optional extra: the whole module is skipped without it, except that the shipped
ONNX file is checked through ONNX Runtime alone in ``test_shipped_model_*``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from sunshine.workers.vision.training import evaluate
from sunshine.workers.vision.training.dataset import (
    AugmentConfig,
    DatasetError,
    augment,
    load_split,
    near_duplicates,
    parse_label_file,
)

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
SMOKING = SHARED / "datasets" / "smoking"
BACKBONE = SHARED / "models" / "fastestdet" / "shufflenetv2.pth"
SHIPPED = (
    Path(__file__).resolve().parents[3] / "src/sunshine/kitchen/models/smoking-fastestdet-352.onnx"
)
needs_shared = pytest.mark.skipif(not SMOKING.is_dir(), reason="needs ../shared/datasets/smoking")

try:
    import torch
except ImportError:  # pragma: no cover - the [train] extra is absent
    torch = None  # type: ignore[assignment]
needs_torch = pytest.mark.skipif(torch is None, reason="needs the [train] extra (torch)")


def _synthetic(seed: int, size: int = 352) -> tuple[np.ndarray, np.ndarray]:
    """A grey image with one bright rectangle and its YOLO box."""
    rng = np.random.default_rng(seed)
    image = np.full((size, size, 3), 90, np.uint8)
    w, h = rng.integers(40, 90, size=2)
    x, y = rng.integers(20, size - 120, size=2)
    image[y : y + h, x : x + w] = (240, 240, 250)
    box = np.array([[0, (x + w / 2) / size, (y + h / 2) / size, w / size, h / size]], np.float32)
    return image, box


def _yolo_folder(root: Path, n_train: int = 4, n_valid: int = 2) -> Path:
    root.mkdir(parents=True)
    (root / "data.yaml").write_text("nc: 1\nnames: ['thing']\n", "utf-8")
    for split, count in (("train", n_train), ("valid", n_valid)):
        (root / split / "images").mkdir(parents=True)
        (root / split / "labels").mkdir(parents=True)
        for i in range(count):
            image, box = _synthetic(i + (100 if split == "valid" else 0), size=200)
            cv2.imwrite(str(root / split / "images" / f"{i}.jpg"), image)
            line = " ".join(f"{v:.6f}" for v in box[0, 1:])
            (root / split / "labels" / f"{i}.txt").write_text(f"0 {line}\n", "utf-8")
    return root


# --- data -----------------------------------------------------------------------------


def test_label_file_errors_name_the_line(tmp_path: Path) -> None:
    label = tmp_path / "a.txt"
    label.write_text("0 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1\n", "utf-8")
    with pytest.raises(DatasetError, match=r"a.txt:2: expected 'class cx cy w h'"):
        parse_label_file(label)
    label.write_text("0 0.5 1.5 0.1 0.1\n", "utf-8")
    with pytest.raises(DatasetError, match="normalised"):
        parse_label_file(label)
    label.write_text("3 0.5 0.5 0.1 0.1\n", "utf-8")
    with pytest.raises(DatasetError, match="class 3"):
        parse_label_file(label, num_classes=1)
    assert parse_label_file(tmp_path / "missing.txt").shape == (0, 5)


def test_missing_split_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="train/images does not exist"):
        load_split(tmp_path, "train")


def test_augment_moves_boxes_with_the_pixels() -> None:
    image, box = _synthetic(3)
    rng = np.random.default_rng(0)
    flipped = 0
    for _ in range(20):
        out, boxes = augment(image, box, rng, AugmentConfig())
        if len(boxes) == 0:
            continue
        _, cx, cy, w, h = boxes[0]
        # The middle half of the box must lie on the bright rectangle wherever it went.
        x1, x2 = int((cx - w / 4) * 352), int((cx + w / 4) * 352)
        y1, y2 = int((cy - h / 4) * 352), int((cy + h / 4) * 352)
        assert out[y1:y2, x1:x2].mean() > 150
        flipped += int(cx < 0.5) != int(box[0, 1] < 0.5)
    assert flipped > 0


def test_near_duplicates_finds_copies_only() -> None:
    a, _ = _synthetic(1)
    b = 255 - a
    noisy = np.clip(a.astype(int) + 3, 0, 255).astype(np.uint8)
    assert near_duplicates([noisy, b], [a]) == [0]


# --- decoding and metrics ---------------------------------------------------------------


def test_decode_reads_the_contract_layout() -> None:
    fmap = np.zeros((6, 22, 22), np.float32)
    fmap[5] = 1.0
    fmap[0, 10, 4] = 0.9  # row 10, col 4
    fmap[1, 10, 4] = np.arctanh(0.5)  # cx = (4 + 0.5) / 22
    fmap[3, 10, 4], fmap[4, 10, 4] = 0.2, 0.1  # w, h already after sigmoid
    det = evaluate.decode(fmap, min_score=0.5)
    assert det.scores.tolist() == pytest.approx([0.9])
    cx, cy = 4.5 / 22, 10 / 22
    assert det.boxes[0].tolist() == pytest.approx([cx - 0.1, cy - 0.05, cx + 0.1, cy + 0.05])


def test_scores_count_hits_misses_and_false_alarms() -> None:
    truth = [np.array([[0, 0.25, 0.25, 0.2, 0.2], [0, 0.75, 0.75, 0.2, 0.2]], np.float32)]
    boxes = np.array([[0.15, 0.15, 0.35, 0.35], [0.5, 0.0, 0.6, 0.1]], np.float32)
    det = evaluate.Detections(boxes, np.array([0.9, 0.6], np.float32), np.zeros(2, np.int64))
    curve = evaluate.score_detections([det], truth, 1)["per_class"][0]
    at_half = curve["at"]["0.5"]
    assert (at_half["tp"], at_half["fp"], at_half["fn"]) == (1, 1, 1)
    assert at_half["precision"] == 0.5
    assert curve["at"]["0.25"]["recall"] == 0.5
    assert curve["thresholds"][-1]["tp"] == 0  # nothing scores 0.95
    assert curve["ap50"] == pytest.approx(0.5)


# --- model, loss, export (torch) ----------------------------------------------------------


@needs_torch
def test_model_shapes_and_contract_activations() -> None:
    from sunshine.workers.vision.training.model import FastestDet, activate

    for classes in (1, 3):
        with torch.no_grad():
            raw = FastestDet(classes).eval()(torch.rand(2, 3, 352, 352))
        assert tuple(raw.shape) == (2, 5 + classes, 22, 22)
        out = activate(raw)
        assert float(out[:, 0].min()) >= 0 and float(out[:, 0].max()) <= 1
        assert torch.allclose(out[:, 5:].sum(1), torch.ones(2, 22, 22), atol=1e-5)
    with pytest.raises(ValueError, match="num_classes"):
        FastestDet(0)


@needs_torch
@needs_shared
def test_backbone_checkpoint_loads_strictly() -> None:
    from sunshine.workers.vision.training.model import FastestDet

    model = FastestDet(1)
    assert model.load_backbone(BACKBONE) == 330
    assert sum(p.numel() for p in model.parameters()) == 236_748


@needs_torch
def test_loss_decreases_on_two_images() -> None:
    from sunshine.workers.vision.training.loss import detection_loss
    from sunshine.workers.vision.training.model import FastestDet

    torch.manual_seed(0)
    # The net is fully convolutional: 192 px (a 12x12 grid) keeps the test quick.
    pairs = [_synthetic(i, size=192) for i in range(2)]
    images = torch.from_numpy(np.stack([p[0] for p in pairs])).permute(0, 3, 1, 2) / 255.0
    targets = torch.from_numpy(
        np.concatenate([np.c_[np.full((1, 1), i, np.float32), p[1]] for i, p in enumerate(pairs)])
    )
    model = FastestDet(1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(20):
        parts = detection_loss(model(images), targets)
        optimizer.zero_grad()
        torch.autograd.backward(parts.total)
        optimizer.step()
        losses.append(float(parts.total.detach()))
    assert parts.positives > 0
    assert losses[-1] < 0.7 * losses[0], losses


@needs_torch
def test_export_matches_the_runtime_contract(tmp_path: Path) -> None:
    import onnxruntime as ort

    from sunshine.workers.vision.training.export import export_onnx
    from sunshine.workers.vision.training.model import FastestDet

    out = tmp_path / "m.onnx"
    export_onnx(FastestDet(1), out, class_names=["cigarette"])
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    (inp,) = session.get_inputs()
    assert (inp.name, inp.shape, inp.type) == ("images", [1, 3, 352, 352], "tensor(float)")
    fmap = session.run(None, {"images": np.random.rand(1, 3, 352, 352).astype(np.float32)})[0]
    assert fmap.shape == (1, 6, 22, 22)
    assert fmap[0, 0].min() >= 0 and fmap[0, 0].max() <= 1
    assert fmap[0, 3:5].min() > 0 and fmap[0, 3:5].max() < 1
    assert np.allclose(fmap[0, 5], 1.0)
    meta = session.get_modelmeta().custom_metadata_map
    assert json.loads(meta["class_names"]) == ["cigarette"]


@needs_torch
def test_train_resume_and_evaluate_on_a_tiny_folder(tmp_path: Path) -> None:
    from sunshine.workers.vision.training.train import TrainConfig, train

    data = _yolo_folder(tmp_path / "data")
    out = tmp_path / "tiny.onnx"
    config = TrainConfig(
        data=data, out=out, epochs=1, batch=2, threads=1, work_dir=tmp_path / "run"
    )
    lines: list[str] = []
    summary = train(config, log=lines.append)
    assert summary["epochs"] == 1 and len(summary["history"]) == 1
    assert "ap50" in summary["history"][0]
    assert out.is_file() and (tmp_path / "run" / "last.pt").is_file()

    config.epochs, config.resume = 2, tmp_path / "run" / "last.pt"
    summary = train(config, log=lines.append)
    assert [row["epoch"] for row in summary["history"]] == [1, 2]
    assert any("resumed" in line for line in lines)

    result = evaluate.evaluate_onnx(data_dir=data, model=out)
    assert result["images"] == 2 and result["per_class"]["thing"]["ground_truth_boxes"] == 2

    again = tmp_path / "again.onnx"
    args = _parser().parse_args(
        ["train", "--out", str(again), "--export-checkpoint", str(tmp_path / "run" / "last.pt")]
    )
    assert args.func(args) == 0
    assert again.read_bytes() == out.read_bytes()


# --- CLI ---------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    from sunshine.workers.vision.training.commands import add_training_commands

    parser = argparse.ArgumentParser(prog="sunshine vision")
    add_training_commands(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_parses_and_rejects_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = _parser()
    args = parser.parse_args(
        ["train", "--data", "d", "--epochs", "3", "--out", "m.onnx", "--threads", "2"]
    )
    assert (args.epochs, args.batch, args.threads, args.device) == (3, 32, 2, "cpu")
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "--data", "d", "--epochs", "0", "--out", "m.onnx"])
    capsys.readouterr()

    data = _yolo_folder(tmp_path / "data", n_train=1, n_valid=1)
    bad_out = parser.parse_args(["train", "--data", str(data), "--epochs", "1", "--out", "m.pt"])
    if torch is not None:
        assert bad_out.func(bad_out) == 2
        assert ".onnx" in capsys.readouterr().err
    missing = parser.parse_args(
        [
            "evaluate",
            "--data",
            str(data),
            "--model",
            str(tmp_path / "no.onnx"),
            "--out",
            str(tmp_path / "r.json"),
        ]
    )
    assert missing.func(missing) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()
    not_yolo = parser.parse_args(
        ["evaluate", "--data", str(tmp_path), "--model", "m.onnx", "--out", "r.json"]
    )
    assert not_yolo.func(not_yolo) == 2
    assert "not a YOLO-format folder" in capsys.readouterr().err
    if torch is not None:
        no_epochs = parser.parse_args(["train", "--data", str(data), "--out", "m.onnx"])
        assert no_epochs.func(no_epochs) == 2
        assert "--epochs" in capsys.readouterr().err


# --- the shipped model ---------------------------------------------------------------------


def test_shipped_model_has_the_contract_shape() -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(SHIPPED), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].name == "images"
    fmap = session.run(None, {"images": np.zeros((1, 3, 352, 352), np.float32)})[0]
    assert fmap.shape == (1, 6, 22, 22)


@needs_shared
def test_shipped_model_finds_cigarettes_in_valid_images(tmp_path: Path) -> None:
    parser = _parser()
    out = tmp_path / "eval.json"
    args = parser.parse_args(
        [
            "evaluate",
            "--data",
            str(SMOKING),
            "--model",
            str(SHIPPED),
            "--out",
            str(out),
            "--limit",
            "10",
            "--no-dedupe",
        ]
    )
    assert args.func(args) == 0
    result = json.loads(out.read_text("utf-8"))
    cig = result["per_class"]["cigarette"]
    assert result["images"] == 10
    assert cig["at"]["0.5"]["tp"] >= MIN_FOUND_IN_TEN, cig["at"]


MIN_FOUND_IN_TEN = 8  # the shipped model finds all 10 boxes of these 10 images at 0.5


@pytest.mark.parametrize(
    "text",
    [
        "nc: 2\nnames: ['a', \"b c\"]\n",
        "names:\n- a\n- b c\nnc: 2\n",
        "train: x\nnames:\n  0: a\n  1: 'b c'\n",
    ],
)
def test_class_names_from_data_yaml(tmp_path: Path, text: str) -> None:
    from sunshine.workers.vision.training.dataset import read_class_names

    (tmp_path / "data.yaml").write_text(text, "utf-8")
    assert read_class_names(tmp_path) == ["a", "b c"]
