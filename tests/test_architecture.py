"""Which module may import which (DESIGN.md): pure core, adapters, use cases, one shell."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "revue"

PURE = {
    "models", "errors", "urls", "extract", "monthnames", "importers", "exporters", "feeds",
    "datephrase", "markup", "render", "sanitize", "social",
}  # fmt: skip
ADAPTERS = {"db", "migrations", "fetch", "config", "console", "files", "clipboard"}
USE_CASES = {"curate", "compose", "linkcheck", "publishing", "week"}
# The shell: the command line, and the full-screen app of `revue week` it starts.
SHELL = {"cli", "workbench"}
# The output seam (revue/publish/): its protocol is pure, each target an adapter.
PUBLISH_PURE = {"__init__", "base"}
IO_LIBS = {
    "httpx", "sqlite3", "sqlite_utils", "typer", "rich", "platformdirs", "subprocess", "textual",
}  # fmt: skip


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
    modules = {p.stem for p in SRC.glob("*.py")} - {"__init__", "__main__"} - SHELL
    # Packages have a layer too; publish/ is the output seam, checked on its own below.
    modules |= {p.parent.name for p in SRC.glob("*/__init__.py")} - {"publish"}
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


def test_publish_targets_import_only_the_pure_layer_and_the_seam() -> None:
    allowed = {f"revue.{m}" for m in PURE} | {"revue", "revue.__version__", "revue.publish.base"}
    modules = {p.stem for p in (SRC / "publish").glob("*.py")}
    assert {"base", "wordpress"} <= modules
    for module in modules:
        found = {m for m in imports(f"publish/{module}") if m.split(".")[0] == "revue"}
        assert found <= allowed, f"publish/{module} imports {found - allowed}"
        if module in PUBLISH_PURE:
            top = {m.split(".")[0] for m in imports(f"publish/{module}")}
            assert not top & IO_LIBS, f"publish/{module} imports {top & IO_LIBS}"


def test_only_cli_imports_typer_and_exits() -> None:
    for path in SRC.rglob("*.py"):
        if path.stem == "cli":
            continue
        text = path.read_text(encoding="utf-8")
        module = str(path.relative_to(SRC).with_suffix(""))
        assert "typer" not in {m.split(".")[0] for m in imports(module)}, path.name
        assert "sys.exit" not in text, path.name


def test_only_the_workbench_imports_textual_and_only_when_week_runs() -> None:
    for path in SRC.glob("*.py"):
        if path.stem != "workbench":
            assert "textual" not in {m.split(".")[0] for m in imports(path.stem)}, path.name
    # cli imports the workbench inside the `week` command only: other commands' start-up
    # never loads Textual.
    tree = ast.parse((SRC / "cli.py").read_text(encoding="utf-8"))
    top_level = {
        node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module
    } | {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    assert "revue.workbench" not in top_level
    assert "revue.week" not in top_level
