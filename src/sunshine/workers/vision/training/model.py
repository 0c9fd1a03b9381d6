"""FastestDet-shaped detector (our own code; architecture after dog-qiuqiu/FastestDet, BSD-3).

ShuffleNetV2 backbone (stages of 4, 8 and 4 blocks, 24/48/96/192 channels), the three
backbone outputs brought to stride 16 and concatenated, an SPP-like neck of stacked 5x5
depthwise convolutions, and one head at stride 16 (22x22 cells for a 352 input).

The module attribute names of the backbone match upstream's ImageNet checkpoint
(`shufflenetv2.pth`) so that it loads strictly.

In training mode the head returns raw values (logits) because the loss works on logits for
numerical stability; `ExportWrapper` applies the activations that the ONNX contract fixes:
channel 0 objectness after sigmoid, 1-2 tx/ty raw (the decoder applies tanh), 3-4 w/h after
sigmoid, 5.. class scores after softmax.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

INPUT_SIZE = 352
STRIDE = 16
GRID = INPUT_SIZE // STRIDE
STAGE_REPEATS = (4, 8, 4)
STAGE_CHANNELS = (24, 48, 96, 192)
NECK_CHANNELS = 96


def _conv_bn(cin: int, cout: int, k: int, *, stride: int = 1, groups: int = 1) -> list[nn.Module]:
    return [
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]


class ShuffleBlock(nn.Module):
    """A ShuffleNetV2 unit: stride 2 halves the map and runs two branches on the whole input;
    stride 1 splits the channels, transforms one half and shuffles them back together."""

    def __init__(self, cin: int, cout: int, *, stride: int) -> None:
        super().__init__()
        self.stride = stride
        mid = cout // 2
        branch_out = cout - cin
        # Index layout (0..7) mirrors upstream so the pretrained state dict keys match.
        self.branch_main = nn.Sequential(
            *_conv_bn(cin, mid, 1),
            nn.ReLU(inplace=True),
            *_conv_bn(mid, mid, 3, stride=stride, groups=mid),
            *_conv_bn(mid, branch_out, 1),
            nn.ReLU(inplace=True),
        )
        self.branch_proj: nn.Sequential | None = None
        if stride == 2:
            self.branch_proj = nn.Sequential(
                *_conv_bn(cin, cin, 3, stride=2, groups=cin),
                *_conv_bn(cin, cin, 1),
                nn.ReLU(inplace=True),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.branch_proj is not None:
            return torch.cat((self.branch_proj(x), self.branch_main(x)), 1)
        kept, transformed = _split_interleaved(x)
        return torch.cat((kept, self.branch_main(transformed)), 1)


def _split_interleaved(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Channel shuffle and split in one step: even channels stay, odd channels are transformed.

    Written with reshape/permute on static sizes so the ONNX export stays a few plain ops.
    """
    b, c, h, w = x.shape
    y = x.reshape(b * c // 2, 2, h * w).permute(1, 0, 2).reshape(2, -1, c // 2, h, w)
    return y[0], y[1]


class ShuffleNetV2(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.first_conv = nn.Sequential(
            *_conv_bn(3, STAGE_CHANNELS[0], 3, stride=2), nn.ReLU(inplace=True)
        )
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        cin = STAGE_CHANNELS[0]
        stages: list[nn.Sequential] = []
        for repeats, cout in zip(STAGE_REPEATS, STAGE_CHANNELS[1:], strict=True):
            blocks: list[nn.Module] = [ShuffleBlock(cin, cout, stride=2)]
            blocks += [ShuffleBlock(cout // 2, cout, stride=1) for _ in range(repeats - 1)]
            stages.append(nn.Sequential(*blocks))
            cin = cout
        self.stage2, self.stage3, self.stage4 = stages

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = self.maxpool(self.first_conv(x))
        p1 = self.stage2(x)  # stride 8
        p2 = self.stage3(p1)  # stride 16
        p3 = self.stage4(p2)  # stride 32
        return p1, p2, p3


def _dw5(channels: int, depth: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    for _ in range(depth):
        layers += [*_conv_bn(channels, channels, 5, groups=channels), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


class Neck(nn.Module):
    """SPP-like neck: a 1x1 squeeze, then three paths of 1, 2 and 3 stacked 5x5 depthwise
    convolutions (receptive fields growing like SPP's pools), merged with a residual."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.squeeze = nn.Sequential(*_conv_bn(cin, cout, 1), nn.ReLU(inplace=True))
        self.paths = nn.ModuleList([_dw5(cout, depth) for depth in (1, 2, 3)])
        self.merge = nn.Sequential(*_conv_bn(cout * 3, cout, 1))
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.squeeze(x)
        y = torch.cat([path(x) for path in self.paths], 1)
        out: torch.Tensor = self.act(x + self.merge(y))
        return out


class _Branch(nn.Sequential):
    """A 5x5 depthwise + 1x1 projection ending in BatchNorm (its affine shift acts as bias)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__(
            *_conv_bn(cin, cin, 5, groups=cin),
            nn.ReLU(inplace=True),
            *_conv_bn(cin, cout, 1),
        )


class Head(nn.Module):
    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.stem = nn.Sequential(*_conv_bn(channels, channels, 1), nn.ReLU(inplace=True))
        self.obj = _Branch(channels, 1)
        self.reg = _Branch(channels, 4)
        self.cls = _Branch(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        return torch.cat((self.obj(x), self.reg(x), self.cls(x)), 1)


class FastestDet(nn.Module):
    """Returns raw head values of shape N x (5 + classes) x H/16 x W/16."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        if num_classes < 1:
            raise ValueError(f"num_classes must be at least 1, got {num_classes}")
        self.num_classes = num_classes
        self.backbone = ShuffleNetV2()
        self.upsample = nn.Upsample(scale_factor=2, mode="nearest")
        self.downsample = nn.AvgPool2d(kernel_size=3, stride=2, padding=1)
        self.neck = Neck(sum(STAGE_CHANNELS[1:]), NECK_CHANNELS)
        self.head = Head(NECK_CHANNELS, num_classes)
        self._init_head_bias()

    def _init_head_bias(self) -> None:
        # Start with objectness near 0.01 so the first steps are not swamped by the 480-odd
        # background cells per image (same reasoning as RetinaNet's prior bias).
        last_bn = self.head.obj[-1]
        assert isinstance(last_bn, nn.BatchNorm2d)
        nn.init.constant_(last_bn.bias, -4.6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p1, p2, p3 = self.backbone(x)
        fused = torch.cat((self.downsample(p1), p2, self.upsample(p3)), 1)
        out: torch.Tensor = self.head(self.neck(fused))
        return out

    def load_backbone(self, path: Path) -> int:
        """Load an ImageNet ShuffleNetV2 state dict strictly; returns the tensor count."""
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict):
            raise ValueError(f"{path} is not a PyTorch state dict")
        self.backbone.load_state_dict(state, strict=True)
        return len(state)


def activate(raw: torch.Tensor) -> torch.Tensor:
    """Apply the ONNX contract's activations to raw head values (N x (5+C) x H x W)."""
    obj = torch.sigmoid(raw[:, 0:1])
    txty = raw[:, 1:3]
    wh = torch.sigmoid(raw[:, 3:5])
    cls = torch.softmax(raw[:, 5:], dim=1)
    return torch.cat((obj, txty, wh, cls), 1)


class ExportWrapper(nn.Module):
    """What goes into the ONNX file: the detector followed by the contract's activations."""

    def __init__(self, model: FastestDet) -> None:
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        raw: torch.Tensor = self.model(images)
        return activate(raw)
