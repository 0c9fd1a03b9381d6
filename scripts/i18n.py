#!/usr/bin/env python3
"""Message catalogs: extract the message ids the code uses, and check their translations.

Usage (from the repository root)::

    python scripts/i18n.py extract          # update both catalogs from the code
    python scripts/i18n.py extract --drop-obsolete
    python scripts/i18n.py check            # exit 1 listing untranslated or broken messages
    python scripts/i18n.py unresolved       # list _() calls whose argument was not extracted

The catalogs are ``src/sunshine/locale/<locale>/LC_MESSAGES/messages.po`` for ``zh_CN`` (the
default UI language) and ``en``. Message ids are English. ``extract`` keeps existing
translations, adds new ids (an empty msgstr for zh_CN, a copy of the msgid for en) and marks
ids the code no longer uses as obsolete (``#~``), so that a translation returns if the text
does. The files are written sorted, with file names but no line numbers, so running
``extract`` twice gives the same bytes.

What is extracted:

* ``_("...")`` (keyword parameters allowed) in Jinja templates and Python sources, also
  ``N_("...")`` and ``Translator(locale)("...")``. ``N_`` only marks a template whose
  parameters are given later (``FieldProblem(..., params=...)``, ``_(p.message, **p.params)``),
  so its placeholders are not checked at the mark;
* strings that reach ``_()`` through a variable, when they are literals in the code: a
  ``{% for %}`` / Python ``for`` or comprehension over a literal tuple, list or dict (or a
  module-level constant holding one, also imported from another module;
  ``.items()``/``.values()``/``.keys()``, ``D[k]`` and ``D.get(k)`` included), a
  ``{% set %}`` / assignment, a macro or function parameter (same template, imported
  macros, or same Python module) whose call sites or default pass literals;
* ``_(obj.attr)``: the literals passed for ``attr`` to the constructor of any class with
  that field or ``__init__`` parameter (e.g. ``_(error.message)`` finds
  ``NotFoundError("No such user")``), defaults included;
* in a template, ``_(name)`` where ``name`` is not set in the template: literals the Python
  code passes under that name (a ``"name": ...`` dict key or ``name=...`` keyword);
* every value of ``labels.LABELS``, ``labels.LICENCE_STATES`` and ``labels.FIELD_LABELS``;
* anything else computed at run time: list it in ``src/sunshine/portals/shared/msgids.py``
  with ``N_("...")``. ``unresolved`` shows the calls the extractor could not follow.
"""

from __future__ import annotations

import argparse
import ast
import io
import string
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po
from jinja2 import Environment, TemplateSyntaxError, nodes

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "sunshine"
LOCALE_DIR = PACKAGE / "locale"
LOCALES = ("zh_CN", "en")
TARGET_LOCALE = "zh_CN"  # the translation that must be complete
SOURCE_LOCALE = "en"  # msgids are English: msgstr == msgid
LABELS_MODULE = "sunshine.portals.shared.labels"
LABEL_DICTS = ("LABELS", "LICENCE_STATES", "FIELD_LABELS")

TRANSLATORS = frozenset({"_", "N_"})
TRANSLATOR_FACTORIES = frozenset({"Translator", "translator"})
# _() arguments that are dynamic but covered by the label dictionaries.
COVERED_CALLS = frozenset({"label"})
COVERED_NAMES = frozenset(LABEL_DICTS)

HEADER_COMMENT = """\
# {title} translations for Sunshine Food Safety (阳光食安).
# This file is distributed under the same license as the sunshine project.
# Maintained with `python scripts/i18n.py extract` and `python scripts/i18n.py check`.
#"""
TITLES = {"zh_CN": "Simplified Chinese", "en": "English"}

# -- what flows into _() ---------------------------------------------------------------------

# Literal containers nest no deeper than this; a longer path comes from recursion.
MAX_PATH = 8

# One step from a container to a value: iterate it ("plain", "items", "values" or "keys"),
# then take element ``index`` of each item (None: the item itself).
Step = tuple[str, int | None]


@dataclass(frozen=True)
class Lit:
    """A literal in the code (a Python ``ast`` or Jinja node) and the steps into it."""

    node: object
    path: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Param:
    """A parameter of a function or macro: its value comes from the call sites."""

    owner: tuple[str, str]  # (file or template name, function or macro name)
    index: int | None  # positional index; None for keyword-only
    name: str
    path: tuple[Step, ...] = ()


Source = Lit | Param
Scope = dict[str, list[Source]]


@dataclass
class CallSite:
    owner: tuple[str, str]
    args: list[list[Source]]
    kwargs: dict[str, list[Source]]
    location: str
    line: int
    starred: bool = False  # *args before a position: positions are unknown

    def argument(self, index: int | None, name: str) -> list[Source]:
        if index is not None and index < len(self.args) and not self.starred:
            return self.args[index]
        return self.kwargs.get(name, [])


@dataclass(frozen=True)
class Usage:
    location: str  # path relative to the repository root
    line: int
    kwargs: frozenset[str] | None  # names passed with a literal msgid; None: not known


@dataclass
class Extraction:
    messages: dict[str, list[Usage]] = field(default_factory=lambda: defaultdict(list))
    unresolved: list[str] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    translated: set[Param] = field(default_factory=set)
    defaults: dict[tuple[tuple[str, str], str], list[tuple[Source, str, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, msgid: str, location: str, line: int, kwargs: frozenset[str] | None) -> None:
        if msgid:
            self.messages[msgid].append(Usage(location, line, kwargs))

    def add_sources(self, sources: Iterable[Source], location: str, line: int) -> bool:
        """Record what ``_(x)`` receives; False when nothing could be followed."""
        found = False
        for source in sources:
            found = True
            if isinstance(source, Lit):
                for text in expand(source):
                    self.add(text, location, line, None)
            else:
                self.translated.add(source)
        return found

    def add_default(self, param: Param, source: Source, location: str, line: int) -> None:
        """A parameter's default value, used when a call leaves it out."""
        self.defaults[(param.owner, param.name)].append((source, location, line))

    def resolve_parameters(self) -> None:
        """Follow parameters that reach _() to the literals passed at their call sites."""
        by_owner: dict[tuple[str, str], list[CallSite]] = defaultdict(list)
        for call in self.calls:
            by_owner[call.owner].append(call)
        seen: set[Param] = set()
        queue = sorted(self.translated, key=repr)
        while queue:
            param = queue.pop()
            if param in seen:
                continue
            seen.add(param)
            passed = [
                (source, call.location, call.line)
                for call in by_owner.get(param.owner, [])
                for source in call.argument(param.index, param.name)
            ]
            passed += self.defaults.get((param.owner, param.name), [])
            for source, location, line in passed:
                if isinstance(source, Lit):
                    for text in expand(Lit(source.node, source.path + param.path)):
                        self.add(text, location, line, None)
                else:
                    path = source.path + param.path
                    if len(path) <= MAX_PATH:  # a recursive function would grow it forever
                        queue.append(Param(source.owner, source.index, source.name, path))


def _alternatives(node: object) -> list[object]:
    """Both branches of a conditional expression, recursively."""
    if isinstance(node, ast.IfExp):
        return [*_alternatives(node.body), *_alternatives(node.orelse)]
    if isinstance(node, nodes.CondExpr):
        return [*_alternatives(node.expr1), *_alternatives(node.expr2)]
    return [node]


def _pairs(node: object) -> list[tuple[object, object]] | None:
    if isinstance(node, ast.Dict):
        return [(k, v) for k, v in zip(node.keys, node.values, strict=True) if k is not None]
    if isinstance(node, nodes.Dict):
        return [(pair.key, pair.value) for pair in node.items]
    return None


def _elements(node: object, mode: str) -> list[object]:
    pairs = _pairs(node)
    if pairs is not None:
        if mode == "items":
            return list(pairs)
        if mode == "values":
            return [v for _k, v in pairs]
        return [k for k, _v in pairs]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return list(node.elts)
    if isinstance(node, nodes.Tuple | nodes.List):
        return list(node.items)
    return []


def _item(element: object, index: int) -> object | None:
    if isinstance(element, tuple):
        items: Sequence[object] = element
    elif isinstance(element, ast.Tuple | ast.List):
        items = element.elts
    elif isinstance(element, nodes.Tuple | nodes.List):
        items = element.items
    else:
        return None
    return items[index] if -len(items) <= index < len(items) else None


def _string(node: object) -> str | None:
    if isinstance(node, ast.Constant | nodes.Const) and isinstance(node.value, str):
        return node.value
    return None


def expand(source: Lit) -> list[str]:
    """The strings a literal yields after following its steps."""
    current = [source.node]
    for mode, index in source.path:
        following: list[object] = []
        for node in current:
            for alternative in _alternatives(node):
                for element in _elements(alternative, mode):
                    item = element if index is None else _item(element, index)
                    if item is not None:
                        following.append(item)
        current = following
    texts = [_string(alt) for node in current for alt in _alternatives(node)]
    return [text for text in texts if text is not None]


def _bind(
    target_names: list[str] | None, name: str, mode: str, sources: list[Source]
) -> list[Source]:
    """What a loop variable holds: each item of ``sources`` (or one element of it)."""
    index = None if target_names is None else target_names.index(name)
    return _step(sources, (mode, index))


def _step(sources: list[Source], step: Step) -> list[Source]:
    """``sources`` followed one step further."""
    out: list[Source] = []
    for source in sources:
        if isinstance(source, Lit):
            out.append(Lit(source.node, (*source.path, step)))
        else:
            out.append(Param(source.owner, source.index, source.name, (*source.path, step)))
    return out


# -- the project's Python: constants, imports, classes ----------------------------------------

CLASS_OWNER = "<class>"


@dataclass
class Module:
    name: str  # dotted
    location: str  # path relative to the repository root
    tree: ast.Module
    constants: dict[str, ast.expr] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # alias -> (mod, name)


@dataclass
class ProjectIndex:
    """What one module may need from another: constants, imports and class fields."""

    modules: dict[str, Module] = field(default_factory=dict)
    # attribute -> classes with that field, and its positional index (None: keyword only)
    fields: dict[str, list[tuple[str, int | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    classes: set[str] = field(default_factory=set)
    # template context: name -> what Python code passes under that name (dict keys, kwargs)
    context: dict[str, list[Source]] = field(default_factory=lambda: defaultdict(list))
    _resolving: set[tuple[str, str]] = field(default_factory=set)
    class_info: dict[str, ClassInfo] = field(default_factory=dict)

    @classmethod
    def build(cls, files: Iterable[Path]) -> ProjectIndex:
        index = cls()
        for path in files:
            dotted = ".".join(path.relative_to(SRC).with_suffix("").parts)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            index.add_module(
                dotted.removesuffix(".__init__"),
                path.relative_to(ROOT).as_posix(),
                tree,
                is_package=path.name == "__init__.py",
            )
        index.finish()
        return index

    def add_module(
        self, dotted: str, location: str, tree: ast.Module, is_package: bool = False
    ) -> Module:
        module = Module(dotted, location, tree)
        self.modules[dotted] = module
        package = dotted if is_package else dotted.rpartition(".")[0]
        for statement in tree.body:
            _index_statement(module, package, statement)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                self.class_info[node.name] = _class_info(node, dotted, location)
        return module

    def finish(self) -> None:
        """Index the fields of every class seen (after all modules are added)."""
        self.fields.clear()
        for name in self.class_info:
            self.classes.add(name)
            for attribute, position in _class_fields(name, self.class_info):
                self.fields[attribute].append((name, position))

    def class_defaults(self) -> Iterator[tuple[Param, Source, str, int]]:
        """Default values of constructor parameters: (parameter, value, file, line)."""
        for name in sorted(self.class_info):
            positions = dict(_class_fields(name, self.class_info))
            for attribute, (info, expr, line) in _class_defaults(name, self.class_info).items():
                param = Param((CLASS_OWNER, name), positions.get(attribute), attribute)
                for source in self.expression(info.module, expr):
                    yield param, source, info.location, line

    def constant(self, module: str, name: str) -> list[Source]:
        """What a module-level name holds (following assignments and imports)."""
        entry = self.modules.get(module)
        if entry is None or (module, name) in self._resolving:
            return []
        self._resolving.add((module, name))
        try:
            if name in entry.constants:
                return self.expression(module, entry.constants[name])
            if name in entry.imports:
                source_module, source_name = entry.imports[name]
                if source_name is not None:
                    return self.constant(source_module, source_name)
            return []
        finally:
            self._resolving.discard((module, name))

    def module_alias(self, module: str, alias: str) -> str | None:
        entry = self.modules.get(module)
        if entry is None or alias not in entry.imports:
            return None
        source_module, source_name = entry.imports[alias]
        dotted = source_module if source_name is None else f"{source_module}.{source_name}"
        return dotted if dotted in self.modules else None

    def expression(self, module: str, node: ast.expr) -> list[Source]:
        """Sources of an expression at module level."""
        if isinstance(node, ast.Constant | ast.Tuple | ast.List | ast.Set | ast.Dict):
            return [Lit(node)]
        if isinstance(node, ast.IfExp):
            return [*self.expression(module, node.body), *self.expression(module, node.orelse)]
        if isinstance(node, ast.Name):
            return self.constant(module, node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            target = self.module_alias(module, node.value.id)
            if target is not None:
                return self.constant(target, node.attr)
        return []

    def attribute(self, attribute: str) -> list[Source]:
        """``obj.attribute``: whatever the constructors of classes with that field receive."""
        return [
            Param((CLASS_OWNER, name), position, attribute)
            for name, position in self.fields.get(attribute, [])
        ]


def _index_statement(module: Module, package: str, statement: ast.stmt) -> None:
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            if isinstance(target, ast.Name):
                module.constants[target.id] = statement.value
    elif (
        isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and statement.value is not None
    ):
        module.constants[statement.target.id] = statement.value
    elif isinstance(statement, ast.Import):
        for alias in statement.names:
            if alias.asname:
                module.imports[alias.asname] = (alias.name, None)
    elif isinstance(statement, ast.ImportFrom):
        base = statement.module or ""
        if statement.level:
            parts = package.split(".")
            parts = parts[: len(parts) - statement.level + 1]
            base = ".".join([*parts, base] if base else parts)
        for alias in statement.names:
            module.imports[alias.asname or alias.name] = (base, alias.name)
    elif isinstance(statement, ast.If):  # e.g. `if TYPE_CHECKING:`
        for inner in [*statement.body, *statement.orelse]:
            _index_statement(module, package, inner)


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


@dataclass
class ClassInfo:
    """What a class's constructor takes, as far as the source shows."""

    module: str
    location: str
    bases: list[str]
    annotated: list[str]  # own annotated fields (dataclass style)
    positional: bool  # a dataclass or NamedTuple: fields are also positional
    init: list[tuple[str, int | None]] | None  # an explicit __init__: its parameters
    defaults: dict[str, tuple[ast.expr, int]]  # field or parameter -> default, line


def _class_info(node: ast.ClassDef, module: str, location: str) -> ClassInfo:
    bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
    annotated: list[str] = []
    defaults: dict[str, tuple[ast.expr, int]] = {}
    init: list[tuple[str, int | None]] | None = None
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            annotation = ast.unparse(statement.annotation)
            if "ClassVar" not in annotation and "KW_ONLY" not in annotation:
                annotated.append(statement.target.id)
                if statement.value is not None:
                    defaults[statement.target.id] = (statement.value, statement.lineno)
        elif isinstance(statement, ast.FunctionDef) and statement.name == "__init__":
            arguments = statement.args
            positional_args = [*arguments.posonlyargs, *arguments.args][1:]  # not self
            init = [(a.arg, i) for i, a in enumerate(positional_args)]
            init += [(a.arg, None) for a in arguments.kwonlyargs]
            with_defaults = positional_args[len(positional_args) - len(arguments.defaults) :]
            pairs = [
                *zip(with_defaults, arguments.defaults, strict=True),
                *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
            ]
            for argument, default in pairs:
                if default is not None:
                    defaults[argument.arg] = (default, default.lineno)
    positional = "NamedTuple" in bases or any(
        _decorator_name(d) == "dataclass" for d in node.decorator_list
    )
    return ClassInfo(module, location, bases, annotated, positional, init, defaults)


def _class_fields(
    name: str, classes: dict[str, ClassInfo], seen: frozenset[str] = frozenset()
) -> list[tuple[str, int | None]]:
    """The constructor's parameters: an explicit ``__init__``, else the fields (bases first)."""
    info = classes.get(name)
    if info is None or name in seen:
        return []
    if info.init is not None:
        return list(info.init)
    names: list[str] = []
    for base in info.bases:
        for attribute, _index in _class_fields(base, classes, seen | {name}):
            if attribute not in names:
                names.append(attribute)
    names.extend(a for a in info.annotated if a not in names)
    return [(a, i if info.positional else None) for i, a in enumerate(names)]


def _class_defaults(
    name: str, classes: dict[str, ClassInfo], seen: frozenset[str] = frozenset()
) -> dict[str, tuple[ClassInfo, ast.expr, int]]:
    info = classes.get(name)
    if info is None or name in seen:
        return {}
    out: dict[str, tuple[ClassInfo, ast.expr, int]] = {}
    if info.init is None:
        for base in info.bases:
            out.update(_class_defaults(base, classes, seen | {name}))
    out.update({k: (info, expr, line) for k, (expr, line) in info.defaults.items()})
    return out


# -- Python ----------------------------------------------------------------------------------


class PythonScanner:
    """Walks one module, tracking which literals each name may hold."""

    def __init__(self, index: ProjectIndex, module: Module, result: Extraction) -> None:
        self.index = index
        self.module = module
        self.location = module.location
        self.result = result
        self.classes: list[str] = []

    def scan(self) -> None:
        scope: Scope = {}
        names = [*self.module.constants, *self.module.imports]
        for name in names:  # module constants are visible to every function
            scope[name] = self.index.constant(self.module.name, name)
        for statement in self.module.tree.body:
            self.visit(statement, scope, set())

    def sources(self, node: ast.expr, scope: Scope) -> list[Source]:
        if isinstance(node, ast.Constant | ast.Tuple | ast.List | ast.Set | ast.Dict):
            return [Lit(node)]
        if isinstance(node, ast.IfExp):
            return [*self.sources(node.body, scope), *self.sources(node.orelse, scope)]
        if isinstance(node, ast.Name):
            return list(scope.get(node.id, []))
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                target = self.index.module_alias(self.module.name, node.value.id)
                if target is not None:
                    return self.index.constant(target, node.attr)
            return self.index.attribute(node.attr)
        if isinstance(node, ast.Subscript):  # D[key]: any value of D
            return _step(self.sources(node.value, scope), ("values", None))
        if (  # D.get(key, default)
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
        ):
            return _step(self.sources(node.func.value, scope), ("values", None))
        return []

    @staticmethod
    def _iteration(node: ast.expr) -> tuple[str, ast.expr]:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("items", "values", "keys")
            and not node.args
            and not node.keywords
        ):
            return node.func.attr, node.func.value
        return "plain", node

    def bind_loop(
        self, target: ast.expr, iterable: ast.expr, scope: Scope, local: set[str]
    ) -> None:
        mode, container = self._iteration(iterable)
        sources = self.sources(container, scope)
        if isinstance(target, ast.Name):
            self.assign(target.id, _bind(None, target.id, mode, sources), scope, local)
        elif isinstance(target, ast.Tuple | ast.List):
            names = [e.id if isinstance(e, ast.Name) else "" for e in target.elts]
            for name in names:
                if name:
                    self.assign(name, _bind(names, name, mode, sources), scope, local)
            for element in target.elts:
                if not isinstance(element, ast.Name):
                    self.shadow(element, scope, local)
        else:
            self.shadow(target, scope, local)

    @staticmethod
    def assign(name: str, sources: list[Source], scope: Scope, local: set[str]) -> None:
        """A local assigned twice may hold either value (if/else branches, loops)."""
        if name in local:
            scope[name] = [*scope.get(name, []), *sources]
        else:
            scope[name] = list(sources)
            local.add(name)

    def shadow(self, target: ast.AST, scope: Scope, local: set[str]) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self.assign(node.id, [], scope, local)

    def visit(self, node: ast.AST, scope: Scope, local: set[str]) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            self.visit_function(node, scope, local)
        elif isinstance(node, ast.ClassDef):
            for child in [*node.bases, *node.keywords, *node.decorator_list]:
                self.visit(child, scope, local)
            self.classes.append(node.name)
            inner = dict(scope)
            for statement in node.body:
                self.visit(statement, inner, set())
            self.classes.pop()
        elif isinstance(node, ast.For | ast.AsyncFor):
            self.visit(node.iter, scope, local)
            self.bind_loop(node.target, node.iter, scope, local)
            for statement in [*node.body, *node.orelse]:
                self.visit(statement, scope, local)
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            self.visit_comprehension(node, scope, local)
        elif isinstance(node, ast.Assign):
            self.visit(node.value, scope, local)
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.assign(target.id, self.sources(node.value, scope), scope, local)
                else:
                    self.visit(target, scope, local)
                    if isinstance(target, ast.Tuple | ast.List | ast.Starred):
                        self.shadow(target, scope, local)
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and isinstance(node.target, ast.Name):
            if node.value is not None:
                self.visit(node.value, scope, local)
                self.assign(node.target.id, self.sources(node.value, scope), scope, local)
        else:
            if isinstance(node, ast.Call):
                self.visit_call(node, scope)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        self.index.context[key.value].extend(self.sources(value, scope))
            for child in ast.iter_child_nodes(node):
                self.visit(child, scope, local)

    def visit_comprehension(
        self,
        node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
        scope: Scope,
        local: set[str],
    ) -> None:
        inner = dict(scope)
        inner_local = set(local)
        for generator in node.generators:
            self.visit(generator.iter, inner, inner_local)
            self.bind_loop(generator.target, generator.iter, inner, inner_local)
            for condition in generator.ifs:
                self.visit(condition, inner, inner_local)
        if isinstance(node, ast.DictComp):
            self.visit(node.key, inner, inner_local)
            self.visit(node.value, inner, inner_local)
        else:
            self.visit(node.elt, inner, inner_local)

    def visit_function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        scope: Scope,
        local: set[str],
    ) -> None:
        name = "<lambda>" if isinstance(node, ast.Lambda) else node.name
        owner = (self.location, name)
        arguments = node.args
        for default in [*arguments.defaults, *arguments.kw_defaults]:
            if default is not None:
                self.visit(default, scope, local)
        if not isinstance(node, ast.Lambda):
            for decorator in node.decorator_list:
                self.visit(decorator, scope, local)
            self.assign(node.name, [], scope, local)
        inner = dict(scope)
        positional = [*arguments.posonlyargs, *arguments.args]
        for index, argument in enumerate(positional):
            inner[argument.arg] = [Param(owner, index, argument.arg)]
        for argument in arguments.kwonlyargs:
            inner[argument.arg] = [Param(owner, None, argument.arg)]
        with_defaults = positional[len(positional) - len(arguments.defaults) :]
        pairs = [
            *zip(with_defaults, arguments.defaults, strict=True),
            *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
        ]
        for argument, default in pairs:
            if default is not None:
                param = inner[argument.arg][0]
                assert isinstance(param, Param)
                for source in self.sources(default, scope):
                    self.result.add_default(param, source, self.location, default.lineno)
        for rest in (arguments.vararg, arguments.kwarg):
            if rest is not None:
                inner[rest.arg] = []
        inner_local = {a.arg for a in [*positional, *arguments.kwonlyargs]}
        body: list[ast.AST] = [node.body] if isinstance(node, ast.Lambda) else list(node.body)
        for statement in body:
            self.visit(statement, inner, inner_local)

    def visit_call(self, node: ast.Call, scope: Scope) -> None:
        func = node.func
        if _is_translation(func):
            self.translation(node, scope)
            return
        args = [self.sources(a, scope) for a in node.args]
        kwargs = {k.arg: self.sources(k.value, scope) for k in node.keywords if k.arg}
        for key, value in kwargs.items():
            self.index.context[key].extend(value)
        starred = any(isinstance(a, ast.Starred) for a in node.args)
        owners: list[tuple[str, str]] = []
        if isinstance(func, ast.Name):
            owners.append((self.location, func.id))
            if func.id == "cls" and self.classes:
                owners.append((CLASS_OWNER, self.classes[-1]))
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in self.index.classes:
            owners.append((CLASS_OWNER, name))
        for owner in owners:
            self.result.calls.append(
                CallSite(owner, args, kwargs, self.location, node.lineno, starred)
            )

    def translation(self, node: ast.Call, scope: Scope) -> None:
        if not node.args:
            return
        argument = node.args[0]
        text = _string(argument)
        if text is not None:
            kwargs: frozenset[str] | None = frozenset(k.arg for k in node.keywords if k.arg)
            if any(k.arg is None for k in node.keywords) or len(node.args) > 1 or _is_mark(node):
                kwargs = None
            self.result.add(text, self.location, node.lineno, kwargs)
            return
        if (
            isinstance(argument, ast.Call)
            and isinstance(argument.func, ast.Name)
            and argument.func.id in COVERED_CALLS
        ):
            return
        if (
            isinstance(argument, ast.Subscript)
            and isinstance(argument.value, ast.Name)
            and argument.value.id in COVERED_NAMES
        ):
            return
        if self.result.add_sources(self.sources(argument, scope), self.location, node.lineno):
            return
        self.result.unresolved.append(f"{self.location}:{node.lineno}: _({ast.unparse(argument)})")


def _is_mark(node: ast.Call) -> bool:
    """``N_("...")``: a message id marked for later; its parameters come where it is shown."""
    return isinstance(node.func, ast.Name) and node.func.id == "N_"


def _is_translation(func: ast.expr) -> bool:
    """``_(...)``, ``N_(...)`` or ``Translator(locale)(...)``."""
    if isinstance(func, ast.Name):
        return func.id in TRANSLATORS
    if isinstance(func, ast.Call):
        inner = func.func
        name = inner.id if isinstance(inner, ast.Name) else getattr(inner, "attr", "")
        return name in TRANSLATOR_FACTORIES
    return False


def scan_python(result: Extraction, index: ProjectIndex) -> None:
    for param, source, location, line in index.class_defaults():
        result.add_default(param, source, location, line)
    for name in sorted(index.modules):
        PythonScanner(index, index.modules[name], result).scan()


# -- Jinja templates -------------------------------------------------------------------------


@dataclass
class _RawCall:
    template: str
    callee: tuple[str, ...]  # ("name", macro) or ("attr", alias, macro)
    args: list[list[Source]]
    kwargs: dict[str, list[Source]]
    line: int
    starred: bool


@dataclass
class TemplateScanner:
    """Walks every template; macro calls are matched to their macros afterwards."""

    environment: Environment
    index: ProjectIndex
    result: Extraction
    macros: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    from_imports: dict[str, dict[str, tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    module_imports: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    raw_calls: list[_RawCall] = field(default_factory=list)
    locations: dict[str, str] = field(default_factory=dict)

    def scan(self, name: str, source: str, location: str) -> None:
        self.locations[name] = location
        tree = self.environment.parse(source, name, location)
        self.visit(tree, name, {})

    def sources(self, node: nodes.Node, scope: Scope) -> list[Source]:
        if isinstance(node, nodes.Const | nodes.Tuple | nodes.List | nodes.Dict):
            return [Lit(node)]
        if isinstance(node, nodes.CondExpr):
            otherwise = self.sources(node.expr2, scope) if node.expr2 is not None else []
            return [*self.sources(node.expr1, scope), *otherwise]
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return list(scope[node.name])
            # not set in the template: what Python passes under that name
            return [s for s in self.index.context.get(node.name, []) if isinstance(s, Lit)]
        if isinstance(node, nodes.Getattr):
            return self.index.attribute(node.attr)
        if isinstance(node, nodes.Getitem):
            return _step(self.sources(node.node, scope), ("values", None))
        if (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Getattr)
            and node.node.attr == "get"
        ):
            return _step(self.sources(node.node.node, scope), ("values", None))
        return []

    def bind(self, target: nodes.Node, iterable: nodes.Node, scope: Scope, inner: Scope) -> None:
        mode = "plain"
        container = iterable
        if (
            isinstance(iterable, nodes.Call)
            and isinstance(iterable.node, nodes.Getattr)
            and iterable.node.attr in ("items", "values", "keys")
            and not iterable.args
        ):
            mode, container = iterable.node.attr, iterable.node.node
        sources = self.sources(container, scope)
        if isinstance(target, nodes.Name):
            inner[target.name] = _bind(None, target.name, mode, sources)
        elif isinstance(target, nodes.Tuple):
            names = [t.name if isinstance(t, nodes.Name) else "" for t in target.items]
            for name in names:
                if name:
                    inner[name] = _bind(names, name, mode, sources)

    def visit(self, node: nodes.Node, template: str, scope: Scope) -> None:
        if isinstance(node, nodes.Macro):
            self.macros[template].add(node.name)
            for default in node.defaults:
                self.visit(default, template, scope)
            inner = dict(scope)
            for index, argument in enumerate(node.args):
                inner[argument.name] = [Param((template, node.name), index, argument.name)]
            with_defaults = node.args[len(node.args) - len(node.defaults) :]
            for argument, default in zip(with_defaults, node.defaults, strict=True):
                param = Param((template, node.name), node.args.index(argument), argument.name)
                for source in self.sources(default, scope):
                    self.result.add_default(param, source, self.locations[template], default.lineno)
            for child in node.body:
                self.visit(child, template, inner)
        elif isinstance(node, nodes.For):
            self.visit(node.iter, template, scope)
            inner = dict(scope)
            self.bind(node.target, node.iter, scope, inner)
            for child in node.body:
                self.visit(child, template, inner)
            if node.test is not None:
                self.visit(node.test, template, inner)
            for child in node.else_:
                self.visit(child, template, scope)
        elif isinstance(node, nodes.Assign):
            self.visit(node.node, template, scope)
            if isinstance(node.target, nodes.Name):
                # {% set %} inside {% if %} branches: the name may hold either value
                name = node.target.name
                scope[name] = [*scope.get(name, []), *self.sources(node.node, scope)]
            else:
                for bound in node.target.find_all(nodes.Name):
                    scope[bound.name] = []
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                self.visit(value, template, scope)
                if isinstance(target, nodes.Name):
                    inner[target.name] = self.sources(value, scope)
            for child in node.body:
                self.visit(child, template, inner)
        elif isinstance(node, nodes.FromImport):
            imported = _string(node.template)
            for entry in node.names:
                original, alias = entry if isinstance(entry, tuple) else (entry, entry)
                if imported:
                    self.from_imports[template][alias] = (imported, original)
        elif isinstance(node, nodes.Import):
            imported = _string(node.template)
            if imported:
                self.module_imports[template][node.target] = imported
        else:
            if isinstance(node, nodes.Call):
                self.visit_call(node, template, scope)
            for child in node.iter_child_nodes():
                self.visit(child, template, scope)

    def visit_call(self, node: nodes.Call, template: str, scope: Scope) -> None:
        callee = node.node
        location = self.locations[template]
        if isinstance(callee, nodes.Name) and callee.name in TRANSLATORS:
            self.translation(node, scope, location)
            return
        key: tuple[str, ...] | None = None
        if isinstance(callee, nodes.Name):
            key = ("name", callee.name)
        elif isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name):
            key = ("attr", callee.node.name, callee.attr)
        if key is not None:
            self.raw_calls.append(
                _RawCall(
                    template=template,
                    callee=key,
                    args=[self.sources(a, scope) for a in node.args],
                    kwargs={k.key: self.sources(k.value, scope) for k in node.kwargs},
                    line=node.lineno,
                    starred=node.dyn_args is not None,
                )
            )

    def translation(self, node: nodes.Call, scope: Scope, location: str) -> None:
        if not node.args:
            return
        argument = node.args[0]
        text = _string(argument)
        if text is not None:
            kwargs: frozenset[str] | None = frozenset(k.key for k in node.kwargs)
            if node.dyn_kwargs is not None or node.dyn_args is not None or len(node.args) > 1:
                kwargs = None
            self.result.add(text, location, node.lineno, kwargs)
            return
        if (
            isinstance(argument, nodes.Call)
            and isinstance(argument.node, nodes.Name)
            and argument.node.name in COVERED_CALLS
        ):
            return
        if (
            isinstance(argument, nodes.Getitem)
            and isinstance(argument.node, nodes.Name)
            and argument.node.name in COVERED_NAMES
        ):
            return
        if self.result.add_sources(self.sources(argument, scope), location, node.lineno):
            return
        shown = argument.name if isinstance(argument, nodes.Name) else type(argument).__name__
        self.result.unresolved.append(f"{location}:{node.lineno}: _({shown})")

    def finish(self) -> None:
        """Turn macro calls into call sites of the macro they reach."""
        for call in self.raw_calls:
            owner: tuple[str, str] | None = None
            if call.callee[0] == "name":
                macro = call.callee[1]
                if macro in self.macros[call.template]:
                    owner = (call.template, macro)
                elif macro in self.from_imports[call.template]:
                    owner = self.from_imports[call.template][macro]
            elif call.callee[1] in self.module_imports[call.template]:
                owner = (self.module_imports[call.template][call.callee[1]], call.callee[2])
            if owner is not None:
                self.result.calls.append(
                    CallSite(
                        owner,
                        call.args,
                        call.kwargs,
                        self.locations[call.template],
                        call.line,
                        call.starred,
                    )
                )


def _template_environment() -> tuple[Environment, list[tuple[str, Path]]]:
    """The portals' Jinja environment and its templates as (name, file)."""
    _importable()
    from sunshine.portals.shared.templating import ENV

    named: list[tuple[str, Path]] = []
    assert ENV.loader is not None
    for name in ENV.list_templates(extensions=["html"]):
        _source, filename, _uptodate = ENV.loader.get_source(ENV, name)
        if filename:
            named.append((name, Path(filename).resolve()))
    return ENV, named


def scan_templates(result: Extraction, index: ProjectIndex) -> None:
    environment, named = _template_environment()
    scanner = TemplateScanner(environment, index, result)
    known = {path for _name, path in named}
    # templates outside the loader's folders still count (named by their file)
    stray = [
        (path.relative_to(PACKAGE).as_posix(), path)
        for path in sorted(PACKAGE.rglob("*.html"))
        if path.resolve() not in known
    ]
    for name, path in [*named, *stray]:
        location = path.resolve().relative_to(ROOT).as_posix()
        scanner.scan(name, path.read_text(encoding="utf-8"), location)
    scanner.finish()


def _importable() -> None:
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))


def scan_labels(result: Extraction) -> None:
    import importlib

    _importable()
    module = importlib.import_module(LABELS_MODULE)
    location = Path(module.__file__ or "").resolve().relative_to(ROOT).as_posix()
    for attribute in LABEL_DICTS:
        for value in getattr(module, attribute).values():
            result.add(str(value), location, 0, None)


def python_files() -> list[Path]:
    # Migrations hold no text anyone reads, but many calls (``sa.Column("name", ...)``)
    # that the call-site rules would take for calls of the project's own classes.
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if "__pycache__" not in p.parts and "migrations" not in p.parts
    )


def extract() -> Extraction:
    """Every message id the code uses, with where it is used."""
    result = Extraction()
    index = ProjectIndex.build(python_files())
    scan_python(result, index)  # first: it records what Python passes to the templates
    scan_templates(result, index)
    scan_labels(result)
    result.resolve_parameters()
    return result


# -- catalogs --------------------------------------------------------------------------------


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(locale: str) -> Catalog | None:
    path = po_path(locale)
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, abort_invalid=True)


def placeholders(text: str) -> list[str] | None:
    """The ``{name}`` fields of a str.format string, sorted; None when it is malformed."""
    try:
        names = [
            name.split(".")[0].split("[")[0]
            for _lit, name, _spec, _conv in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        return None
    return sorted(names)


def _message_text(message: Message) -> str:
    return message.string if isinstance(message.string, str) else ""


def build_catalog(
    locale: str, extraction: Extraction, old: Catalog | None, drop_obsolete: bool
) -> Catalog:
    from sunshine import __version__

    now = datetime.now(UTC)
    catalog = Catalog(
        locale=locale,
        domain="messages",
        header_comment=HEADER_COMMENT.format(title=TITLES.get(locale, locale)),
        project="sunshine",
        version=__version__,
        copyright_holder="Sunshine Food Safety",
        creation_date=old.creation_date if old else now,
        revision_date=old.revision_date if old else now,
        last_translator=old.last_translator if old else "Sunshine Food Safety developers",
        language_team=old.language_team if old else f"{TITLES.get(locale, locale)}",
        fuzzy=False,
    )
    used = set(extraction.messages)
    for msgid in sorted(used):
        previous = None
        if old is not None:
            previous = old.get(msgid) or old.obsolete.get(msgid)
        text = _message_text(previous) if previous is not None else ""
        if not text and locale == SOURCE_LOCALE:
            text = msgid
        flags = set()
        if previous is not None and previous.fuzzy:
            flags.add("fuzzy")
        if placeholders(msgid):
            flags.add("python-brace-format")
        locations = sorted({(u.location, 0) for u in extraction.messages[msgid]})
        catalog.add(
            msgid,
            text,
            locations=locations,
            flags=flags,
            user_comments=previous.user_comments if previous is not None else (),
        )
    if old is not None and not drop_obsolete:
        retired = [m for m in old if m.id and m.id not in used]
        retired += [m for m in old.obsolete.values() if m.id not in used]
        for message in retired:
            if isinstance(message.id, str) and _message_text(message):
                catalog.obsolete[message.id] = Message(
                    message.id, message.string, user_comments=message.user_comments
                )
    return catalog


def render_catalog(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, sort_output=True, include_lineno=False, width=100)
    return buffer.getvalue()


@dataclass
class UpdateReport:
    locale: str
    total: int
    added: list[str]
    retired: list[str]
    untranslated: int
    changed: bool


def update_catalogs(extraction: Extraction, drop_obsolete: bool = False) -> list[UpdateReport]:
    reports = []
    for locale in LOCALES:
        old = read_catalog(locale)
        catalog = build_catalog(locale, extraction, old, drop_obsolete)
        content = render_catalog(catalog)
        path = po_path(locale)
        before = path.read_bytes() if path.is_file() else b""
        if content != before and old is not None:
            # the content changed: stamp the revision date (kept otherwise, for stable bytes)
            catalog.revision_date = datetime.now(UTC)
            content = render_catalog(catalog)
        changed = content != before
        if changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        old_ids = {str(m.id) for m in old if m.id} if old is not None else set()
        reports.append(
            UpdateReport(
                locale=locale,
                total=len(extraction.messages),
                added=sorted(set(extraction.messages) - old_ids),
                retired=sorted(old_ids - set(extraction.messages)),
                untranslated=sum(1 for m in catalog if m.id and not m.string),
                changed=changed,
            )
        )
    return reports


# -- checks ----------------------------------------------------------------------------------


def _where(usages: list[Usage]) -> str:
    first = usages[0]
    more = f" (+{len(usages) - 1} more)" if len(usages) > 1 else ""
    return f"{first.location}:{first.line}{more}" if first.line else f"{first.location}{more}"


def check(extraction: Extraction | None = None) -> list[str]:
    """Problems that must be fixed; empty when the catalogs are complete and consistent."""
    extraction = extraction or extract()
    problems: list[str] = []
    catalogs = {locale: read_catalog(locale) for locale in LOCALES}
    for locale, catalog in catalogs.items():
        if catalog is None:
            problems.append(f"{po_path(locale).relative_to(ROOT)}: missing; run extract")
    for msgid, usages in sorted(extraction.messages.items()):
        fields = placeholders(msgid)
        for usage in usages:
            if usage.kwargs is None or fields is None:
                continue
            if set(fields) - usage.kwargs:
                missing = ", ".join(sorted(set(fields) - usage.kwargs))
                if usage.kwargs:
                    problems.append(
                        f"{usage.location}:{usage.line}: _({msgid!r}) lacks parameter(s) {missing}"
                    )
                else:
                    problems.append(
                        f"{usage.location}:{usage.line}: _({msgid!r}) passes no parameters, "
                        f"so {{{missing}}} would be shown as is"
                    )
        if fields is None:
            problems.append(f"{_where(usages)}: msgid {msgid!r} is not a valid format string")
        for locale, catalog in catalogs.items():
            if catalog is None:
                continue
            message = catalog.get(msgid)
            if message is None:
                problems.append(f"{locale}: missing {msgid!r} (used at {_where(usages)})")
                continue
            text = _message_text(message)
            if not text:
                problems.append(f"{locale}: untranslated {msgid!r} (used at {_where(usages)})")
                continue
            if message.fuzzy:
                problems.append(f"{locale}: fuzzy (needs review) {msgid!r}")
            if fields is not None and placeholders(text) != fields:
                problems.append(
                    f"{locale}: placeholders differ in {msgid!r} -> {text!r} "
                    f"({fields} != {placeholders(text)})"
                )
    return problems


def warnings(extraction: Extraction) -> list[str]:
    """Worth a look, but not errors."""
    out: list[str] = []
    catalog = read_catalog(TARGET_LOCALE)
    if catalog is not None:
        for msgid in sorted(extraction.messages):
            message = catalog.get(msgid)
            if message is not None and message.string == msgid and any(c.isalpha() for c in msgid):
                out.append(f"{TARGET_LOCALE}: msgstr equals the English msgid {msgid!r}")
    out.extend(f"not extracted: {line}" for line in extraction.unresolved)
    return out


# -- command line ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    extract_cmd = commands.add_parser("extract", help="update the catalogs from the code")
    extract_cmd.add_argument(
        "--drop-obsolete", action="store_true", help="drop ids no longer used instead of #~"
    )
    commands.add_parser("check", help="exit 1 when a used msgid lacks a Chinese translation")
    commands.add_parser("unresolved", help="list _() arguments the extractor cannot follow")
    args = parser.parse_args(argv)

    try:
        extraction = extract()
    except (SyntaxError, TemplateSyntaxError) as exc:
        print(f"cannot read {exc.filename}:{exc.lineno}: {exc}", file=sys.stderr)
        return 2
    if args.command == "extract":
        for report in update_catalogs(extraction, drop_obsolete=args.drop_obsolete):
            state = "updated" if report.changed else "unchanged"
            print(
                f"{po_path(report.locale).relative_to(ROOT)}: {state}; {report.total} msgids, "
                f"{len(report.added)} new, {len(report.retired)} no longer used, "
                f"{report.untranslated} untranslated"
            )
            if report.locale == TARGET_LOCALE:
                for msgid in report.added:
                    print(f"  + {msgid}")
                for msgid in report.retired:
                    print(f"  - {msgid}")
        for line in extraction.unresolved:
            print(f"note: not extracted: {line}")
        return 0
    if args.command == "unresolved":
        for line in extraction.unresolved:
            print(line)
        return 0
    problems = check(extraction)
    for line in warnings(extraction):
        print(f"warning: {line}")
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} problem(s); translate them in {po_path(TARGET_LOCALE)}")
        return 1
    print(f"ok: {len(extraction.messages)} msgids translated in {', '.join(LOCALES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
