"""The model store: local files verified, missing files fetched (from a local HTTP server, no
network) with their sha256 checked, bad files refused without crashing, bureau models."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import pytest

from sunshine.workers.vision.manifest import BUILTIN, ModelEntry, ModelFile
from sunshine.workers.vision.models_store import ModelStore, ModelUnavailable, file_sha256

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
FASTESTDET = SHARED / "models" / "fastestdet" / "FastestDet.onnx"
PAYLOAD = b"not really a model, but bytes with a known digest\n" * 20
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


@dataclass
class Server:
    root: Path
    base: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "upstream"
    root.mkdir()
    seen: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass  # keep the test output clean

    handler = functools.partial(Handler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(root, f"http://127.0.0.1:{httpd.server_address[1]}", seen)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _entry(url: str | None, sha256: str, size: int | None = None) -> ModelEntry:
    return ModelEntry(
        name="thing",
        description="test",
        runtime="onnxruntime",
        decoder="fastestdet",
        input_size=352,
        class_map=((0, "thing"),),
        confidence=0.5,
        nms_iou=0.35,
        region="frame",
        files=(
            ModelFile(role="onnx", path="things/thing.onnx", sha256=sha256, size=size, url=url),
        ),
    )


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_local_file_with_the_wrong_sha256_is_refused(tmp_path: Path) -> None:
    (tmp_path / "things").mkdir()
    (tmp_path / "things" / "thing.onnx").write_bytes(PAYLOAD + b"tampered")
    store = ModelStore(tmp_path, fetch=False, entries=[_entry(None, PAYLOAD_SHA)])
    assert store.state("thing") == "hash_mismatch"
    message = store.message("thing")
    assert PAYLOAD_SHA in message and str(tmp_path / "things" / "thing.onnx") in message
    with pytest.raises(ModelUnavailable) as refused:
        store.detector("thing")
    assert PAYLOAD_SHA in refused.value.message
    assert store.sha256("thing") is None


def test_fetch_streams_checks_and_installs(tmp_path: Path, server: Server) -> None:
    (server.root / "thing.onnx").write_bytes(PAYLOAD)
    models = tmp_path / "models"
    entry = _entry(f"{server.base}/thing.onnx", PAYLOAD_SHA, len(PAYLOAD))
    store = ModelStore(models, fetch=True, entries=[entry])
    assert store.state("thing") == "missing"
    assert "will be fetched from" in store.message("thing")
    assert store.ensure("thing") == "installed"
    assert (models / "things" / "thing.onnx").read_bytes() == PAYLOAD
    assert _leftovers(models / "things") == ["thing.onnx"]  # no temp file left behind
    assert store.sha256("thing") == PAYLOAD_SHA
    store.ensure("thing")
    assert server.requests == ["/thing.onnx"]  # installed files are not fetched again


def test_download_with_the_wrong_sha256_is_kept_aside(tmp_path: Path, server: Server) -> None:
    (server.root / "thing.onnx").write_bytes(b"an upstream that changed")
    models = tmp_path / "models"
    entry = _entry(f"{server.base}/thing.onnx", PAYLOAD_SHA)
    store = ModelStore(models, fetch=True, entries=[entry])
    with pytest.raises(ModelUnavailable) as refused:
        store.detector("thing")  # the caller is told, nothing crashes
    rejected = models / "things" / "thing.onnx.rejected"
    assert rejected.read_bytes() == b"an upstream that changed"
    assert not (models / "things" / "thing.onnx").exists()
    assert _leftovers(models / "things") == ["thing.onnx.rejected"]
    assert store.state("thing") == "hash_mismatch"
    assert str(rejected) in refused.value.message
    # A later process does not retry until a person deletes the rejected file.
    again = ModelStore(models, fetch=True, entries=[entry])
    assert again.ensure("thing") == "hash_mismatch"
    assert server.requests == ["/thing.onnx"]
    rejected.unlink()
    (server.root / "thing.onnx").write_bytes(PAYLOAD)
    assert again.ensure("thing") == "installed"


def test_download_larger_than_expected_is_cut_off(tmp_path: Path, server: Server) -> None:
    (server.root / "thing.onnx").write_bytes(PAYLOAD * 50)
    models = tmp_path / "models"
    store = ModelStore(
        models, fetch=True, entries=[_entry(f"{server.base}/thing.onnx", PAYLOAD_SHA, 100)]
    )
    assert store.ensure("thing") == "missing"
    assert "larger than the expected 100 bytes" in store.message("thing")
    assert _leftovers(models / "things") == []


def test_fetch_failure_and_fetch_off_leave_the_model_missing(
    tmp_path: Path, server: Server
) -> None:
    entry = _entry(f"{server.base}/absent.onnx", PAYLOAD_SHA)
    store = ModelStore(tmp_path, fetch=True, entries=[entry])
    assert store.ensure("thing") == "missing"
    assert "404" in store.message("thing")
    off = ModelStore(tmp_path / "off", fetch=False, entries=[entry])
    with pytest.raises(ModelUnavailable) as refused:
        off.detector("thing")
    assert "fetching is off" in refused.value.message
    assert f"{server.base}/absent.onnx" in refused.value.message
    assert server.requests == ["/absent.onnx"]


def test_unusable_file_with_the_right_hash_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "things").mkdir()
    (tmp_path / "things" / "thing.onnx").write_bytes(PAYLOAD)
    store = ModelStore(tmp_path, fetch=False, entries=[_entry(None, PAYLOAD_SHA)])
    assert store.state("thing") == "installed"
    with pytest.raises(ModelUnavailable, match="cannot load model thing"):
        store.detector("thing")


def test_unknown_and_not_installed_models(tmp_path: Path) -> None:
    store = ModelStore(tmp_path, fetch=True)
    with pytest.raises(ModelUnavailable, match="unknown model: nope"):
        store.detector("nope")
    assert store.state("no_hat") == "not_installed"
    with pytest.raises(ModelUnavailable) as refused:
        store.detector("rodent")
    assert str(tmp_path / "rodent" / "model.json") in refused.value.message
    # The shipped smoking model is looked for inside the package, never fetched.
    empty = ModelStore(tmp_path, fetch=True, package_dir=tmp_path / "pkg")
    assert empty.state("smoking") == "missing"
    assert str(tmp_path / "pkg" / "smoking-fastestdet-352.onnx") in empty.message("smoking")


def test_sha256_is_cached_by_path_mtime_and_size(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"one")
    first = file_sha256(path)
    assert first == hashlib.sha256(b"one").hexdigest()
    path.write_bytes(b"three")
    assert file_sha256(path) == hashlib.sha256(b"three").hexdigest()


def test_builtin_manifest_is_complete() -> None:
    names = [e.name for e in BUILTIN]
    assert len(names) == len(set(names))
    assert {"person", "person-body", "mask", "phone", "smoking"} <= set(names)
    for entry in BUILTIN:
        if entry.name in {"no_hat", "no_work_clothes", "rodent"}:
            assert entry.files == ()
            continue
        assert entry.card
        for file in entry.files:
            if file.shipped:
                continue
            assert file.sha256 is not None and len(file.sha256) == 64
            assert file.url is not None and file.url.startswith("https://raw.githubusercontent")
            assert file.size is not None
        # Nothing measured at 90% precision yet: every class raises "suspected" alerts.
        assert entry.alert_kind == "suspected"
    assert replace(BUILTIN[0], precision=0.93).alert_kind == "violation"


# -- bureau models ---------------------------------------------------------------------------


def _bureau(models: Path, name: str, data: dict[str, object], payload: bytes) -> None:
    folder = models / name
    folder.mkdir(parents=True)
    (folder / f"{name}.onnx").write_bytes(payload)
    (folder / "model.json").write_text(json.dumps(data), encoding="utf-8")


def test_bureau_manifest_errors_are_reported_per_model(tmp_path: Path) -> None:
    _bureau(tmp_path, "no_hat", {"name": "no_hat", "file": "../x.onnx", "classes": []}, b"x")
    _bureau(tmp_path, "person", {"name": "person"}, b"x")
    _bureau(
        tmp_path,
        "mislabelled",
        {"name": "other", "file": "mislabelled.onnx", "sha256": "0" * 64, "classes": ["x"]},
        b"x",
    )
    store = ModelStore(tmp_path, fetch=False)
    assert store.state("no_hat") == "not_installed"
    message = store.message("no_hat")
    assert "file:" in message and "classes:" in message and "sha256" in message
    assert "give your model another name" in store.problems["person"]
    assert store.state("person") == "missing"  # the built-in one, untouched
    assert store.state("mislabelled") == "not_installed"
    assert "differs from its folder" in store.message("mislabelled")


@pytest.mark.shared
def test_bureau_model_runs_like_a_builtin(tmp_path: Path) -> None:
    """A bureau's FastestDet-layout ONNX (here: upstream COCO with its class 0 renamed)."""
    _bureau(
        tmp_path,
        "rodent",
        {
            "name": "rodent",
            "file": "rodent.onnx",
            "sha256": file_sha256(FASTESTDET),
            "classes": ["rodent"],
            "confidence": 0.6,
            "precision": 0.95,
        },
        FASTESTDET.read_bytes(),
    )
    store = ModelStore(tmp_path, fetch=False)
    assert store.state("rodent") == "installed"
    assert store.entry("rodent").alert_kind == "violation"
    found = store.detector("rodent").detect(cv2.imread(str(FASTESTDET.parent / "3.jpg")))
    assert len(found) >= 4 and {d.cls for d in found} == {"rodent"}


@pytest.mark.shared
def test_fetched_model_loads_and_detects(tmp_path: Path, server: Server) -> None:
    shutil.copyfile(FASTESTDET, server.root / "FastestDet.onnx")
    person = next(e for e in BUILTIN if e.name == "person")
    upstream = replace(person.files[0], url=f"{server.base}/FastestDet.onnx")
    store = ModelStore(tmp_path, fetch=True, entries=[replace(person, files=(upstream,))])
    found = store.detector("person").detect(cv2.imread(str(FASTESTDET.parent / "3.jpg")))
    assert len(found) >= 4
    assert (tmp_path / "fastestdet" / "FastestDet.onnx").stat().st_size == upstream.size
