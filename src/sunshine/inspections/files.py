"""Checklist files (``sunshine-checklist/1``): reading and checking them.

A checklist version is loaded from a JSON file, so that an administrator puts a new table
in force without code: its sections and items (key or general, text in Chinese and
English, legal basis, the business forms an item applies to), the rule that derives the
result and what follows each result, and the sources everything was read from. The files
of the national tables ship in this folder (see :data:`BUNDLED`). Every problem is named by
its place in the file (``sections[2].items[0].key``) and nothing is stored unless the whole
file is right.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from sunshine.core.errors import FieldProblem, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.inspections.enums import ChecklistStatus
from sunshine.inspections.models import NATIONAL
from sunshine.inspections.rules import rule_problems
from sunshine.registry.enums import BusinessCategory, BusinessForm

FORMAT = "sunshine-checklist/1"
MAX_FILE_BYTES = 2 * 1024 * 1024
#: The national tables shipped with the product, loaded in this order.
BUNDLED = ("catering-2016.json", "catering-2022-draft.json")
_RESULTS = ("compliant", "basically_compliant", "noncompliant")


@dataclass(frozen=True)
class ItemSpec:
    code: str
    position: int
    key: bool
    text_zh: str
    text_en: str
    applies_to: list[str] | None
    basis: list[dict[str, Any]]
    sources: list[str]
    uncertain: str | None
    provincial: bool


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title_zh: str
    title_en: str
    items: list[ItemSpec]


@dataclass(frozen=True)
class ChecklistSpec:
    code: str
    version: str
    jurisdiction: str
    base_version: str | None
    name_zh: str
    name_en: str
    document: str
    business_category: str
    status: ChecklistStatus
    complete: bool
    note: tuple[str, str]  # (Chinese, English)
    result_rule: dict[str, Any] | None
    consequences: dict[str, Any] | None
    sources: list[dict[str, Any]]
    missing: dict[str, Any] | None
    sections: list[SectionSpec]
    sha256: str

    @property
    def items(self) -> list[ItemSpec]:
        return [item for section in self.sections for item in section.items]


def bundled(name: str) -> bytes:
    """The bytes of a shipped checklist file."""
    return (files("sunshine.inspections") / "checklists" / name).read_bytes()


def read_checklist(data: bytes) -> ChecklistSpec:
    """The checklist in ``data``, or :class:`ValidationFailed` naming every problem."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(
            [FieldProblem("file", N_("the file is larger than {limit} MB"), params={"limit": 2})]
        )
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValidationFailed([FieldProblem("file", N_("the file is not UTF-8 text"))]) from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            [
                FieldProblem(
                    "file",
                    N_("not valid JSON at line {line}, column {column}: {reason}"),
                    params={"line": exc.lineno, "column": exc.colno, "reason": exc.msg},
                )
            ]
        ) from None
    reader = _Reader()
    spec = reader.checklist(doc, hashlib.sha256(data).hexdigest())
    if reader.problems or spec is None:
        raise ValidationFailed(reader.problems)
    return spec


class _Reader:
    """Reads a parsed file, collecting problems rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def problem(self, field: str, message: str, **params: str | int) -> None:
        self.problems.append(FieldProblem(field, message, params=dict(params)))

    def text(self, obj: dict[str, Any], name: str, path: str, *, limit: int = 400) -> str:
        value = obj.get(name)
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{path}{name}", N_("is required (a text)"))
            return ""
        if len(value) > limit:
            self.problem(f"{path}{name}", N_("is longer than {limit} characters"), limit=limit)
        return value.strip()

    def names(self, obj: dict[str, Any], name: str, path: str) -> tuple[str, str]:
        value = obj.get(name)
        if not isinstance(value, dict):
            self.problem(f"{path}{name}", N_("needs zh_CN and en texts"))
            return "", ""
        return (
            self.text(value, "zh_CN", f"{path}{name}.", limit=2000),
            self.text(value, "en", f"{path}{name}.", limit=2000),
        )

    def optional_names(self, obj: dict[str, Any], name: str) -> tuple[str, str]:
        """A note in both languages, or none."""
        if obj.get(name) is None:
            return "", ""
        return self.names(obj, name, "")

    def checklist(self, doc: object, sha256: str) -> ChecklistSpec | None:
        if not isinstance(doc, dict):
            self.problem("file", N_("must hold one JSON object"))
            return None
        if doc.get("format") != FORMAT:
            self.problem("format", N_("must be '{expected}'"), expected=FORMAT)
            return None
        status = self.status(doc.get("status"))
        complete = doc.get("complete")
        if not isinstance(complete, bool):
            self.problem("complete", N_("must be true or false"))
            complete = False
        rule = doc.get("result_rule")
        if rule is not None:
            self.problems.extend(rule_problems(rule))
        category = doc.get("business_category")
        if category not in {c.value for c in BusinessCategory}:
            self.problem(
                "business_category", N_("'{value}' is not a valid choice"), value=str(category)
            )
        sources = self.sources(doc.get("sources"))
        sections = self.sections(doc.get("sections"), {s["id"] for s in sources})
        name_zh, name_en = self.names(doc, "name", "")
        consequences = doc.get("consequences")
        if consequences is not None:
            self.consequences(consequences)
        return ChecklistSpec(
            code=self.text(doc, "code", "", limit=40),
            version=self.text(doc, "version", "", limit=40),
            jurisdiction=self.jurisdiction(doc.get("jurisdiction", NATIONAL)),
            base_version=doc.get("base_version")
            if isinstance(doc.get("base_version"), str)
            else None,
            name_zh=name_zh,
            name_en=name_en,
            document=self.text(doc, "document", ""),
            business_category=str(category),
            status=status,
            complete=complete,
            note=self.optional_names(doc, "note"),
            result_rule=rule,
            consequences=consequences,
            sources=sources,
            missing=doc.get("missing") if isinstance(doc.get("missing"), dict) else None,
            sections=sections,
            sha256=sha256,
        )

    def status(self, value: object) -> ChecklistStatus:
        if value not in (ChecklistStatus.DRAFT.value, ChecklistStatus.ACTIVE.value):
            self.problem("status", N_("must be 'draft' or 'active'"))
            return ChecklistStatus.DRAFT
        return ChecklistStatus(value)

    def jurisdiction(self, value: object) -> str:
        if value == NATIONAL:
            return NATIONAL
        if (
            isinstance(value, str)
            and len(value) == 6
            and value.isdigit()
            and value.endswith("0000")
        ):
            return value
        self.problem("jurisdiction", N_("must be 'national' or a province code such as 510000"))
        return NATIONAL

    def sources(self, value: object) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not value:
            self.problem("sources", N_("name at least one source"))
            return []
        good = []
        for n, source in enumerate(value):
            path = f"sources[{n}]."
            if not isinstance(source, dict):
                self.problem(f"sources[{n}]", N_("must be an object"))
                continue
            self.text(source, "id", path, limit=40)
            self.text(source, "title", path, limit=1000)
            self.text(source, "ref", path, limit=1000)
            good.append(source)
        return good

    def consequences(self, value: object) -> None:
        if not isinstance(value, dict):
            self.problem("consequences", N_("must be an object"))
            return
        for result in _RESULTS:
            if result in value:
                self.names(value, result, "consequences.")

    def sections(self, value: object, source_ids: set[str]) -> list[SectionSpec]:
        if not isinstance(value, list) or not value:
            self.problem("sections", N_("list at least one section"))
            return []
        sections: list[SectionSpec] = []
        seen_items: set[str] = set()
        position = 0
        for n, section in enumerate(value):
            path = f"sections[{n}]."
            if not isinstance(section, dict):
                self.problem(f"sections[{n}]", N_("must be an object"))
                continue
            title_zh, title_en = self.names(section, "title", path)
            items = []
            raw_items = section.get("items")
            if not isinstance(raw_items, list) or not raw_items:
                self.problem(f"{path}items", N_("list at least one item"))
                raw_items = []
            for m, raw in enumerate(raw_items):
                position += 1
                item = self.item(raw, f"{path}items[{m}].", position, source_ids)
                if item is None:
                    continue
                if item.code in seen_items:
                    self.problem(
                        f"{path}items[{m}].code", N_("'{code}' appears twice"), code=item.code
                    )
                seen_items.add(item.code)
                items.append(item)
            code = self.text(section, "code", path, limit=12)
            sections.append(SectionSpec(code, title_zh, title_en, items))
        return sections

    def item(self, raw: object, path: str, position: int, source_ids: set[str]) -> ItemSpec | None:
        if not isinstance(raw, dict):
            self.problem(path.rstrip("."), N_("must be an object"))
            return None
        key = raw.get("key")
        if not isinstance(key, bool):
            self.problem(f"{path}key", N_("must be true (key item) or false (general item)"))
        text_zh, text_en = self.names(raw, "text", path)
        applies_to = raw.get("applies_to")
        forms = {f.value for f in BusinessForm}
        if applies_to is not None and (
            not isinstance(applies_to, list) or not applies_to or not set(applies_to) <= forms
        ):
            self.problem(
                f"{path}applies_to",
                N_("must list business forms among: {known}"),
                known=", ".join(sorted(forms)),
            )
            applies_to = None
        sources = raw.get("sources", [])
        unknown = [s for s in sources if s not in source_ids] if isinstance(sources, list) else []
        if not isinstance(sources, list) or unknown:
            self.problem(
                f"{path}sources",
                N_("names sources not listed: {unknown}"),
                unknown=", ".join(map(str, unknown)),
            )
        basis = raw.get("basis", [])
        if not isinstance(basis, list):
            self.problem(f"{path}basis", N_("must be a list"))
            basis = []
        return ItemSpec(
            code=self.text(raw, "code", path, limit=12),
            position=position,
            key=key is True,
            text_zh=text_zh,
            text_en=text_en,
            applies_to=applies_to,
            basis=basis,
            sources=sources if isinstance(sources, list) else [],
            uncertain=raw.get("uncertain") if isinstance(raw.get("uncertain"), str) else None,
            provincial=raw.get("provincial") is True,
        )
