"""``sunshine vision train`` and ``sunshine vision evaluate``.

Training needs the optional ``[train]`` extra (torch, onnx); it is imported inside the
handler so that the rest of the CLI, and every runtime process, works without it.
Evaluation needs only the runtime dependencies (ONNX Runtime, OpenCV, numpy).

Also runnable without the main CLI: ``python -m sunshine.workers.vision.training.commands
train ...``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

MISSING_TRAIN_EXTRA = (
    "training needs PyTorch and onnx, which are not installed: "
    "pip install 'sunshine[train]' (CPU wheels are enough)"
)


def add_training_commands(vision_subparsers: Any) -> None:
    """Register ``train`` and ``evaluate`` on the ``sunshine vision`` sub-parser group."""
    train = vision_subparsers.add_parser(
        "train",
        help="train a FastestDet detector on a YOLO-format folder and export it to ONNX",
        description=(
            "DIR holds train/images + train/labels (and valid/...) in YOLO txt format, "
            "class names in DIR/data.yaml. Writes the ONNX model to --out, checkpoints to "
            "--work-dir (default var/training/<out name>)."
        ),
    )
    train.add_argument(
        "--data", type=Path, default=None, metavar="DIR", help="required unless --export-checkpoint"
    )
    train.add_argument(
        "--epochs", type=_positive_int, default=None, help="required unless --export-checkpoint"
    )
    train.add_argument("--batch", type=_positive_int, default=32)
    train.add_argument("--out", type=Path, required=True, metavar="FILE.onnx")
    train.add_argument(
        "--backbone",
        type=Path,
        default=None,
        metavar="PTH",
        help="ImageNet ShuffleNetV2 state dict (FastestDet's shufflenetv2.pth)",
    )
    train.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    train.add_argument(
        "--threads",
        type=_positive_int,
        default=None,
        help="torch CPU threads (default: torch's choice)",
    )
    train.add_argument(
        "--resume",
        type=Path,
        default=None,
        metavar="CKPT",
        help="continue from a checkpoint (e.g. var/training/<name>/last.pt)",
    )
    train.add_argument("--work-dir", type=Path, default=None, metavar="DIR")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--lr", type=float, default=2e-3)
    train.add_argument(
        "--export-checkpoint",
        type=Path,
        default=None,
        metavar="CKPT",
        help="do not train: export this checkpoint's EMA weights to --out",
    )
    train.set_defaults(func=_train)

    ev = vision_subparsers.add_parser(
        "evaluate",
        help="precision, recall, F1 and AP50 of an ONNX detector on a YOLO-format split",
    )
    ev.add_argument("--data", type=Path, required=True, metavar="DIR")
    ev.add_argument("--model", type=Path, required=True, metavar="FILE.onnx")
    ev.add_argument("--out", type=Path, required=True, metavar="JSON")
    ev.add_argument("--split", default="valid")
    ev.add_argument(
        "--no-dedupe",
        action="store_true",
        help="keep images that nearly duplicate a training image",
    )
    ev.add_argument(
        "--limit", type=_positive_int, default=None, help="only the first N images of the split"
    )
    ev.set_defaults(func=_evaluate)


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from exc
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return number


def _data_ok(path: Path) -> bool:
    if (path / "train" / "images").is_dir() or (path / "valid" / "images").is_dir():
        return True
    print(f"{path}: not a YOLO-format folder (no train/images or valid/images)", file=sys.stderr)
    return False


def _train(args: argparse.Namespace) -> int:
    try:
        import onnx  # noqa: F401  (the export needs it; fail before hours of training)
        import torch  # noqa: F401
    except ImportError:
        print(MISSING_TRAIN_EXTRA, file=sys.stderr)
        return 2
    from sunshine.workers.vision.training.dataset import DatasetError
    from sunshine.workers.vision.training.train import (
        TrainConfig,
        export_checkpoint,
        train,
    )

    if args.out.suffix != ".onnx":
        print(f"--out must name a .onnx file, got {args.out}", file=sys.stderr)
        return 2
    for option, path in (
        ("--backbone", args.backbone),
        ("--resume", args.resume),
        ("--export-checkpoint", args.export_checkpoint),
    ):
        if path is not None and not path.is_file():
            print(f"{option} {path} does not exist", file=sys.stderr)
            return 2
    if args.export_checkpoint is not None:
        export_checkpoint(args.export_checkpoint, args.out)
        print(f"exported {args.out} from {args.export_checkpoint}")
        return 0
    if args.epochs is None or args.data is None:
        print("--data and --epochs are required for training", file=sys.stderr)
        return 2
    if not _data_ok(args.data):
        return 2
    config = TrainConfig(
        data=args.data,
        out=args.out,
        epochs=args.epochs,
        batch=args.batch,
        backbone=args.backbone,
        device=args.device,
        threads=args.threads,
        resume=args.resume,
        work_dir=args.work_dir,
        seed=args.seed,
        lr=args.lr,
    )
    try:
        train(config, log=lambda line: print(line, flush=True))
    except (DatasetError, ValueError) as exc:
        print(f"training failed: {exc}", file=sys.stderr)
        return 2
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from sunshine.workers.vision.training.dataset import DatasetError
    from sunshine.workers.vision.training.evaluate import evaluate_onnx, write_result

    if not _data_ok(args.data):
        return 2
    try:
        result = evaluate_onnx(
            data_dir=args.data,
            model=args.model,
            split=args.split,
            dedupe=not args.no_dedupe,
            limit=args.limit,
        )
    except (DatasetError, FileNotFoundError) as exc:
        print(f"evaluation failed: {exc}", file=sys.stderr)
        return 2
    write_result(result, args.out)
    for name, metrics in result["per_class"].items():
        best = metrics["best_f1"]
        print(
            json.dumps(
                {
                    "class": name,
                    "images": result["images"],
                    "ap50": metrics["ap50"],
                    "best_f1": best,
                    "at": metrics["at"],
                }
            )
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sunshine.workers.vision.training.commands")
    add_training_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
