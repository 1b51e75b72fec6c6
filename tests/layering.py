"""The project's import graph, read from the source with `ast` (nothing is imported).

Every import counts, at the top of a module or inside a function: a deferred import is still a
dependency, and a loop through one is still a loop (it only fails later, at a call). Two rules:

- inside an app, no module reaches itself again through imports (a circle);
- between apps, imports point down the chain stated in docs/decisions.md
  (`accounts ← matters ← …`); `core` is below every app and imports none of them. Inside an app
  split into sub-packages, the sub-packages follow the order stated the same way
  (``supervision: `cards` ← `figures` ← …``).

`walk(root, apps)` builds the graph of the modules under `root`; `circles` and `upward` are pure
functions of that graph, so a test can hand them a graph made up on purpose.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"migrations", "__pycache__", "node_modules", ".venv", "static", "templates"}


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_files(root: Path, apps: Iterable[str]) -> dict[str, Path]:
    """Every module of the apps, by dotted name (migrations are history, not code that runs)."""
    found: dict[str, Path] = {}
    for app in apps:
        base = root / app
        for path in sorted(base.rglob("*.py")):
            if SKIP_DIRS & set(path.relative_to(root).parts):
                continue
            found[module_name(root, path)] = path
    return found


def _resolve(target: str, known: set[str]) -> str | None:
    """The longest known module a dotted name designates (`a.b.C` → `a.b` when `C` is a class)."""
    while target:
        if target in known:
            return target
        if "." not in target:
            return None
        target = target.rsplit(".", 1)[0]
    return None


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rsplit(".", 1)[0] if "." in name else ""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                hit = _resolve(alias.name, known)
                if hit:
                    found.add(hit)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                # `from . import figures` names a module; `from .models import Card` a class.
                hit = _resolve(f"{base}.{alias.name}", known) if base else _resolve(alias.name, known)
                if hit and hit != base and hit.startswith(base + "."):
                    found.add(hit)
                else:
                    hit = _resolve(base, known)
                    if hit:
                        found.add(hit)
    found.discard(name)
    return found


def walk(root: Path, apps: Iterable[str]) -> dict[str, set[str]]:
    files = app_files(root, apps)
    known = set(files)
    return {name: imports_of(name, path, known) for name, path in files.items()}


def app_of(module: str) -> str:
    return module.split(".", 1)[0]


def unit_of(module: str, split_apps: dict[str, list[str]]) -> str:
    """The app, or `app.sub` for a module inside a sub-package of a split app."""
    parts = module.split(".")
    if parts[0] in split_apps and len(parts) > 2 and parts[1] in split_apps[parts[0]]:
        return ".".join(parts[:2])
    return parts[0]


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module inside one app (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = [0]

    def edges(node: str) -> list[str]:
        return sorted(t for t in graph.get(node, ()) if app_of(t) == app_of(node) and t in graph)

    def visit(start: str) -> None:
        # Iterative, so a long chain of modules cannot exhaust Python's recursion limit.
        work = [(start, iter(edges(start)))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges(nxt))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def upward(
    graph: dict[str, set[str]],
    chain: list[str],
    below_all: Iterable[str] = ("core",),
    split_apps: dict[str, list[str]] | None = None,
) -> list[tuple[str, str]]:
    """Imports that run against the chain: (importer, imported), sorted.

    `chain` lists the apps from the bottom up; `below_all` sits under the first of them and may
    import no app of the chain; `split_apps` gives, per split app, its sub-packages bottom up.
    A module of a split app outside its sub-packages (the app's own models.py, urls.py, apps.py)
    is the app's shell: it may import its sub-packages, and they may not import it.
    """
    split_apps = split_apps or {}
    rank = {app: i for i, app in enumerate(chain)}
    for app in below_all:
        rank[app] = -1
    bad = []
    for importer, targets in graph.items():
        a = app_of(importer)
        for target in targets:
            b = app_of(target)
            if a not in rank or b not in rank:
                continue
            if a != b:
                if rank[b] > rank[a] or (rank[a] == -1 and b not in below_all):
                    bad.append((importer, target))
                continue
            if a not in split_apps:
                continue
            order = split_apps[a]
            ua, ub = unit_of(importer, split_apps), unit_of(target, split_apps)
            if ua == ub:
                continue
            if ub == a:  # a sub-package reaching back into the app's shell
                bad.append((importer, target))
            elif ua != a and order.index(ub.split(".")[1]) > order.index(ua.split(".")[1]):
                bad.append((importer, target))
    return sorted(bad)


CHAIN_RE = re.compile(r"`(\w+) ← ([\w ←]+)`")
SUB_RE = re.compile(r"^(\w+) sub-packages, bottom up: ((?:`\w+`(?: ← )?)+)", re.M)


def stated_chain(text: str) -> list[str]:
    """The app chain as docs/decisions.md states it, bottom first."""
    match = CHAIN_RE.search(text)
    if not match:
        raise AssertionError("docs/decisions.md states no app chain (`accounts ← matters ← …`)")
    return [match.group(1)] + [part.strip() for part in match.group(2).split("←")]


def stated_sub_orders(text: str) -> dict[str, list[str]]:
    """Per split app, its sub-packages bottom first: a line "supervision sub-packages, bottom up:
    `cards` ← `figures` ← …" in docs/decisions.md."""
    return {m.group(1): re.findall(r"`(\w+)`", m.group(2)) for m in SUB_RE.finditer(text)}
