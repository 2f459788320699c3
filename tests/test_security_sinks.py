"""No viewer text reaches a widget as a markup string: an AST walk over the package proves it.

On Textual 8 / Rich 15 a plain `str` given to `Static`, `Label`, `Button`, `Static.update`,
`notify`, `border_title`, a `DataTable` cell, a `Tree` label, `RichLog.write`, a widget's `render()`
or `Content.from_text` is parsed as markup: ``a [/] b`` raises `MarkupError` and
``[@click=app.screenshot(...)]`` runs an action when clicked. `rich.markup.escape` is not enough.

The walker flags every such sink whose text argument is not provably safe. Provably safe is:

- a literal string (our own words) or a non-string literal;
- a `Text`/`Content` built by a constructor that does not parse markup (`Text(...)`,
  `Text.assemble`, `Content(...)`, `Content.assemble`, `Content.styled`, `Content.from_rich_text`,
  `Content.from_text(..., markup=False)`), or a template with variables
  (`Content.from_markup("$name", name=...)` with a literal template);
- a call to a package function annotated to return `Text`/`Content`, or a local name whose every
  binding in the function is one of the above (a parameter annotated `Text`/`Content`, a loop over a
  literal tuple of literal strings, an assignment from a safe expression).

`safetext.display` returns a `str`: still markup. It is accepted only where markup is off
(``markup=False``, ``App.title``), where the sink shows the text as typed and `display` keeps the
escapes out. An f-string, ``%`` or ``.format`` string or a concatenation counts as a safe plain
string only when every piece is literal, sanitised (`display`, `display_name`, or a package function
that only returns their result) or formatted as a number (``{n:,}``), and never in a markup sink.

A line can opt out with ``# safe-markup: <reason>`` for text that is ours but not literal.

Only modules that import Textual or Rich are walked for widget sinks: the rest of the package is
proven (`test_import_hygiene`) never to import them, so it cannot build a widget. The text the CLI
prints after the screen closes is tested by behaviour in `test_security_cli.py`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "backstage_tui"
OPT_OUT = re.compile(r"#\s*safe-markup:\s*\S")

# Constructors and helpers whose result is never parsed as markup.
SAFE_CONSTRUCTORS = frozenset(
    {
        "Text",
        "Content",
        "Strip",
        "Segment",
        "Text.assemble",
        "Content.assemble",
        "Content.styled",
        "Content.from_rich_text",
        "Content.blank",
        "Text.styled",
    }
)
TEXTUAL_TYPES = frozenset({"Text", "Content", "Strip"})
SANITISERS = frozenset({"display", "display_name", "safetext.display", "safetext.display_name"})
# Calls that parse their first argument as markup or ANSI: only a literal template is allowed.
PARSERS = frozenset(
    {"Text.from_markup", "Text.from_ansi", "Content.from_markup", "render_markup", "render_str"}
)
# Widget classes whose text argument is markup unless ``markup=False`` is given; arg position/names.
WIDGETS: dict[str, tuple[int, tuple[str, ...]]] = {
    "Static": (0, ("content", "renderable")),
    "Label": (0, ("content", "renderable")),
    "Button": (0, ("label",)),
    "Tree": (0, ("label",)),
    "Link": (0, ("text",)),
    "Checkbox": (0, ("label",)),
    "RadioButton": (0, ("label",)),
    "Tab": (0, ("label",)),
    "TabPane": (0, ("title",)),
    "Collapsible": (99, ("title",)),
    "Option": (0, ("prompt",)),
    "DiscoveryHit": (0, ("display",)),
    "Hit": (1, ("match_display",)),
}
# Markdown turns text into links and styles whatever the arguments: only literals are allowed.
LITERAL_ONLY = frozenset({"Markdown", "MarkdownViewer"})
MARKUP_ATTRIBUTES = frozenset({"border_title", "border_subtitle", "tooltip", "label"})
# `App.title`/`Screen.title` are drawn with `Content(title)` on Textual 8: no markup, but the text
# reaches the terminal as it is, so it must be sanitised.
PLAIN_ATTRIBUTES = frozenset({"title", "sub_title"})
TRIMMERS = frozenset({"strip", "rstrip", "lstrip", "upper", "lower", "ljust", "rjust", "center"})
NUMERIC_SPEC = re.compile(r"[,_]|[bcdeEfFgGnoxX%]$")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    sink: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.sink}: {self.why}"


@dataclass
class PackageFacts:
    """What the walk needs to know about the whole package."""

    text_functions: set[str] = field(default_factory=set)
    """Functions and methods annotated to return `Text`/`Content`/`Strip`."""
    plain_functions: set[str] = field(default_factory=lambda: set(SANITISERS))
    """Functions that only ever return sanitised text."""


def _name(node: ast.expr) -> str:
    """``Text.assemble`` for an attribute chain, ``Static`` for a name, '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _name(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""


def _tail(node: ast.expr) -> str:
    """The last part of a called name: ``update`` for ``self.body.update``."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _annotation_is_text(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    words = set(re.findall(r"[A-Za-z_]+", ast.unparse(annotation)))
    # `Text | None` is fine; `str | Text` is not: it may be a str.
    return bool(words & TEXTUAL_TYPES) and not words & {"str", "Any", "object", "RenderableType"}


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _returns(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr | None]:
    found: list[ast.expr | None] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Return):
                found.append(child.value)
            visit(child)

    visit(func)
    return found


def gather_facts(trees: Iterable[ast.AST]) -> PackageFacts:
    facts = PackageFacts()
    funcs = [func for tree in trees for func in _functions(tree)]
    for func in funcs:
        if _annotation_is_text(func.returns):
            facts.text_functions.add(func.name)
    # A function is a sanitiser when all it returns is a sanitiser's result: iterate to a fixpoint.
    changed = True
    while changed:
        changed = False
        for func in funcs:
            if func.name in facts.plain_functions:
                continue
            values = _returns(func)
            if values and all(
                isinstance(v, ast.Call) and _tail(v.func) in facts.plain_functions for v in values
            ):
                facts.plain_functions.add(func.name)
                changed = True
    return facts


class _Scope:
    """Safe kinds of the names bound in one function (or a module)."""

    def __init__(self, parent: _Scope | None = None) -> None:
        self.parent = parent
        self.bindings: dict[str, list[frozenset[str]]] = {}

    def bind(self, name: str, kinds: frozenset[str]) -> None:
        self.bindings.setdefault(name, []).append(kinds)

    def kinds(self, name: str) -> frozenset[str]:
        if name in self.bindings:
            found = self.bindings[name]
            return frozenset.intersection(*found) if found else frozenset()
        return self.parent.kinds(name) if self.parent else frozenset()


MARKUP_SAFE = "markup"
"""Not parsed as markup wherever it goes (a `Text`/`Content`, or our own literal)."""
PLAIN_SAFE = "plain"
"""A `str` with no control characters: fine where markup is off."""
BOTH = frozenset({MARKUP_SAFE, PLAIN_SAFE})
NONE: frozenset[str] = frozenset()


class _Walker(ast.NodeVisitor):
    def __init__(self, path: str, source: str, facts: PackageFacts) -> None:
        self.path = path
        self.lines = source.splitlines()
        self.facts = facts
        self.findings: list[Finding] = []
        self.scope = _Scope()
        self.rich_print = False
        self._in_render = False

    # -- what an expression is --

    def kinds(self, node: ast.expr | None) -> frozenset[str]:
        if node is None:
            return BOTH
        if isinstance(node, ast.Constant):
            return BOTH
        if isinstance(node, ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp):
            return BOTH  # not text: no sink accepts these as text
        if isinstance(node, ast.List | ast.Tuple):
            # A (text, style) pair or a list of them, as `Text.assemble` and `Content.assemble` take.
            parts = [self.kinds(e) for e in node.elts]
            return frozenset.intersection(*parts) if parts else BOTH
        if isinstance(node, ast.Name):
            return self.scope.kinds(node.id)
        if isinstance(node, ast.IfExp):
            return self.kinds(node.body) & self.kinds(node.orelse)
        if isinstance(node, ast.JoinedStr):
            return self._formatted(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            both = self.kinds(node.left) & self.kinds(node.right)
            return both & {PLAIN_SAFE}
        if isinstance(node, ast.Call):
            return self._call_kinds(node)
        return NONE

    def _formatted(self, node: ast.JoinedStr) -> frozenset[str]:
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                spec = value.format_spec
                spec_text = ast.unparse(spec) if spec is not None else ""
                numeric = bool(spec is not None and NUMERIC_SPEC.search(spec_text.strip("f'\"")))
                if not numeric and PLAIN_SAFE not in self.kinds(value.value):
                    return NONE
        return frozenset({PLAIN_SAFE})

    def _call_kinds(self, node: ast.Call) -> frozenset[str]:
        name = _name(node.func)
        tail = _tail(node.func)
        if name in SAFE_CONSTRUCTORS:
            return frozenset({MARKUP_SAFE})
        if name == "Content.from_text":
            off = any(
                k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
                for k in node.keywords
            )
            if off or (node.args and MARKUP_SAFE in self.kinds(node.args[0])):
                return frozenset({MARKUP_SAFE})
            return NONE
        if name in PARSERS or tail in PARSERS:
            template = node.args[0] if node.args else None
            return frozenset({MARKUP_SAFE}) if isinstance(template, ast.Constant) else NONE
        if tail in self.facts.text_functions:
            return frozenset({MARKUP_SAFE})
        if tail in self.facts.plain_functions:
            return frozenset({PLAIN_SAFE})
        if isinstance(node.func, ast.Attribute) and tail in TRIMMERS:
            # The same text, trimmed or padded: it stays what it was.
            return self.kinds(node.func.value) & {PLAIN_SAFE}
        return NONE

    # -- reporting --

    def _opted_out(self, node: ast.AST) -> bool:
        first = getattr(node, "lineno", 0)
        last = getattr(node, "end_lineno", first) or first
        return any(OPT_OUT.search(self.lines[n - 1]) for n in range(first, last + 1))

    def check(self, node: ast.AST, sink: str, value: ast.expr | None, markup: bool) -> None:
        kinds = self.kinds(value)
        ok = MARKUP_SAFE in kinds or (not markup and PLAIN_SAFE in kinds)
        if ok or self._opted_out(node):
            return
        shown = ast.unparse(value) if value is not None else "?"
        if len(shown) > 60:
            shown = shown[:57] + "..."
        if markup:
            why = f"{shown!r} may be a markup str: build Text/Content, or use a template variable"
        else:
            why = f"{shown!r} is not sanitised: pass it through safetext.display"
        self.findings.append(Finding(self.path, getattr(node, "lineno", 0), sink, why))

    def literal_only(self, node: ast.Call, sink: str) -> None:
        for value in [*node.args, *(k.value for k in node.keywords if k.arg is None)]:
            if not isinstance(value, ast.Constant) and not self._opted_out(node):
                self.findings.append(
                    Finding(self.path, node.lineno, sink, f"{ast.unparse(value)!r} is not literal")
                )

    # -- scopes and bindings --

    def _bind_target(self, target: ast.expr, kinds: frozenset[str]) -> None:
        if isinstance(target, ast.Name):
            self.scope.bind(target.id, kinds)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._bind_target(element, kinds)

    def visit_Module(self, node: ast.Module) -> None:
        for stmt in node.body:
            if isinstance(stmt, ast.ImportFrom) and stmt.module == "rich":
                self.rich_print = self.rich_print or any(a.name == "print" for a in stmt.names)
        self._prebind(node.body)
        self.generic_visit(node)

    def _prebind(self, body: list[ast.stmt]) -> None:
        """Bind every name assigned in this scope before walking it, so a later unsafe
        re-assignment also spoils earlier uses (flow-insensitive, conservative)."""
        for stmt in body:
            for node in _scope_nodes(stmt):
                if isinstance(node, ast.Assign):
                    kinds = self.kinds(node.value)
                    for target in node.targets:
                        self._bind_target(target, kinds)
                elif isinstance(node, ast.AnnAssign):
                    text = _annotation_is_text(node.annotation)
                    kinds = frozenset({MARKUP_SAFE}) if text else self.kinds(node.value)
                    self._bind_target(node.target, kinds)
                elif isinstance(node, ast.AugAssign):
                    self._bind_target(node.target, NONE)
                elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                    literal = _all_literal(node.iter)
                    self._bind_target(node.target, BOTH if literal else NONE)
                elif isinstance(node, ast.With | ast.AsyncWith):
                    for item in node.items:
                        if item.optional_vars is not None:
                            self._bind_target(item.optional_vars, NONE)
                elif isinstance(node, ast.NamedExpr):
                    self._bind_target(node.target, self.kinds(node.value))

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer, outer_render = self.scope, self._in_render
        self.scope = _Scope(outer)
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            kinds = frozenset({MARKUP_SAFE}) if _annotation_is_text(arg.annotation) else NONE
            self.scope.bind(arg.arg, kinds)
        for star in (args.vararg, args.kwarg):
            if star is not None:
                self.scope.bind(star.arg, NONE)
        self._prebind(node.body)
        self._in_render = node.name == "render"
        self.generic_visit(node)
        self.scope, self._in_render = outer, outer_render

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    # -- sinks --

    def visit_Return(self, node: ast.Return) -> None:
        if self._in_render and node.value is not None:
            self.check(node, "render() return", node.value, markup=True)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(node, target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node, node.target, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._assigned(node, node.target, None, augmented=True)
        self.generic_visit(node)

    def _assigned(
        self, node: ast.stmt, target: ast.expr, value: ast.expr | None, augmented: bool = False
    ) -> None:
        if not isinstance(target, ast.Attribute):
            return
        if target.attr in MARKUP_ATTRIBUTES | PLAIN_ATTRIBUTES:
            markup = target.attr in MARKUP_ATTRIBUTES
            checked = ast.Name(id="<augmented>") if augmented else value
            self.check(node, f".{target.attr} =", checked, markup=markup)

    def visit_Call(self, node: ast.Call) -> None:
        self._call(node)
        self.generic_visit(node)

    def _call(self, node: ast.Call) -> None:
        name = _name(node.func)
        tail = _tail(node.func)
        receiver = (
            ast.unparse(node.func.value).lower() if isinstance(node.func, ast.Attribute) else ""
        )
        markup_off = any(
            k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
            for k in node.keywords
        )

        def arg(position: int, *names: str) -> ast.expr | None:
            for keyword in node.keywords:
                if keyword.arg in names:
                    return keyword.value
            return node.args[position] if len(node.args) > position else None

        def has_arg(position: int, *names: str) -> bool:
            return len(node.args) > position or any(k.arg in names for k in node.keywords)

        if name in PARSERS or tail in PARSERS:
            template = node.args[0] if node.args else None
            literal = template is None or isinstance(template, ast.Constant)
            if template is not None and not literal and not self._opted_out(node):
                self.findings.append(
                    Finding(
                        self.path,
                        node.lineno,
                        f"{tail}()",
                        f"{ast.unparse(template)!r} is parsed: only a literal template "
                        "(with $variables) is allowed",
                    )
                )
            return
        if name == "Content.from_text":
            # Safe when markup is off or the argument is already Text/Content (see `_call_kinds`).
            self.check(node, "Content.from_text()", node, markup=True)
            return
        if tail in LITERAL_ONLY:
            self.literal_only(node, f"{tail}()")
            return
        if isinstance(node.func, ast.Name) and name in WIDGETS:
            position, names = WIDGETS[name]
            if has_arg(position, *names):
                self.check(node, f"{name}()", arg(position, *names), markup=not markup_off)
            return
        if name == "SystemCommand":
            for position, names in ((0, ("title",)), (1, ("help",))):
                if has_arg(position, *names):
                    self.check(node, "SystemCommand()", arg(position, *names), markup=True)
            return
        if tail == "notify":
            self.check(node, "notify()", arg(0, "message"), markup=not markup_off)
            if has_arg(99, "title"):
                self.check(node, "notify(title=)", arg(99, "title"), markup=False)
            return
        if tail == "update" and isinstance(node.func, ast.Attribute):
            if has_arg(0, "content", "renderable"):
                self.check(node, ".update()", arg(0, "content", "renderable"), markup=True)
            return
        if tail == "add_row":
            for value in node.args:
                self.check(node, "add_row()", value, markup=True)
            if has_arg(99, "label"):
                self.check(node, "add_row(label=)", arg(99, "label"), markup=True)
            return
        if tail in ("add_column", "add_columns"):
            values = node.args if tail == "add_columns" else node.args[:1]
            for value in values:
                self.check(node, f"{tail}()", value, markup=True)
            if has_arg(99, "label"):
                self.check(node, f"{tail}(label=)", arg(99, "label"), markup=True)
            return
        if tail == "add_rows":
            self.check(node, "add_rows()", arg(0, "rows"), markup=True)
            return
        if tail in ("update_cell", "update_cell_at"):
            position = 2 if tail == "update_cell" else 1
            self.check(node, f"{tail}()", arg(position, "value"), markup=True)
            return
        if tail in ("add", "add_leaf", "set_label") and any(
            word in receiver for word in ("tree", "root", "node")
        ):
            self.check(node, f"tree .{tail}()", arg(0, "label"), markup=True)
            return
        if tail in ("write", "write_line", "write_lines") and "log" in receiver:
            self.check(node, f"log .{tail}()", arg(0, "content", "line", "lines"), markup=True)
            return
        if tail in ("print", "log") and "console" in receiver:
            for value in node.args:
                self.check(node, f"console.{tail}()", value, markup=not markup_off)
            return
        if name == "print" and self.rich_print:
            for value in node.args:
                self.check(node, "rich print()", value, markup=True)


def _scope_nodes(stmt: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of `stmt` that belong to the current scope (not to nested functions/classes)."""
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            ):
                stack.append(child)


def _all_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_all_literal(e) for e in node.elts)
    return False


def _uses_ui_library(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        if any(module.split(".")[0] in ("textual", "rich") for module in modules):
            return True
    return False


def scan_source(
    source: str, path: str = "<snippet>", facts: PackageFacts | None = None
) -> list[Finding]:
    tree = ast.parse(source)
    facts = facts or gather_facts([tree])
    walker = _Walker(path, source, facts)
    walker.visit(tree)
    return walker.findings


def scan_package(root: Path = PACKAGE) -> tuple[list[Finding], list[str]]:
    """Findings over the package, and the modules that were walked."""
    sources = {path: path.read_text(encoding="utf-8") for path in sorted(root.rglob("*.py"))}
    trees = {path: ast.parse(text) for path, text in sources.items()}
    facts = gather_facts(trees.values())
    findings: list[Finding] = []
    walked: list[str] = []
    for path, tree in trees.items():
        if not _uses_ui_library(tree):
            continue
        relative = str(path.relative_to(root.parent))
        walked.append(relative)
        walker = _Walker(relative, sources[path], facts)
        walker.visit(tree)
        findings.extend(walker.findings)
    return findings, walked


# -- the walker catches what it must ------------------------------------------------------------

BAD = {
    "f-string in Static": "Static(f'{user.name}: hi')",
    "variable in Static": "def f(name):\n    return Static(name)",
    "attribute in Label": "Label(event.text)",
    "format string": "Static('{}: {}'.format(a, b))",
    "percent string": "Static('%s' % name)",
    "concatenation": "Label('by ' + name)",
    "update with a variable": "def f(self, text: str):\n    self.update(text)",
    "sanitised str is still markup": "Static(display(comment.text))",
    "notify with markup on": "self.notify(display(error))",
    "notify unsanitised with markup off": "self.notify(error, markup=False)",
    "notify f-string": "app.notify(f'failed: {exc}', markup=False)",
    "notify title": "self.notify('x', title=user.name)",
    "border title variable": "def f(self, name: str):\n    self.border_title = name",
    "border subtitle f-string": "widget.border_subtitle = f'{user.name}'",
    "tooltip": "widget.tooltip = comment.text",
    "app title unsanitised": "self.title = source_label",
    "table cell": "table.add_row(user.name, Text('x'))",
    "table row label": "table.add_row('a', label=name)",
    "table column": "table.add_column(header)",
    "table update cell": "table.update_cell(row, col, name)",
    "tree node": "tree.root.add(user.name)",
    "tree leaf": "node.add_leaf(f'{text}')",
    "tree constructor": "Tree(label)",
    "rich log": "self.query_one(RichLog).write(line)",
    "from_markup variable": "Text.from_markup(comment)",
    "content from_markup variable": "Content.from_markup(f'[b]{name}[/b]')",
    "from_ansi": "Text.from_ansi(raw)",
    "content from_text parses str": "Content.from_text(comment.text)",
    "console print": "self.app.console.print(name)",
    "button": "Button(name)",
    "markdown": "Markdown(comment.text)",
    "render returns str": "class W(Widget):\n    def render(self):\n        return self.name",
    "reassigned name": "def f(text: str):\n    label = Text('a')\n    label = text\n    Static(label)",
    "loop over variables": "def f(names):\n    for n in names:\n        Static(n)",
    "system command": "SystemCommand(user.name, 'help', cb)",
    "opt-out without a reason": "Static(name)  # safe-markup:",
}

GOOD = {
    "literal": "Static('[b]Feed[/b]')",
    "Text of a variable": "Static(Text(comment.text))",
    "Content of a variable": "Label(Content(user.name))",
    "Text.assemble": "Static(Text.assemble(('x', 'bold'), name))",
    "Content.assemble": "Static(Content.assemble(name, ('x', 'b')))",
    "from_text with markup off": "Static(Content.from_text(name, markup=False))",
    "template with variables": "Static(Content.from_markup('[b]$name[/b]', name=user.name))",
    "markup off and sanitised": "Static(display(x), markup=False)",
    "notify sanitised with markup off": "self.notify(display(str(exc), 300), markup=False)",
    "notify f-string of sanitised parts": "self.notify(f'{display(a)} · {n:,}', markup=False)",
    "notify constant": "self.notify('saved', severity='information')",
    "app title sanitised": "self.title = display(label, 120)",
    "border title literal": "self.border_title = 'Feed'",
    "border title from literal loop": (
        "def f(self):\n    for sel, title in (('#a', 'A'), ('#b', 'B')):\n"
        "        self.query_one(sel).border_title = title"
    ),
    "annotated Text parameter": "def show(self, text: Text) -> None:\n    self.update(text)",
    "name bound to Text": "def f(x):\n    t = Text()\n    t.append(x)\n    Static(t)",
    "function returning Text": (
        "def line(e) -> Text:\n    return Text(e.text)\n\ndef f(e):\n    Static(line(e))"
    ),
    "wrapper around display": (
        "def shown(x):\n    return display(x, 40)\n\ndef f(self, x):\n"
        "    self.notify(shown(x), markup=False)"
    ),
    "table cells as Text": "table.add_row(Text(user.name), Text(f'{n:,}'))",
    "tree node as Text": "tree.root.add(Text(name))",
    "rich log Text": "log.write(Text(line))",
    "render returns Text": "class W(Widget):\n    def render(self):\n        return Text(self.name)",
    "dict update is not text": "self.config.update({'a': 1})",
    "set add is not a tree": "seen.add(name)",
    "opt-out with a reason": "self.border_subtitle = subtitle  # safe-markup: numbers and literals",
    "empty update": "self.update()",
}


@pytest.mark.parametrize("source", BAD.values(), ids=BAD.keys())
def test_walker_flags_unsafe_text(source: str) -> None:
    assert scan_source(source), f"not flagged:\n{source}"


@pytest.mark.parametrize("source", GOOD.values(), ids=GOOD.keys())
def test_walker_accepts_safe_text(source: str) -> None:
    assert scan_source(source) == []


def test_walker_reports_file_line_and_sink() -> None:
    findings = scan_source("x = 1\nStatic(f'{name}')\n", path="tui/x.py")
    assert [str(f).split(": ", 2)[:2] for f in findings] == [["tui/x.py:2", "Static()"]]


# -- the package itself ---------------------------------------------------------------------------


def test_the_walk_covers_the_ui() -> None:
    _, walked = scan_package()
    assert any(name.startswith("backstage_tui/tui/") for name in walked), walked
    assert "backstage_tui/tui/feed_lines.py" in walked
    # The core never imports a UI library, so it is rightly not walked.
    assert "backstage_tui/events.py" not in walked


def test_no_untrusted_text_reaches_a_markup_sink() -> None:
    findings, _ = scan_package()
    assert findings == [], "untrusted text may reach markup:\n" + "\n".join(map(str, findings))
