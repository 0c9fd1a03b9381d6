"""Translations: gettext catalogs (``locale/<lang>/LC_MESSAGES/messages.po``).

Message ids are English; Simplified Chinese is the default locale. Catalogs are read with
Babel at start-up, so no compile step is needed to run from a checkout.

A message that is shown later (an error raised in a service, a problem stored with an import
job) travels as a *template* and its *parameters*: the English msgid, marked where it is
defined with :func:`N_` so that ``scripts/i18n.py extract`` finds it, e.g.
``N_("check character should be {expected}, got {actual}")`` with
``{"expected": "3", "actual": "Z"}``. Whoever shows it formats it in the reader's language
(``_(template, **params)``); :func:`english` gives the stable English text the API and logs
use. A parameter may itself be a :class:`Message` (a reason inside a reason); it is translated
too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

from babel.messages.pofile import read_po

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_NAMES = {"zh_CN": "简体中文", "en": "English"}


def N_(message: str) -> str:
    """Mark ``message`` as a message id without translating it (a no-op)."""
    return message


@dataclass(frozen=True)
class Message:
    """A message template (English msgid) with its parameters, translated when shown."""

    template: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The English text."""
        return english(self.template, self.params)

    def __str__(self) -> str:
        return self.text


ParamValue = str | int | Message
Params = dict[str, ParamValue]


def english(template: str, params: Mapping[str, ParamValue] | None = None) -> str:
    """``template`` formatted with ``params`` in English (the msgid is the English text)."""
    if not params:
        return template
    values = {k: (v.text if isinstance(v, Message) else v) for k, v in params.items()}
    return _format(template, template, values)


def _format(text: str, fallback: str, values: Mapping[str, object]) -> str:
    """``text.format(**values)``; a broken translation falls back to the English msgid."""
    for candidate in (text, fallback):
        try:
            return candidate.format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):
            continue
    return text


def params_json(params: Mapping[str, ParamValue]) -> dict[str, Any]:
    """Parameters as JSON: a nested :class:`Message` becomes ``{"template", "params"}``."""
    return {
        key: (
            {"template": value.template, "params": params_json(value.params)}
            if isinstance(value, Message)
            else value
        )
        for key, value in params.items()
    }


def params_from_json(data: object) -> Params:
    """The inverse of :func:`params_json` (anything unexpected is kept as text)."""
    if not isinstance(data, Mapping):
        return {}
    out: Params = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and isinstance(value.get("template"), str):
            out[str(key)] = Message(value["template"], params_from_json(value.get("params")))
        elif isinstance(value, int) and not isinstance(value, bool):
            out[str(key)] = value
        else:
            out[str(key)] = "" if value is None else str(value)
    return out


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
    """Bound to one locale; used as ``_`` in templates and routes.

    ``_(template, **params)`` translates the template and fills in the parameters (a
    :class:`Message` parameter is translated as well). A translation whose placeholders do
    not fit the parameters falls back to the English msgid rather than failing the page.
    """

    def __init__(self, locale: str) -> None:
        self.locale = normalise(locale)
        self._catalog = catalog(self.locale)

    def __call__(self, message: str, **params: object) -> str:
        text = self._catalog.get(message, message)
        if not params:
            return text
        values = {
            key: (self(value.template, **value.params) if isinstance(value, Message) else value)
            for key, value in params.items()
        }
        return _format(text, message, values)
