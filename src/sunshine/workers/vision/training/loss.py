"""Detection loss for the single-head FastestDet parametrisation (our own code).

Follows the ideas of upstream ``module/loss.py`` (dog-qiuqiu/FastestDet, BSD-3):
- positives: the cell holding a box centre and its right, lower and lower-right neighbours
  (``tanh`` offsets reach one cell either way, so each can predict the centre);
- the candidates of one box whose IoU is at least that box's mean candidate IoU are kept as
  positives; the others are ignored rather than pushed to background (upstream pushes them
  to 0, which fights the box branch of cells that are nearly right);
- box loss: 1 - CIoU (upstream uses SIoU; CIoU is the simpler variant of the same idea);
- objectness is IoU-aware: its target on a positive is the (detached) IoU of the predicted
  box, so the score ranks by localisation quality; positives and background are averaged
  separately and weighted 1:3 (upstream's 0.25/0.75 balance), BCE on logits;
- class loss: cross-entropy on the positives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

BOX_WEIGHT = 8.0
OBJ_WEIGHT = 16.0
CLS_WEIGHT = 1.0


@dataclass(frozen=True)
class LossParts:
    total: torch.Tensor
    box: float
    obj: float
    cls: float
    positives: int


def _boxes(raw: torch.Tensor, gx: torch.Tensor, gy: torch.Tensor, w: int, h: int) -> torch.Tensor:
    """Boxes (cx, cy, w, h) normalised to the image from raw (tx, ty, w, h logits) at cells."""
    cx = (gx.float() + torch.tanh(raw[:, 0])) / w
    cy = (gy.float() + torch.tanh(raw[:, 1])) / h
    bw = torch.sigmoid(raw[:, 2])
    bh = torch.sigmoid(raw[:, 3])
    return torch.stack((cx, cy, bw, bh), 1)


def box_iou_pairs(
    a: torch.Tensor, b: torch.Tensor, eps: float = 1e-7
) -> tuple[torch.Tensor, torch.Tensor]:
    """Element-wise IoU and CIoU of two P x 4 (cx, cy, w, h) tensors."""
    ax1, ax2 = a[:, 0] - a[:, 2] / 2, a[:, 0] + a[:, 2] / 2
    ay1, ay2 = a[:, 1] - a[:, 3] / 2, a[:, 1] + a[:, 3] / 2
    bx1, bx2 = b[:, 0] - b[:, 2] / 2, b[:, 0] + b[:, 2] / 2
    by1, by2 = b[:, 1] - b[:, 3] / 2, b[:, 1] + b[:, 3] / 2
    inter = (torch.min(ax2, bx2) - torch.max(ax1, bx1)).clamp(0) * (
        torch.min(ay2, by2) - torch.max(ay1, by1)
    ).clamp(0)
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter + eps
    iou = inter / union
    # CIoU: centre distance over the enclosing box diagonal, plus an aspect-ratio term.
    cw = torch.max(ax2, bx2) - torch.min(ax1, bx1)
    ch = torch.max(ay2, by2) - torch.min(ay1, by1)
    diag = cw**2 + ch**2 + eps
    dist = (a[:, 0] - b[:, 0]) ** 2 + (a[:, 1] - b[:, 1]) ** 2
    v = (4 / math.pi**2) * (
        torch.atan(b[:, 2] / (b[:, 3] + eps)) - torch.atan(a[:, 2] / (a[:, 3] + eps))
    ) ** 2
    with torch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return iou, iou - dist / diag - alpha * v


def detection_loss(raw: torch.Tensor, targets: torch.Tensor) -> LossParts:
    """``raw``: N x (5+C) x H x W head output (logits); ``targets``: M x 6 rows of
    (image index in batch, class, cx, cy, w, h), normalised."""
    _, channels, h, w = raw.shape
    pred = raw.permute(0, 2, 3, 1)  # N x H x W x (5+C)
    obj_logit = pred[..., 0]
    device = raw.device

    tobj = torch.zeros_like(obj_logit)
    weight = torch.ones_like(obj_logit)  # 1 = background, 0 = ignored, set for positives below
    box_loss = raw.new_zeros(())
    cls_loss = raw.new_zeros(())
    positives = 0

    if targets.shape[0] > 0:
        offsets = torch.tensor([[0, 0], [1, 0], [0, 1], [1, 1]], device=device)
        m = targets.shape[0]
        centre = targets[:, 2:4] * torch.tensor([w, h], device=device, dtype=targets.dtype)
        cells = centre.long().clamp_max(torch.tensor([w - 1, h - 1], device=device))
        cand = cells[:, None, :] + offsets[None]  # M x 4 x 2
        owner = torch.arange(m, device=device)[:, None].expand(m, 4)
        inside = (cand[..., 0] < w) & (cand[..., 1] < h)
        gx, gy, owner = cand[..., 0][inside], cand[..., 1][inside], owner[inside]
        b = targets[owner, 0].long()
        gt_box = targets[owner, 2:6]

        pbox = _boxes(pred[b, gy, gx, 1:5], gx, gy, w, h)
        iou, ciou = box_iou_pairs(pbox, gt_box)

        # Keep, per box, the candidates at least as good as that box's mean candidate.
        with torch.no_grad():
            sums = torch.zeros(m, device=device).index_add_(0, owner, iou.detach())
            counts = torch.zeros(m, device=device).index_add_(0, owner, torch.ones_like(iou))
            keep = iou.detach() >= (sums / counts)[owner] - 1e-6
        # Every candidate cell is excluded from background; kept ones become positives.
        weight[b, gy, gx] = 0.0
        b, gx, gy = b[keep], gx[keep], gy[keep]
        positives = int(keep.sum())
        box_loss = (1.0 - ciou[keep]).mean()
        tobj[b, gy, gx] = iou[keep].detach().clamp(0, 1)
        weight[b, gy, gx] = 2.0  # marks positives (split out below)
        if channels > 6:
            cls_loss = F.cross_entropy(pred[b, gy, gx, 5:], targets[owner[keep], 1].long())

    bce = F.binary_cross_entropy_with_logits(obj_logit, tobj, reduction="none")
    pos_mask = weight == 2.0
    neg_mask = weight == 1.0
    obj_loss = 0.75 * bce[neg_mask].mean()
    if bool(pos_mask.any()):
        obj_loss = obj_loss + 0.25 * bce[pos_mask].mean()

    total = BOX_WEIGHT * box_loss + OBJ_WEIGHT * obj_loss + CLS_WEIGHT * cls_loss
    return LossParts(
        total=total,
        box=float(box_loss.detach()),
        obj=float(obj_loss.detach()),
        cls=float(cls_loss.detach()),
        positives=positives,
    )
