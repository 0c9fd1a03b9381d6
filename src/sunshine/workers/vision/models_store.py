"""Find, fetch and verify model files, and load detectors from them.

Files live under the models folder as ``<folder>/<file>`` (the layout of ``../shared/models``,
so tests point ``SUNSHINE_MODELS_DIR`` there); shipped files (the smoking model) come from the
package. A missing file is fetched only when fetching is on: streamed to a temp file beside its
target with a size cap, its sha256 checked, then renamed into place. A download with the wrong
sha256 is kept aside as ``<file>.rejected`` and the model's state is ``hash_mismatch`` until an
operator deletes it: a changed upstream must be looked at by a person, not retried forever.

Nothing here raises to a caller except ``ModelUnavailable`` from ``detector()``, with a message
that names where the store looked: a camera worker switches that model off and keeps going.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import tempfile
import threading
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from sunshine.workers.vision.detectors.base import Detector
from sunshine.workers.vision.manifest import (
    BUILTIN,
    MANIFEST_FILE,
    BureauManifestError,
    ModelEntry,
    ModelFile,
    read_bureau_manifest,
)

State = Literal["installed", "missing", "hash_mismatch", "not_installed"]
CHUNK = 1 << 16
# Cap for a download whose size the manifest does not state.
DEFAULT_MAX_FETCH_BYTES = 256 * 1024 * 1024
_STATE_ORDER: dict[State, int] = {"installed": 0, "missing": 1, "hash_mismatch": 2}


class ModelUnavailable(Exception):
    """A model that cannot be used now; ``message`` says why and where the store looked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_digests: dict[tuple[str, int, int], str] = {}
_digests_lock = threading.Lock()


def file_sha256(path: Path) -> str:
    """The sha256 of a file, computed once per process for a given path, mtime and size."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _digests_lock:
        known = _digests.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    value = digest.hexdigest()
    with _digests_lock:
        _digests[key] = value
    return value


def default_package_dir() -> Path:
    """Where shipped model files live: ``sunshine/kitchen/models`` inside the package."""
    import sunshine

    return Path(sunshine.__file__).resolve().parent / "kitchen" / "models"


class _FetchError(Exception):
    pass


class ModelStore:
    """The models a process can use, their files and states, and their loaded detectors.

    ``entries`` replaces the built-in manifest (tests). Bureau ``model.json`` files under
    ``models_dir`` are read once, here. Detectors are loaded once per (name, confidence) and
    shared: ONNX Runtime sessions are safe across threads, OpenCV nets are not, so a process
    that analyses from several threads needs a store per thread.
    """

    def __init__(
        self,
        models_dir: Path,
        *,
        fetch: bool,
        entries: Sequence[ModelEntry] | None = None,
        package_dir: Path | None = None,
        threads: int = 1,
        confidence: float | None = None,
        fetch_timeout_s: float = 60.0,
        max_fetch_bytes: int = DEFAULT_MAX_FETCH_BYTES,
    ) -> None:
        self.models_dir = Path(models_dir)
        self.fetch = fetch
        self.package_dir = package_dir if package_dir is not None else default_package_dir()
        self.threads = threads
        # One confidence threshold for every model instead of each entry's own (the CLI).
        self.confidence = confidence
        self.fetch_timeout_s = fetch_timeout_s
        self.max_fetch_bytes = max_fetch_bytes
        self._entries: dict[str, ModelEntry] = {
            e.name: e for e in (BUILTIN if entries is None else entries)
        }
        # Problems with bureau manifests, by model name (shown instead of "not installed").
        self.problems: dict[str, str] = {}
        self._fetch_errors: dict[Path, str] = {}
        self._detectors: dict[tuple[str, float | None], Detector] = {}
        self._lock = threading.RLock()
        self._read_bureau_manifests()

    # -- manifest -----------------------------------------------------------------------

    def _read_bureau_manifests(self) -> None:
        if not self.models_dir.is_dir():
            return
        for path in sorted(self.models_dir.glob(f"*/{MANIFEST_FILE}")):
            name = path.parent.name
            builtin = self._entries.get(name)
            if builtin is not None and builtin.files:
                self.problems[name] = (
                    f"{path}: ignored, {name!r} is a model the product provides; "
                    "give your model another name"
                )
                continue
            try:
                self._entries[name] = read_bureau_manifest(path)
            except BureauManifestError as exc:
                self.problems[name] = str(exc)
                if name not in self._entries:
                    self._entries[name] = _placeholder(name)

    @property
    def entries(self) -> list[ModelEntry]:
        return list(self._entries.values())

    def entry(self, name: str) -> ModelEntry:
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries))
            raise ModelUnavailable(f"unknown model: {name} (known: {known})") from None

    # -- files and states ---------------------------------------------------------------

    def path_of(self, file: ModelFile) -> Path:
        if file.shipped:
            return self.package_dir / file.path
        return self.models_dir / file.path

    @staticmethod
    def _rejected(path: Path) -> Path:
        return path.with_name(path.name + ".rejected")

    def _file_state(self, file: ModelFile) -> tuple[State, str]:
        path = self.path_of(file)
        if path.is_file():
            if file.sha256 is None:
                return "installed", str(path)
            try:
                digest = file_sha256(path)
            except OSError as exc:
                return "missing", f"cannot read {path}: {exc.strerror or exc}"
            if digest == file.sha256:
                return "installed", str(path)
            return "hash_mismatch", (
                f"{path} has sha256 {digest}, the manifest expects {file.sha256}; "
                "replace the file (or delete it to fetch it again)"
            )
        rejected = self._rejected(path)
        if rejected.is_file():
            return "hash_mismatch", (
                f"a download of {file.url} did not match sha256 {file.sha256}; it is kept as "
                f"{rejected} for inspection; delete it to try again"
            )
        if path in self._fetch_errors:
            return "missing", f"{path} not found; fetching it failed: {self._fetch_errors[path]}"
        if file.shipped:
            return "missing", f"{path} not found (it ships with the package)"
        if file.url and file.sha256:
            how = (
                f"it will be fetched from {file.url}"
                if self.fetch
                else f"fetching is off (SUNSHINE_MODELS_FETCH); download {file.url}"
            )
            return "missing", f"{path} not found; {how}"
        return "missing", f"{path} not found"

    def _entry_state(self, entry: ModelEntry) -> tuple[State, str]:
        if not entry.files:
            how = (
                f"add an ONNX model in the FastestDet layout and "
                f"{self.models_dir / entry.name / MANIFEST_FILE}"
            )
            problem = self.problems.get(entry.name)
            return "not_installed", f"model not installed: {entry.name} ({problem or how})"
        worst: tuple[State, str] = ("installed", "")
        messages = []
        for file in entry.files:
            state, message = self._file_state(file)
            if state != "installed":
                messages.append(message)
            if _STATE_ORDER[state] > _STATE_ORDER[worst[0]]:
                worst = (state, message)
        if worst[0] == "installed":
            where = ", ".join(str(self.path_of(f)) for f in entry.files)
            problem = self.problems.get(entry.name)
            return "installed", where + (f" ({problem})" if problem else "")
        prefix = "model not installed" if worst[0] == "missing" else "model file rejected"
        return worst[0], f"{prefix}: {entry.name} ({'; '.join(messages)})"

    def state(self, name: str) -> State:
        """``installed``, ``missing``, ``hash_mismatch`` or ``not_installed`` (no files known)."""
        return self._entry_state(self.entry(name))[0]

    def message(self, name: str) -> str:
        """What a person needs to know about the model's state (paths, addresses, hashes)."""
        return self._entry_state(self.entry(name))[1]

    def sha256(self, name: str) -> str | None:
        """The sha256 of the model's main (last listed: the weights) file, when installed."""
        entry = self.entry(name)
        if not entry.files or self.state(name) != "installed":
            return None
        return file_sha256(self.path_of(entry.files[-1]))

    # -- fetching -----------------------------------------------------------------------

    def ensure(self, name: str) -> State:
        """Fetch the model's missing files when fetching is on; the resulting state."""
        entry = self.entry(name)
        with self._lock:
            if self.fetch:
                for file in entry.files:
                    if self._file_state(file)[0] == "missing" and file.url and file.sha256:
                        self._fetch(file)
        return self.state(name)

    def _fetch(self, file: ModelFile) -> None:
        assert file.url is not None and file.sha256 is not None
        target = self.path_of(file)
        if not file.url.startswith(("https://", "http://")):
            self._fetch_errors[target] = f"refusing address {file.url} (http or https only)"
            return
        cap = file.size if file.size is not None else self.max_fetch_bytes
        tmp: Path | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            tmp = Path(tmp_name)
            digest = hashlib.sha256()
            total = 0
            with (
                os.fdopen(fd, "wb") as out,
                urllib.request.urlopen(file.url, timeout=self.fetch_timeout_s) as response,  # noqa: S310 - scheme checked above
            ):
                while chunk := response.read(CHUNK):
                    total += len(chunk)
                    if total > cap:
                        raise _FetchError(f"{file.url} is larger than the expected {cap} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != file.sha256:
                os.replace(tmp, self._rejected(target))
                tmp = None
                return
            os.replace(tmp, target)
            tmp = None
            self._fetch_errors.pop(target, None)
        except (OSError, http.client.HTTPException, _FetchError, ValueError) as exc:
            self._fetch_errors[target] = str(exc) or type(exc).__name__
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()

    # -- detectors ----------------------------------------------------------------------

    def detector(self, name: str, *, confidence: float | None = None) -> Detector:
        """The loaded detector (fetching its files if allowed); ``ModelUnavailable`` if not."""
        entry = self.entry(name)
        key = (name, confidence)
        with self._lock:
            cached = self._detectors.get(key)
            if cached is not None:
                return cached
            state = self.ensure(name)
            if state != "installed":
                raise ModelUnavailable(self.message(name))
            try:
                threshold = confidence if confidence is not None else self.confidence
                loaded = self._load(entry, entry.confidence if threshold is None else threshold)
            except Exception as exc:  # any loader failure switches the model off
                where = ", ".join(str(self.path_of(f)) for f in entry.files)
                raise ModelUnavailable(f"cannot load model {name} from {where}: {exc}") from exc
            self._detectors[key] = loaded
            return loaded

    def _load(self, entry: ModelEntry, confidence: float) -> Detector:
        files = {f.role: self.path_of(f) for f in entry.files}
        class_map = dict(entry.class_map)
        if entry.decoder == "fastestdet":
            from sunshine.workers.vision.detectors.fastestdet import FastestDetDetector

            return FastestDetDetector(
                name=entry.name,
                path=files["onnx"],
                class_map=class_map,
                confidence=confidence,
                nms_iou=entry.nms_iou,
                wh_sigmoid=entry.wh_sigmoid,
                input_size=entry.input_size,
                threads=self.threads,
            )
        import cv2

        # OpenCV's thread pool is process-wide: a camera process is sized to one core.
        cv2.setNumThreads(self.threads)
        if entry.decoder == "yolo":
            from sunshine.workers.vision.detectors.darknet_yolo import DarknetYoloDetector

            return DarknetYoloDetector(
                name=entry.name,
                cfg=files["cfg"],
                weights=files["weights"],
                class_map=class_map,
                confidence=confidence,
                nms_iou=entry.nms_iou,
                input_size=entry.input_size,
            )
        from sunshine.workers.vision.detectors.ssd_mask import SsdMaskDetector

        return SsdMaskDetector(
            name=entry.name,
            prototxt=files["prototxt"],
            caffemodel=files["caffemodel"],
            confidence=confidence,
            nms_iou=entry.nms_iou,
            input_size=entry.input_size,
        )


def _placeholder(name: str) -> ModelEntry:
    """An entry for a bureau folder whose ``model.json`` is unusable (state not_installed)."""
    return ModelEntry(
        name=name,
        description="bureau model with an unusable model.json",
        runtime="onnxruntime",
        decoder="fastestdet",
        input_size=352,
        class_map=(),
        confidence=0.5,
        nms_iou=0.35,
        region="frame",
    )
