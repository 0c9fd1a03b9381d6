"""Translations: gettext catalogs (``locale/<lang>/LC_MESSAGES/messages.po``).

Message ids are English; Simplified Chinese is the default locale. Catalogs are read with
Babel at start-up, so no compile step is needed to run from a checkout.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from babel.messages.pofile import read_po

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_NAMES = {"zh_CN": "简体中文", "en": "English"}


@lru_cache(maxsize=len(LOCALES))
def catalog(locale: str) -> dict[str, str]:
    """msgid → msgstr for one locale (empty translations are left out)."""
    path = files("sunshine") / "locale" / locale / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        po = read_po(fh, locale=locale)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and isinstance(m.id, str)}


def normalise(locale: str | None) -> str:
    if not locale:
        return DEFAULT_LOCALE
    locale = locale.replace("-", "_")
    if locale in LOCALES:
        return locale
    if locale.lower().startswith("zh"):
        return "zh_CN"
    if locale.lower().startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def translate(locale: str, message: str) -> str:
    return catalog(locale).get(message, message)


class Translator:
    """Bound to one locale; used as ``_`` in templates and routes."""

    def __init__(self, locale: str) -> None:
        self.locale = normalise(locale)
        self._catalog = catalog(self.locale)

    def __call__(self, message: str, **params: object) -> str:
        text = self._catalog.get(message, message)
        return text.format(**params) if params else text
