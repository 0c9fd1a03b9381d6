"""The detector models the product knows, as data: files, upstream, decoding and trust.

Third-party weights are never committed: each file is found under ``SUNSHINE_MODELS_DIR`` as
``<folder>/<file>`` (the layout of ``../shared/models``) or fetched from its upstream address,
pinned to a commit and checked against its sha256. The smoking model is ours and ships inside
the package (``sunshine/kitchen/models``).

A class whose precision after N-of-M confirmation has not been measured at 90% or more raises
"suspected" alerts, not "violation" alerts (issue 6 section 3): ``ModelEntry.alert_kind``.

A bureau adds its own model (chef hats, work clothes, rodents, ...) without code: an ONNX file
in the FastestDet layout plus ``<models_dir>/<name>/model.json``, read when the model store
starts (see ``BureauManifest`` and docs/models/README.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Runtime = Literal["onnxruntime", "opencv-darknet", "opencv-caffe"]
Decoder = Literal["fastestdet", "yolo", "ssd-aizoo"]
# Where in a frame a model looks: the whole frame, or a crop derived from each person box.
# "head": the padded top of the box (faces: masks, hats); "upper": head and hands (smoking);
# "person": the whole padded box (phones, work clothes).
Region = Literal["frame", "head", "upper", "person"]
AlertKind = Literal["violation", "suspected"]

# Precision after confirmation at or above this makes a class's alerts violations.
VIOLATION_PRECISION = 0.90
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
MANIFEST_FILE = "model.json"

_FASTESTDET = "https://raw.githubusercontent.com/dog-qiuqiu/FastestDet/50473cd155cb088aa4a99e64ff6a4b3c24fa07e1"
_YOLO_FASTEST = "https://raw.githubusercontent.com/dog-qiuqiu/Yolo-Fastest/96a2900d163196c396e73f3fdab04ca4dd9a2f70"
_AIZOO = "https://raw.githubusercontent.com/AIZOOTech/FaceMaskDetection/256dc65f726cb78d82936b2c61c55a5adc2cf05d"


@dataclass(frozen=True, slots=True)
class ModelFile:
    """One file a model needs.

    ``path`` is ``<folder>/<file>`` under the models folder, or, for a ``shipped`` file, a file
    name under the package's ``kitchen/models``. ``sha256`` is ``None`` only for shipped files
    (the package's own record covers them) and they are never fetched.
    """

    role: str  # "onnx", "cfg", "weights", "prototxt", "caffemodel"
    path: str
    sha256: str | None = None
    size: int | None = None
    url: str | None = None
    shipped: bool = False


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """A model: how to load and decode it, what it finds, and how far its alerts are trusted."""

    name: str
    description: str
    runtime: Runtime
    decoder: Decoder
    input_size: int
    # (model class index, our class name): only these classes are reported.
    class_map: tuple[tuple[int, str], ...]
    confidence: float
    nms_iou: float
    region: Region
    files: tuple[ModelFile, ...] = ()
    card: str = ""
    licence: str = ""
    upstream: str = ""
    # Measured precision after confirmation (0..1); None = not measured.
    precision: float | None = None
    # FastestDet decoding: apply the sigmoid to width/height (upstream's export leaves it out
    # of the graph; an export that applies it in the graph sets this False).
    wh_sigmoid: bool = True

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(cls for _, cls in self.class_map))

    @property
    def alert_kind(self) -> AlertKind:
        if self.precision is not None and self.precision >= VIOLATION_PRECISION:
            return "violation"
        return "suspected"


BUILTIN: tuple[ModelEntry, ...] = (
    ModelEntry(
        name="person",
        description="FastestDet (COCO), person class; the default person detector",
        runtime="onnxruntime",
        decoder="fastestdet",
        input_size=352,
        class_map=((0, "person"),),
        confidence=0.65,
        nms_iou=0.35,
        region="frame",
        files=(
            ModelFile(
                role="onnx",
                path="fastestdet/FastestDet.onnx",
                sha256="31cb14c017fce347cb4c846ec62fdf00d76bb3beecdf4be21e7116ac67feb880",
                size=998169,
                url=f"{_FASTESTDET}/example/onnx-runtime/FastestDet.onnx",
            ),
        ),
        card="docs/models/person.md",
        licence="BSD-3-Clause",
        upstream="https://github.com/dog-qiuqiu/FastestDet",
    ),
    ModelEntry(
        name="person-body",
        description="Yolo-Fastest 1.1 body: persons only, more complete than FastestDet, 2x cost",
        runtime="opencv-darknet",
        decoder="yolo",
        input_size=320,
        class_map=((0, "person"),),
        confidence=0.5,
        nms_iou=0.45,
        region="frame",
        files=(
            ModelFile(
                role="cfg",
                path="yolo-fastest-1.1/yolo-fastest-1.1_body.cfg",
                sha256="045b8e276ebe3924474da8c866b7e709159ea067137b5d66bf9dd560411b2c1a",
                size=9679,
                url=f"{_YOLO_FASTEST}/ModelZoo/yolo-fastest-1.1_body/yolo-fastest-1.1_body.cfg",
            ),
            ModelFile(
                role="weights",
                path="yolo-fastest-1.1/yolo-fastest-1.1_body.weights",
                sha256="5bbb6d878f6e2eb3deee39e91dc6f9b39700e99ec83fa94d258670a554949728",
                size=1177604,
                url=f"{_YOLO_FASTEST}/ModelZoo/yolo-fastest-1.1_body/yolo-fastest-1.1_body.weights",
            ),
        ),
        card="docs/models/person-body.md",
        licence="YOLO LICENSE v2 (public domain)",
        upstream="https://github.com/dog-qiuqiu/Yolo-Fastest",
    ),
    ModelEntry(
        name="mask",
        description="AIZOO face-mask SSD: faces with (mask) and without (no_mask) a mask",
        runtime="opencv-caffe",
        decoder="ssd-aizoo",
        input_size=260,
        class_map=((0, "mask"), (1, "no_mask")),
        confidence=0.5,
        nms_iou=0.4,
        region="head",
        files=(
            ModelFile(
                role="prototxt",
                path="aizoo-facemask/face_mask_detection.prototxt",
                sha256="8de363802d3557f3d9ff7e72dd61eead60f5e9e145bb962d7979b99ff85d4212",
                size=13490,
                url=f"{_AIZOO}/models/face_mask_detection.prototxt",
            ),
            ModelFile(
                role="caffemodel",
                path="aizoo-facemask/face_mask_detection.caffemodel",
                sha256="3c2e89cffdc9459a69dd5c2e4c1ca263e6488a56a5a37d81ca2ff32344fbf740",
                size=4053526,
                url=f"{_AIZOO}/models/face_mask_detection.caffemodel",
            ),
        ),
        card="docs/models/mask.md",
        licence="MIT",
        upstream="https://github.com/AIZOOTech/FaceMaskDetection",
    ),
    ModelEntry(
        name="phone",
        description="FastestDet (COCO) 'cell phone' class, run on person crops",
        runtime="onnxruntime",
        decoder="fastestdet",
        input_size=352,
        class_map=((67, "cell_phone"),),
        confidence=0.5,
        nms_iou=0.35,
        region="person",
        files=(
            ModelFile(
                role="onnx",
                path="fastestdet/FastestDet.onnx",
                sha256="31cb14c017fce347cb4c846ec62fdf00d76bb3beecdf4be21e7116ac67feb880",
                size=998169,
                url=f"{_FASTESTDET}/example/onnx-runtime/FastestDet.onnx",
            ),
        ),
        card="docs/models/phone.md",
        licence="BSD-3-Clause",
        upstream="https://github.com/dog-qiuqiu/FastestDet",
    ),
    ModelEntry(
        name="smoking",
        description="our FastestDet-architecture cigarette detector, run on person crops",
        runtime="onnxruntime",
        decoder="fastestdet",
        input_size=352,
        class_map=((0, "cigarette"),),
        # The threshold of best F1 on the held-out images (docs/models/smoking-eval.json:
        # precision 0.71, recall 0.54 per box there): alerts stay "suspected".
        confidence=0.65,
        nms_iou=0.35,
        region="upper",
        files=(
            ModelFile(
                role="onnx",
                path="smoking-fastestdet-352.onnx",
                shipped=True,
                sha256="e375b4eebff0b5546917b77f4c34dab27bbacb31196f5b1c35b8e51316d7f5a5",
                size=992013,
            ),
        ),
        card="docs/models/smoking.md",
        licence="Apache-2.0 (weights); trained on Roboflow Smoking Detection v3, CC BY 4.0",
        upstream="sunshine (trained by `sunshine vision train`)",
        # The training export applies the width/height sigmoid inside the graph.
        wh_sigmoid=False,
    ),
    ModelEntry(
        name="no_hat",
        description="staff without a chef hat: no model ships; a bureau may add one",
        runtime="onnxruntime",
        decoder="fastestdet",
        input_size=352,
        class_map=((0, "no_hat"),),
        confidence=0.5,
        nms_iou=0.35,
        region="head",
    ),
    ModelEntry(
        name="no_work_clothes",
        description="staff without work clothes: no model ships; a bureau may add one",
        runtime="onnxruntime",
        decoder="fastestdet",
        input_size=352,
        class_map=((0, "no_work_clothes"),),
        confidence=0.5,
        nms_iou=0.35,
        region="person",
    ),
    ModelEntry(
        name="rodent",
        description="rats and mice: no model ships; a bureau may add one",
        runtime="onnxruntime",
        decoder="fastestdet",
        input_size=352,
        class_map=((0, "rodent"),),
        confidence=0.5,
        nms_iou=0.35,
        region="frame",
    ),
)


class BureauManifestError(ValueError):
    """A ``model.json`` that cannot be used; the text says which file and what is wrong."""


class BureauManifest(BaseModel):
    """``<models_dir>/<name>/model.json``: a bureau's own ONNX model in the FastestDet layout.

    Example::

        {"name": "no_hat", "file": "no_hat.onnx", "sha256": "<64 hex>",
         "classes": ["no_hat"], "region": "head", "confidence": 0.5}
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    classes: list[str] = Field(min_length=1, max_length=1000)
    region: Region = "frame"
    confidence: float = Field(default=0.5, gt=0, lt=1)
    nms_iou: float = Field(default=0.35, gt=0, le=1)
    input_size: int = Field(default=352, ge=32, le=2048)
    wh_sigmoid: bool = True
    precision: float | None = Field(default=None, ge=0, le=1)
    description: str = ""
    licence: str = ""
    card: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError("must be lower-case letters, digits, '-' or '_' (at most 40)")
        return value

    @field_validator("file")
    @classmethod
    def _file(cls, value: str) -> str:
        if "/" in value or "\\" in value or value in {"", ".", ".."} or not value.endswith(".onnx"):
            raise ValueError("must be the name of an .onnx file in the same folder")
        return value

    @field_validator("classes")
    @classmethod
    def _classes(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if not NAME_PATTERN.match(c)]
        if bad:
            raise ValueError(f"class names must be lower-case identifiers: {bad}")
        return value

    def entry(self) -> ModelEntry:
        return ModelEntry(
            name=self.name,
            description=self.description or f"bureau model {self.name}",
            runtime="onnxruntime",
            decoder="fastestdet",
            input_size=self.input_size,
            class_map=tuple(enumerate(self.classes)),
            confidence=self.confidence,
            nms_iou=self.nms_iou,
            region=self.region,
            files=(ModelFile(role="onnx", path=f"{self.name}/{self.file}", sha256=self.sha256),),
            card=self.card,
            licence=self.licence,
            upstream="bureau",
            precision=self.precision,
            wh_sigmoid=self.wh_sigmoid,
        )


def read_bureau_manifest(path: Path) -> ModelEntry:
    """Parse one ``model.json``; its ``name`` must be its folder's name."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = BureauManifest.model_validate(data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BureauManifestError(f"{path}: cannot read it as JSON: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise BureauManifestError(f"{path}: {problems}") from exc
    if manifest.name != path.parent.name:
        raise BureauManifestError(
            f"{path}: name {manifest.name!r} differs from its folder {path.parent.name!r}"
        )
    return manifest.entry()
