"""Every module's imports, walked with `ast`, obey the layers `docs/architecture.md` draws: no
import from a lower layer into a higher one, and no import circle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("xxgk", "spiders", "parsers", "warehouse", "dagster_project")
LAYER_ROW = re.compile(r"^\|\s*(\d+) [^|]*\|([^|]*)\|")


def documented_layers() -> dict[str, int]:
    """Module prefix → layer, from the table of `docs/architecture.md`."""
    layers: dict[str, int] = {}
    for line in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines():
        if match := LAYER_ROW.match(line):
            for prefix in re.findall(r"`([\w.]+)`", match.group(2)):
                layers[prefix] = int(match.group(1))
    return layers


def module_names() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The first-party modules `name` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in modules else base for t in targets]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def layer_of(name: str, layers: dict[str, int]) -> int:
    prefixes = [p for p in layers if name == p or name.startswith(p + ".")]
    if not prefixes:
        raise AssertionError(f"{name} is in no layer of docs/architecture.md: add it there")
    return layers[max(prefixes, key=len)]


MODULES = module_names()
GRAPH = {name: imports(name, path, MODULES) for name, path in MODULES.items()}


def test_the_table_names_real_modules() -> None:
    layers = documented_layers()
    assert set(layers.values()) == {0, 1, 2, 3, 4}
    assert not [prefix for prefix in layers if prefix not in MODULES]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_from_a_higher_layer(name: str) -> None:
    layers = documented_layers()
    own = layer_of(name, layers)
    upward = sorted(t for t in GRAPH[name] if layer_of(t, layers) > own)
    assert not upward, f"{name} (layer {own}) imports from higher layers: {upward}"


def test_no_import_circle() -> None:
    """Tarjan's strongly connected components: any with two modules or more is a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert not circles, f"import circles: {circles}"


def test_the_walk_sees_imports(tmp_path: Path) -> None:
    """The walker finds imports inside functions and relative ones (else the rule is void)."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def f():\n    from .high import g\n")
    (package / "high.py").write_text("import pkg.low\n")
    modules = {"pkg": package / "__init__.py", "pkg.low": package / "low.py"}
    modules["pkg.high"] = package / "high.py"
    assert imports("pkg.low", modules["pkg.low"], modules) == {"pkg.high"}
    assert imports("pkg.high", modules["pkg.high"], modules) == {"pkg.low"}
