"""Settings refuse published secrets outside demo mode; migrations match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from sunshine.config import InsecureSettingsError, Settings
from sunshine.models import Base


def test_default_secrets_are_refused_outside_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUNSHINE_DEMO", raising=False)
    with pytest.raises(InsecureSettingsError, match="SUNSHINE_SECRET_KEY"):
        Settings(demo=False)


def test_short_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InsecureSettingsError, match="at least 32"):
        Settings(demo=False, secret_key="short", data_key="x" * 44)


def test_own_secrets_are_accepted() -> None:
    settings = Settings(
        demo=False, secret_key="s" * 40, data_key="c2VjcmV0LWRhdGEta2V5LWZvci10ZXN0cy0xMjM0NTY="
    )
    assert not settings.demo


def test_demo_mode_allows_defaults() -> None:
    assert Settings(demo=True).demo


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
