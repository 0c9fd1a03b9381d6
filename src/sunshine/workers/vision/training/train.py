"""Training loop: cached images, augmentation, AdamW with warm-up and cosine decay, EMA weights,
a checkpoint and a validation line every epoch, ONNX export of the EMA weights at the end.

Deterministic for a given seed on one machine and thread count (shuffling and augmentation
draw from ``numpy.random.default_rng(seed, epoch)``; torch is seeded); CPU float maths may
still differ between machines.
"""

from __future__ import annotations

import copy
import json
import math
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from sunshine.workers.vision.training import evaluate
from sunshine.workers.vision.training.dataset import (
    AugmentConfig,
    DatasetError,
    Sample,
    augment,
    cache_images,
    load_split,
    read_class_names,
)
from sunshine.workers.vision.training.export import export_onnx
from sunshine.workers.vision.training.loss import detection_loss
from sunshine.workers.vision.training.model import INPUT_SIZE, FastestDet


@dataclass
class TrainConfig:
    data: Path
    out: Path
    epochs: int
    batch: int = 32
    backbone: Path | None = None
    device: str = "cpu"
    threads: int | None = None
    resume: Path | None = None
    work_dir: Path | None = None
    seed: int = 0
    lr: float = 2e-3
    weight_decay: float = 5e-4
    warmup_epochs: float = 2.0
    final_lr_ratio: float = 0.02
    ema_decay: float = 0.999
    validate_every: int = 1
    limit: int | None = None  # only the first N training images (smoke tests)
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    def checkpoint_dir(self) -> Path:
        return self.work_dir or Path("var") / "training" / self.out.stem


class EMA:
    """Exponential moving average of the weights; what is validated and exported."""

    def __init__(self, model: FastestDet, decay: float, updates: int = 0) -> None:
        self.model = copy.deepcopy(model).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.decay = decay
        self.updates = updates

    def update(self, model: FastestDet) -> None:
        self.updates += 1
        # Ramp the decay up so the first few hundred steps are not dominated by the init.
        d = self.decay * (1 - math.exp(-self.updates / 300))
        with torch.no_grad():
            live = model.state_dict()
            for name, value in self.model.state_dict().items():
                if value.dtype.is_floating_point:
                    value.mul_(d).add_(live[name].detach(), alpha=1 - d)
                else:
                    value.copy_(live[name])


def lr_at(step: int, total: int, warmup: int, config: TrainConfig) -> float:
    if step < warmup:
        return config.lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    floor = config.lr * config.final_lr_ratio
    return floor + (config.lr - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def make_batch(
    images: npt.NDArray[np.uint8],
    samples: list[Sample],
    indexes: npt.NDArray[np.int64],
    rng: np.random.Generator,
    config: AugmentConfig | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    pixels = np.empty((len(indexes), *images.shape[1:]), dtype=np.uint8)
    rows: list[npt.NDArray[np.float32]] = []
    for slot, i in enumerate(indexes):
        image, boxes = images[i], samples[i].boxes
        if config is not None:
            image, boxes = augment(image, boxes, rng, config)
        pixels[slot] = image
        if len(boxes):
            rows.append(np.concatenate([np.full((len(boxes), 1), slot, np.float32), boxes], axis=1))
    tensor = torch.from_numpy(pixels).permute(0, 3, 1, 2).float().div_(255.0)
    targets = torch.from_numpy(np.concatenate(rows)) if rows else torch.zeros((0, 6))
    return tensor.contiguous(), targets


@dataclass
class _Data:
    names: list[str]
    samples: list[Sample]
    images: npt.NDArray[np.uint8]
    valid: evaluate.EvalSplit | None


@dataclass
class _Run:
    model: FastestDet
    optimizer: torch.optim.Optimizer
    ema: EMA
    history: list[dict[str, Any]]
    start_epoch: int
    elapsed_before: float


def _load_data(config: TrainConfig, log: Callable[[str], None]) -> _Data:
    names = read_class_names(config.data)
    samples = load_split(config.data, "train", len(names) if names else None)
    if config.limit is not None:
        samples = samples[: config.limit]
    if names is None:
        top = max((int(s.boxes[:, 0].max()) for s in samples if len(s.boxes)), default=0)
        names = [str(i) for i in range(top + 1)]
    if not any(len(s.boxes) for s in samples):
        raise DatasetError(f"{config.data}/train has no labelled boxes")

    started = time.monotonic()
    log(f"caching {len(samples)} training images at {INPUT_SIZE}px")
    images = cache_images(samples, INPUT_SIZE)
    valid = None
    if (config.data / "valid" / "images").is_dir() and config.validate_every > 0:
        valid = evaluate.prepare_split(config.data, split="valid", train_images=images)
        log(
            f"valid: {len(valid.samples)} images, {len(valid.removed)} near-duplicates of "
            f"training images removed: {valid.removed}"
        )
    log(f"cached in {time.monotonic() - started:.0f}s")
    return _Data(names, samples, images, valid)


def _set_up(
    config: TrainConfig, num_classes: int, device: torch.device, log: Callable[[str], None]
) -> _Run:
    model = FastestDet(num_classes)
    if config.backbone is not None:
        loaded = model.load_backbone(config.backbone)
        log(f"backbone: {loaded} tensors from {config.backbone}")
    model.to(device)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    run = _Run(model, optimizer, EMA(model, config.ema_decay), [], 0, 0.0)
    if config.resume is not None:
        state = torch.load(config.resume, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        run.ema.model.load_state_dict(state["ema"])
        run.ema.updates = int(state["ema_updates"])
        optimizer.load_state_dict(state["optimizer"])
        run.start_epoch = int(state["epoch"]) + 1
        run.history = list(state["history"])
        run.elapsed_before = float(state.get("elapsed_s", 0.0))
        log(f"resumed from {config.resume} after epoch {run.start_epoch}")
    return run


def _train_epoch(
    config: TrainConfig, data: _Data, run: _Run, epoch: int, device: torch.device
) -> dict[str, Any]:
    steps_per_epoch = len(data.samples) // config.batch or 1
    total_steps = steps_per_epoch * config.epochs
    warmup = max(1, int(config.warmup_epochs * steps_per_epoch))
    t0 = time.monotonic()
    run.model.train()
    rng = np.random.default_rng([config.seed, epoch])
    order = rng.permutation(len(data.samples))
    sums = {"loss": 0.0, "box": 0.0, "obj": 0.0, "cls": 0.0}
    lr = config.lr
    for step_in_epoch in range(steps_per_epoch):
        step = epoch * steps_per_epoch + step_in_epoch
        lr = lr_at(step, total_steps, warmup, config)
        for group in run.optimizer.param_groups:
            group["lr"] = lr
        idx = order[step_in_epoch * config.batch : (step_in_epoch + 1) * config.batch]
        images, targets = make_batch(data.images, data.samples, idx, rng, config.augment)
        parts = detection_loss(run.model(images.to(device)), targets.to(device))
        run.optimizer.zero_grad(set_to_none=True)
        torch.autograd.backward(parts.total)
        torch.nn.utils.clip_grad_norm_(run.model.parameters(), 10.0)
        run.optimizer.step()
        run.ema.update(run.model)
        sums["loss"] += float(parts.total.detach())
        sums["box"] += parts.box
        sums["obj"] += parts.obj
        sums["cls"] += parts.cls
    return {
        "epoch": epoch + 1,
        "lr": round(lr, 6),
        **{k: round(v / steps_per_epoch, 4) for k, v in sums.items()},
        "train_s": round(time.monotonic() - t0, 1),
    }


def train(config: TrainConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train, checkpoint every epoch, export ``config.out``; returns the run summary."""
    if config.epochs < 1 or config.batch < 1:
        raise ValueError("epochs and batch must be at least 1")
    if config.device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("--device cuda asked for, but this torch build has no CUDA device")
    import cv2

    cv2.setNumThreads(1)
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    device = torch.device(config.device)

    data = _load_data(config, log)
    num_classes = len(data.names)
    run = _set_up(config, num_classes, device, log)
    ckpt_dir = config.checkpoint_dir()
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    best_ap = max((h.get("ap50", -1.0) for h in run.history), default=-1.0)
    train_started = time.monotonic()

    for epoch in range(run.start_epoch, config.epochs):
        row = _train_epoch(config, data, run, epoch, device)
        if data.valid is not None and (
            (epoch + 1) % config.validate_every == 0 or epoch + 1 == config.epochs
        ):
            row.update(_validate(run.ema.model, data.valid, num_classes, device))
        run.history.append(row)
        state = {
            "model": run.model.state_dict(),
            "ema": run.ema.model.state_dict(),
            "ema_updates": run.ema.updates,
            "optimizer": run.optimizer.state_dict(),
            "epoch": epoch,
            "history": run.history,
            "elapsed_s": run.elapsed_before + time.monotonic() - train_started,
            "class_names": data.names,
            "config": _jsonable(config),
        }
        torch.save(state, ckpt_dir / "last.pt")
        if row.get("ap50", -1.0) > best_ap:
            best_ap = row["ap50"]
            torch.save(state, ckpt_dir / "best.pt")
        log(json.dumps(row))

    elapsed = run.elapsed_before + time.monotonic() - train_started
    summary = {
        "epochs": config.epochs,
        "elapsed_s": round(elapsed, 1),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "python": sys.version.split()[0],
        "class_names": data.names,
        "train_images": len(data.samples),
        "history": run.history,
        "config": _jsonable(config),
    }
    export_final(run.ema.model, config.out, data.names)
    (ckpt_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    log(f"exported {config.out} after {config.epochs} epochs in {elapsed / 60:.1f} min")
    return summary


def export_final(model: FastestDet, out: Path, names: list[str]) -> None:
    export_onnx(copy.deepcopy(model).cpu(), out, class_names=names)


def export_checkpoint(checkpoint: Path, out: Path) -> None:
    """Export the EMA weights of a checkpoint (to ship a run stopped before its last epoch)."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    names = list(state["class_names"])
    model = FastestDet(len(names))
    model.load_state_dict(state["ema"])
    export_final(model, out, names)


def _validate(
    model: FastestDet, valid: evaluate.EvalSplit, num_classes: int, device: torch.device
) -> dict[str, float]:
    from sunshine.workers.vision.training.model import activate

    model.eval()

    def predict(batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        with torch.no_grad():
            out = activate(model(torch.from_numpy(batch).to(device)))
        return out.cpu().numpy().astype(np.float32)

    detections = evaluate.predict_split(predict, valid, batch=32)
    metrics = evaluate.score_detections(detections, [s.boxes for s in valid.samples], num_classes)
    return {
        f"val_{k}" if k != "ap50" else k: round(v, 4) for k, v in evaluate.summary(metrics).items()
    }


def _jsonable(config: TrainConfig) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(asdict(config), default=str))
    return result
