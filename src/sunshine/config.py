"""Settings, read from the environment with the ``SUNSHINE_`` prefix.

Outside demo mode the settings refuse the built-in default secrets, so a server
deployment cannot start with keys that are published in this repository.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "demo-secret-key-change-me-0123456789abcdef"  # noqa: S105 - refused outside demo
DEFAULT_DATA_KEY = "ZGVtby1kYXRhLWtleS1jaGFuZ2UtbWUtMDEyMzQ1Njc="


def _shared_beside_checkout() -> Path | None:
    """``../shared`` beside the repository checkout (``<checkout>/src/sunshine/config.py``),
    when this module runs from a checkout (an editable install) and the folder is there."""
    folder = Path(__file__).resolve().parents[3] / "shared"
    return folder if folder.is_dir() else None


DEFAULT_MODELS_DIR = Path("var/models")


class InsecureSettingsError(RuntimeError):
    """Raised when a non-demo deployment still uses a published default secret."""


class Settings(BaseSettings):
    """Runtime configuration of one deployment."""

    model_config = SettingsConfigDict(env_prefix="SUNSHINE_", env_file=None, extra="ignore")

    database_url: str = "sqlite:///var/sunshine.sqlite3"
    redis_url: str | None = None
    # Run jobs synchronously in the caller instead of on the queue (tests, debugging).
    jobs_immediate: bool = False
    demo: bool = False
    secret_key: str = DEFAULT_SECRET_KEY
    # Fernet key (urlsafe base64, 32 bytes) that encrypts staff ID numbers at rest.
    data_key: str = DEFAULT_DATA_KEY
    base_url: str = "http://127.0.0.1:8000"
    default_province: str = "510000"
    default_locale: str = "zh_CN"
    upload_max_bytes: int = 10 * 1024 * 1024
    # Evidence files (photos, short videos) of reviews, complaints and reports: a phone photo
    # is 2-8 MB; a minute of 1080p phone video is about 100 MB, so 50 MB means "short".
    evidence_photo_max_bytes: int = 10 * 1024 * 1024
    evidence_video_max_bytes: int = 50 * 1024 * 1024
    # EPCIS capture: a document of 10,000 events with sensor data is about 10 MB.
    epcis_max_document_bytes: int = 16 * 1024 * 1024
    # A shipment the caterer has not confirmed this many hours after it left is flagged.
    shipment_confirm_hours: int = 48
    storage_dir: Path = Path("var/files")
    session_max_age_s: int = 8 * 3600
    token_max_age_s: int = 3600
    login_max_failures: int = 5
    login_lockout_s: int = 15 * 60
    login_ip_limit_per_minute: int = 30
    secure_cookies: bool = False
    # Longest a rendered store page is kept (edits and date-driven changes drop it sooner).
    store_page_cache_s: int = 24 * 3600
    # Threads per web worker that run request handlers. Few enough that they do not fight
    # over the interpreter lock (waiting requests queue in order on the event loop instead),
    # enough to overlap database round trips.
    handler_threads: int = 12
    # FastAPI's native OpenTelemetry (traces, metrics, logs): on only with a collector set up.
    opentelemetry: bool = False
    # Database connections per process: one for every handler thread plus job threads and
    # the principal look-up, kept open. Connections beyond the pool are opened and closed
    # per use, which costs PostgreSQL a new backend process each time.
    db_pool_size: int = 16
    db_max_overflow: int = 16
    # Outgoing email. Without a host, email deliveries are recorded as skipped, not sent.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "noreply@localhost"
    smtp_starttls: bool = True  # upgrade a plain connection (port 587)
    smtp_ssl: bool = False  # TLS from the first byte (port 465)
    smtp_timeout_s: float = 30.0
    # "logging" (the demo: the sunshine.sms logger and sms_log_path) or "package.module:Class".
    sms_gateway: str = "logging"
    sms_log_path: Path = Path("var/sms.log")
    # Kitchen camera detector weights, found as <models_dir>/<folder>/<file> (the layout of
    # ../shared/models); bureau models as <models_dir>/<name>/model.json + an ONNX file.
    models_dir: Path = DEFAULT_MODELS_DIR
    # Fetch a missing model file from its pinned upstream address (sha256 checked). Off for
    # closed networks: then an operator copies the files into models_dir.
    models_fetch: bool = True
    # Sunshine Kitchen. Cameras may read local files and image folders (file://) only in demo
    # mode or where this is set (tests, a bench): on a server they would read its own disk.
    kitchen_allow_file_sources: bool = False
    # Frames analysed per second per camera, unless the camera sets its own (0.5 to 10).
    kitchen_analysis_fps: float = 2.0
    # This many confirmed alerts of one class at one business within the window open a case.
    kitchen_case_threshold: int = 3
    kitchen_case_window_days: int = 30
    # Vision workers (`sunshine worker vision`): processes (0: one per core), each running at
    # most this many cameras; 8 x 2 fps fits one core with the person detector.
    vision_processes: int = 0
    vision_cameras_per_process: int = 8
    # Analysis rate while a rule waits for confirmation (keeps alert latency under ~2 s).
    vision_burst_fps: float = 5.0
    # Seconds of video before and after the triggering frame in an alert's clip.
    vision_clip_pre_s: float = 5.0
    vision_clip_post_s: float = 5.0
    # Live outputs (latest.jpg per camera, HLS of public cameras); default storage_dir/live.
    vision_live_dir: Path | None = None
    # Kitchen alert media (snapshots, clips) go after this many days or beyond the quota
    # (oldest clips first); media of alerts still under review are never deleted.
    vision_evidence_retention_days: int = 180
    vision_media_quota_bytes: int = 20 * 1024**3
    # `sunshine demo` builds the demo cameras' clips from these shared images (and copies
    # their detector files into models_dir); None or absent: the demo cameras have no source.
    demo_shared_dir: Path | None = Field(default_factory=_shared_beside_checkout)
    # Where those clips go (never committed; the running demo reads only these copies).
    demo_media_dir: Path = Path("var/demo-media")

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.demo:
            return self
        if self.secret_key == DEFAULT_SECRET_KEY or self.data_key == DEFAULT_DATA_KEY:
            raise InsecureSettingsError(
                "SUNSHINE_SECRET_KEY and SUNSHINE_DATA_KEY must be set to your own values "
                "(or set SUNSHINE_DEMO=1 for a demo)."
            )
        if len(self.secret_key) < 32:
            raise InsecureSettingsError("SUNSHINE_SECRET_KEY must be at least 32 characters.")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class _Holder:
    settings: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    if _Holder.settings is None:
        _Holder.settings = Settings()
    return _Holder.settings


class ModelSettings(BaseSettings):
    """What the detector tools (``sunshine vision detect | models``) need: readable without
    a deployment's secrets, so anyone can check a model on a folder of images."""

    model_config = SettingsConfigDict(env_prefix="SUNSHINE_", env_file=None, extra="ignore")

    models_dir: Path = DEFAULT_MODELS_DIR
    models_fetch: bool = True


def model_settings() -> ModelSettings:
    """The installed settings' model folder and fetching, else the environment's."""
    if _Holder.settings is not None:
        held = _Holder.settings
        return ModelSettings(models_dir=held.models_dir, models_fetch=held.models_fetch)
    return ModelSettings()


def configure(settings: Settings | None) -> None:
    """Install ``settings`` process-wide (tests and the CLI); ``None`` re-reads the environment."""
    _Holder.settings = settings
