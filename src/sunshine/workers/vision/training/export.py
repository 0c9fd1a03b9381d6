"""ONNX export of a trained detector, checked against ONNX Runtime before it replaces the file.

Contract (the runtime decoder in ``sunshine.workers.vision.detectors.fastestdet`` reads it):
input ``images`` 1x3x352x352 float32, BGR, /255, plain resize; output ``output``
1x(5+C)x22x22 with objectness and w/h after sigmoid, tx/ty raw, classes after softmax.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

from sunshine.workers.vision.training.model import INPUT_SIZE, ExportWrapper, FastestDet

OPSET = 13
INPUT_NAME = "images"
OUTPUT_NAME = "output"


def export_onnx(
    model: FastestDet,
    path: Path,
    *,
    class_names: list[str],
    size: int = INPUT_SIZE,
    metadata: dict[str, str] | None = None,
) -> None:
    """Write ``path`` atomically; raises if ONNX Runtime disagrees with torch on the output."""
    import onnx
    import onnxruntime as ort

    wrapper = ExportWrapper(model).cpu().eval()
    example = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(0))
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        staged = Path(tmp) / path.name
        with warnings.catch_warnings():
            # The TorchScript exporter is chosen on purpose (small static graph, no onnxscript);
            # torch warns that it is the legacy path.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="torch")
            warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export")
            _export(wrapper, example, staged)
        proto = onnx.load(str(staged))
        props = {
            "class_names": json.dumps(class_names),
            "input_size": str(size),
            "layout": "fastestdet: obj sigmoid, txty raw (tanh), wh sigmoid, cls softmax",
        }
        props.update(metadata or {})
        for key, value in props.items():
            entry = proto.metadata_props.add()
            entry.key, entry.value = key, value
        onnx.checker.check_model(proto)
        onnx.save(proto, str(staged))

        session = ort.InferenceSession(str(staged), providers=["CPUExecutionProvider"])
        got = session.run(None, {INPUT_NAME: example.numpy()})[0]
        with torch.no_grad():
            want = wrapper(example).numpy()
        grid = size // 16
        expected = (1, 5 + model.num_classes, grid, grid)
        if got.shape != expected:
            raise RuntimeError(f"exported output shape {got.shape}, expected {expected}")
        diff = float(np.abs(got - want).max())
        if diff > 1e-3:
            raise RuntimeError(f"ONNX Runtime output differs from torch by {diff:.2e}")
        staged.replace(path)


def _export(wrapper: ExportWrapper, example: torch.Tensor, target: Path) -> None:
    torch.onnx.export(
        wrapper,
        (example,),
        str(target),
        dynamo=False,  # the TorchScript exporter: one small self-contained file
        opset_version=OPSET,
        input_names=[INPUT_NAME],
        output_names=[OUTPUT_NAME],
        do_constant_folding=True,
    )
