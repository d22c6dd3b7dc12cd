"""Which module may import which (DESIGN.md): pure core, adapters, use cases, one shell."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "revue"

PURE = {
    "models", "errors", "urls", "extract", "monthnames", "importers", "exporters", "feeds",
    "datephrase", "markup", "render",
}  # fmt: skip
ADAPTERS = {"db", "migrations", "fetch", "config", "console", "files"}
USE_CASES = {"curate", "compose", "linkcheck"}
IO_LIBS = {"httpx", "sqlite3", "sqlite_utils", "typer", "rich", "platformdirs", "subprocess"}


def sources(module: str) -> list[Path]:
    """A module's file, or every file of a package (`extract/`)."""
    if (SRC / module).is_dir():
        return sorted((SRC / module).rglob("*.py"))
    return [SRC / f"{module}.py"]


def exists(module: str) -> bool:
    return (SRC / f"{module}.py").exists() or (SRC / module / "__init__.py").exists()


def imports(module: str) -> set[str]:
    found: set[str] = set()
    for path in sources(module):
        found |= _imports(path)
    return found


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "revue":
                found |= {f"revue.{alias.name}" for alias in node.names}
    return found


def revue_imports(module: str) -> set[str]:
    return {m.split(".")[1] for m in imports(module) if m.startswith("revue.")} - {"__version__"}


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in SRC.glob("*.py")} - {"__init__", "__main__", "cli"}
    modules |= {p.parent.name for p in SRC.glob("*/__init__.py")}
    assert modules <= PURE | ADAPTERS | USE_CASES, modules - (PURE | ADAPTERS | USE_CASES)


def test_pure_modules_do_no_io() -> None:
    for module in PURE:
        if not exists(module):
            continue
        top = {m.split(".")[0] for m in imports(module)}
        assert not top & IO_LIBS, f"{module} imports {top & IO_LIBS}"
        assert revue_imports(module) <= PURE, f"{module} imports {revue_imports(module) - PURE}"


def test_adapters_import_only_the_pure_layer() -> None:
    for module in ADAPTERS:
        others = revue_imports(module) - PURE - {module}
        # files (the rules for writing and reading files) sits under every other adapter.
        allowed = {"files"} | ({"migrations"} if module == "db" else set())
        assert others <= allowed, f"{module} imports {others}"


def test_only_cli_imports_typer_and_exits() -> None:
    for path in SRC.rglob("*.py"):
        if path.stem == "cli":
            continue
        text = path.read_text(encoding="utf-8")
        assert "typer" not in {m.split(".")[0] for m in _imports(path)}, path.name
        assert "sys.exit" not in text, path.name
