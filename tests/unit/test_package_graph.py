"""The packages under services/ import each other without a cycle (issue 21): a cycle, even one broken by an import
inside a function, means neither package can be read, tested or changed without the other. Every import counts,
at module level or not; and no two modules import each other either (ingest's app and its OpenAPI text did)."""
import ast
from pathlib import Path

import services

ROOT = Path(services.__file__).parent


def package_of(module: str) -> str | None:
    """services.<package>.… → <package>; a top-level module (services.cli) is its own."""
    parts = module.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 1 else None


def imports(path: Path) -> set[str]:
    """The modules a file imports, relative imports resolved."""
    here = ["services", *path.relative_to(ROOT).with_suffix("").parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found |= {module} if node.module else {f"{module}.{a.name}" for a in node.names}
    return found


MODULES = {".".join(["services", *p.relative_to(ROOT).with_suffix("").parts]).removesuffix(".__init__"): p
           for p in ROOT.rglob("*.py")}


def graph() -> dict[str, set[str]]:
    """Package → the packages its modules import."""
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        source = package_of(module)
        for target in filter(None, map(package_of, imports(path))):
            if source and target != source:
                edges.setdefault(source, set()).add(target)
    return edges


def module_graph() -> dict[str, set[str]]:
    """Module → the modules it imports (``from .x import name`` is module x)."""
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        for name in imports(path):
            target = name if name in MODULES else name.rsplit(".", 1)[0]
            if target in MODULES and target != module:
                edges.setdefault(module, set()).add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, path = [], []

    def visit(node: str) -> None:
        if node in path:
            found.append(path[path.index(node):] + [node])
            return
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            visit(nxt)
        path.pop()

    for start in sorted(edges):
        visit(start)
    return found


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) and not cycles({"a": {"b"}, "b": {"c"}})


def test_no_package_imports_one_that_imports_it_back():
    edges = graph()
    assert edges.get("aggregator") and edges.get("ingest")  # the graph was read
    assert cycles(edges) == []


def test_no_module_imports_one_that_imports_it_back():
    edges = module_graph()
    assert "services.ingest.openapi_doc" in edges["services.ingest.app"]  # the graph was read
    assert cycles(edges) == []


def test_the_runtime_package_imports_no_development_tool():
    """bench/ and devstack/ are left out of the package and the image: nothing under services/ may need them (hk bench
    and hk demo reach them by name, at run time, with a clear error where they are absent)."""
    dev = {module for path in MODULES.values() for module in imports(path) if module.partition(".")[0] in ("bench", "devstack")}
    assert dev == set()
