"""Which module may import which (DESIGN.md): pure core, adapters, use cases, one shell."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "revue"

PURE = {
    "models", "errors", "urls", "extract", "monthnames", "formats.importers",
    "formats.exporters", "formats.feeds", "review.datephrase", "review.markup",
    "review.render", "sanitize", "review.social",
}  # fmt: skip
ADAPTERS = {
    "store.db", "store.migrations", "web.fetch", "config", "console", "files", "clipboard",
    "templates",
}  # fmt: skip
USE_CASES = {"app.curate", "app.compose", "app.check", "app.publish", "app.week"}
# The shell: the command line, and the full-screen app of `revue week` it starts.
SHELL = {"cli", "workbench"}
# The output seam (revue/publish/): its protocol is pure, each target an adapter.
PUBLISH_PURE = {"__init__", "base"}
IO_LIBS = {
    "httpx", "sqlite3", "sqlite_utils", "typer", "rich", "platformdirs", "subprocess", "textual",
}  # fmt: skip


def imports(module: str) -> set[str]:
    path = SRC / f"{module.replace('.', '/')}.py"
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
    found = {m.removeprefix("revue.") for m in imports(module) if m.startswith("revue.")}
    return found - {"__version__"}


def test_every_module_has_a_layer() -> None:
    modules = (
        {
            ".".join(p.relative_to(SRC).with_suffix("").parts)
            for p in SRC.rglob("*.py")
            if p.stem != "__init__" and p.parent.name != "publish"
        }
        - {"__main__"}
        - SHELL
    )
    assert modules <= PURE | ADAPTERS | USE_CASES, modules - (PURE | ADAPTERS | USE_CASES)


def test_pure_modules_do_no_io() -> None:
    for module in PURE:
        if not (SRC / f"{module.replace('.', '/')}.py").exists():
            continue
        top = {m.split(".")[0] for m in imports(module)}
        assert not top & IO_LIBS, f"{module} imports {top & IO_LIBS}"
        assert revue_imports(module) <= PURE, f"{module} imports {revue_imports(module) - PURE}"


def test_adapters_import_only_the_pure_layer() -> None:
    for module in ADAPTERS:
        others = revue_imports(module) - PURE - {module}
        # files (the rules for writing and reading files) sits under every other adapter.
        allowed = {"files"} | ({"store.migrations"} if module == "store.db" else set())
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
    for path in SRC.rglob("*.py"):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        if path.stem != "workbench":
            assert "textual" not in {m.split(".")[0] for m in imports(module)}, path.name
    # cli imports the workbench inside the `week` command only: other commands' start-up
    # never loads Textual.
    tree = ast.parse((SRC / "cli.py").read_text(encoding="utf-8"))
    top_level = {
        node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module
    } | {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    assert "revue.workbench" not in top_level
    assert "revue.app.week" not in top_level
