"""Translations: every message id the code uses has a Chinese translation that fits.

The checks are those of ``python scripts/i18n.py check`` (imported, not run as a process).
When one fails: ``python scripts/i18n.py extract``, then translate the new entries in
``src/sunshine/locale/zh_CN/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jinja2 import Environment

from sunshine.core.i18n import Translator

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "i18n.py"


def _load_tool() -> ModuleType:
    name = "sunshine_i18n_tool"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture(scope="module")
def extraction() -> Any:
    return tool.extract()


def _report(problems: list[str]) -> str:
    shown = "\n".join(problems[:60])
    more = f"\n... and {len(problems) - 60} more" if len(problems) > 60 else ""
    return (
        f"{len(problems)} problem(s); run `python scripts/i18n.py extract` and translate "
        f"the new entries in src/sunshine/locale/zh_CN/LC_MESSAGES/messages.po:\n{shown}{more}"
    )


def test_extraction_finds_the_known_kinds_of_message(extraction: Any) -> None:
    messages = extraction.messages
    assert "Businesses" in messages  # _("...") in a template and in Python
    assert "{n} stores found" in messages  # with a keyword parameter
    assert "Food-safety risk level" in messages  # a tuple in a {% for %} passed to _(title)
    assert "Unified social credit code" in messages  # a macro argument passed to _(title)
    assert "Township code" in messages  # EXPORT_COLUMNS titles
    assert "Staff member added." in messages  # a dict passed to a helper that translates
    assert "Group-meal delivery" in messages  # labels.LABELS
    assert "Expiring within 60 days" in messages  # labels.LICENCE_STATES


def test_every_used_msgid_has_a_chinese_translation(extraction: Any) -> None:
    problems = [p for p in tool.check(extraction) if "placeholders differ" not in p]
    assert not problems, _report(problems)


def test_placeholders_match_between_msgid_and_msgstr(extraction: Any) -> None:
    problems = [p for p in tool.check(extraction) if "placeholders differ" in p]
    assert not problems, _report(problems)


def test_the_english_catalog_is_explicit_and_complete(extraction: Any) -> None:
    catalog = tool.read_catalog("en")
    assert catalog is not None
    messages = extraction.messages
    empty = [m for m in messages if catalog.get(m) is None or not catalog.get(m).string]
    assert not empty, _report(empty)


def test_the_translator_speaks_chinese_by_default_and_english_on_request() -> None:
    chinese = Translator("zh_CN")("Businesses")
    assert chinese != "Businesses"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
    assert Translator("zh-CN")("Food business licence") == "食品经营许可证"
    assert "7" in Translator("zh_CN")("{n} stores found", n=7)
    assert Translator("en")("Businesses") == "Businesses"
    assert Translator("en")("{n} stores found", n=7) == "7 stores found"


def test_placeholders_helper() -> None:
    assert tool.placeholders("Page {page} of {pages}") == ["page", "pages"]
    assert tool.placeholders("第 {page} 页，共 {pages} 页") == ["page", "pages"]
    assert tool.placeholders("plain") == []
    assert tool.placeholders("broken {") is None


# -- the extractor on small examples -----------------------------------------------------------


def _from_template(source: str) -> set[str]:
    result = tool.Extraction()
    index = tool.ProjectIndex()
    scanner = tool.TemplateScanner(Environment(autoescape=True), index, result)
    scanner.scan("t.html", textwrap.dedent(source), "t.html")
    scanner.finish()
    result.resolve_parameters()
    return set(result.messages)


def _from_python(source: str) -> set[str]:
    result = tool.Extraction()
    index = tool.ProjectIndex()
    index.add_module("example", "example.py", ast.parse(textwrap.dedent(source)))
    index.finish()
    tool.scan_python(result, index)
    result.resolve_parameters()
    return set(result.messages)


def test_template_extraction_follows_loops_sets_and_macros() -> None:
    found = _from_template(
        """
        {{ _("Plain") }} {{ _('Single {n}', n=1) }}
        {% for key, title in (("a", "Looped A"), ("b", "Looped B")) %}{{ _(title) }}{% endfor %}
        {% for k, v in {"x": "Dict value"}.items() %}{{ _(v) }}{% endfor %}
        {% set heading = "Set one" if x else "Set two" %}{{ _(heading) }}
        {% macro field(name, title, help=None) %}{{ _(title) }}{{ _(help) }}{% endmacro %}
        {{ field("n", "Macro title", help="Macro help") }}
        {% for key, label in (("k", "not translated"),) %}{{ label }}{% endfor %}
        """
    )
    assert found == {
        "Plain",
        "Single {n}",
        "Looped A",
        "Looped B",
        "Dict value",
        "Set one",
        "Set two",
        "Macro title",
        "Macro help",
    }


def test_python_extraction_follows_constants_helpers_and_fields() -> None:
    found = _from_python(
        """
        from dataclasses import dataclass

        COLUMNS = (("Column A", "a"), ("Column B", "b"))
        LABELS = {"q": "Queued", "r": "Running"}
        NOT_UI = ("plain data",)

        @dataclass
        class Portal:
            prefix: str
            title: str

        GOV = Portal("/gov", "Portal title")

        class Missing(Exception):
            def __init__(self, message="Default message", status=404):
                self.message = message

        def lookup(key):
            raise Missing("Raised message")

        def show(error):
            return _(error.message)

        def greet(request, text="Default argument"):
            return _(text)

        def flash(request, messages):
            for key, message in messages.items():
                return _(message)

        def view(request, status):
            _ = translator(request)
            headers = [_(t) for t, _k in COLUMNS]
            flash(request, {"saved": "Saved."})
            _(LABELS.get(status, status))
            _(GOV.title)
            return _("Direct {n}", n=1), Translator("en")("Factory call")
        """
    )
    assert found == {
        "Column A",
        "Column B",
        "Queued",
        "Running",
        "Portal title",
        "Default message",
        "Raised message",
        "Default argument",
        "Saved.",
        "Direct {n}",
        "Factory call",
    }


def test_call_sites_must_pass_the_placeholders() -> None:
    result = tool.Extraction()
    result.add("Hello {name}", "t.html", 3, frozenset())
    result.add("Hello {name}", "t.html", 4, frozenset({"name"}))
    problems = [p for p in tool.check(result) if p.startswith("t.html:")]
    assert len(problems) == 1
    assert "t.html:3" in problems[0]
