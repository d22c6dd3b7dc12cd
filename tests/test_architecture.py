"""Which module may import which (docs/design.md, "Development"): the packages are levels, each importing only
from its own package or from a level below; no import runs back up and there is no cycle."""

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "revue"

# Bottom to top. A unit is a module or a package (the longest name that matches wins).
LEVELS: list[tuple[str, set[str]]] = [
    # Pure leaves everybody uses: no I/O, no clock read (clock.py is handed "now").
    ("errors", {"", "errors"}),
    ("text", {"urls", "sanitize", "monthnames", "clock", "mdtext"}),
    ("models", {"models"}),
    # Pure packages: parsers, writers and renderers of text; the output seam's protocol.
    ("pure", {"web.extract", "formats", "review", "publish", "publish.base"}),
    # The rules for writing and reading files, under every other adapter.
    ("files", {"files"}),
    # Adapters: the one place each kind of I/O happens.
    (
        "adapters",
        {
            "store",
            "web",
            "web.fetch",
            "config",
            "console",
            "clipboard",
            "templates",
            "publish.wordpress",
            "publish.folder",
            "publish.atom",
            # A static site's page, written by publish.folder's writer.
            "publish.static",
            "publish.hugo",
            "publish.jekyll",
            "publish.pelican",
            "inboxes",
            "publish.mail",
            "publish.buttondown",
        },
    ),
    # Use cases: they receive the store, the fetcher and the targets.
    ("app", {"app"}),
    # The shell: the command line, and the full-screen app of `revue week` it starts.
    ("shell", {"cli", "workbench", "__main__"}),
]
LEVEL = {unit: n for n, (_, units) in enumerate(LEVELS) for unit in units}
PURE_LEVELS = {"errors", "text", "models", "pure"}
IO_LIBS = {
    "httpx", "sqlite3", "sqlite_utils", "typer", "rich", "platformdirs", "subprocess", "textual",
    "os", "tempfile", "fcntl",
}  # fmt: skip
# What the command line may import: the use cases and the shell's own helpers...
CLI_ALLOWED = {"", "app", "console", "errors", "config", "models", "clock"}
# ... and, as the composition root, the adapters it builds and hands to the use cases.
CLI_NEEDS = {
    "store": "opens the Store the use cases receive",
    "web": "builds the Fetcher (its settings from the config and options) they receive",
    "publish": "builds the WordPress target `publish` hands its review to",
    "clipboard": "the terminal, like console: OSC 52 for --copy",
    "files": "reads the inputs the curator names (a file or stdin) under their caps",
    "inboxes": "opens the IMAP folder or Maildir `inbox pull` reads",
}
# What the command line still reads below the use cases, and why.
CLI_NOT_YET = {
    "sanitize": "text typed on the command line is made valid Unicode where it enters",
    "review": "the --format help reads the light table of review/outputs.py (loading app/compose "
    "at every start would cost its imports); list phrases a review's dates in words; "
    "completion lists styles and platforms",
    "formats": "import and export parse and write files themselves (the store's streaming "
    "export and import, in flight on another branch, rework both); completion lists formats",
}


def all_modules() -> set[str]:
    return {
        ".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix("__init__").rstrip(".")
        for p in SRC.rglob("*.py")
    }


def path_of(module: str) -> Path:
    base = SRC.joinpath(*module.split(".")) if module else SRC
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def imports(module: str) -> set[str]:
    """Every module `module` imports, at the top or inside a function."""
    tree = ast.parse(path_of(module).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module.split(".")[0] == "revue":
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@cache
def revue_imports(module: str) -> frozenset[str]:
    """The revue modules `module` imports (`from revue.formats import feeds` is formats.feedparse)."""
    known = all_modules()
    names = {
        m.removeprefix("revue").lstrip(".") for m in imports(module) if m.split(".")[0] == "revue"
    }
    return frozenset(n for n in names if n in known) - {module}


def unit_of(module: str) -> str:
    parts = module.split(".") if module else []
    for n in range(len(parts), -1, -1):
        if ".".join(parts[:n]) in LEVEL:
            return ".".join(parts[:n])
    raise AssertionError(f"revue.{module} has no level")


def level_name(module: str) -> str:
    return LEVELS[LEVEL[unit_of(module)]][0]


def package(module: str) -> str:
    return module.split(".")[0]


def test_every_module_has_a_level() -> None:
    for module in all_modules():
        unit_of(module)


def test_no_import_runs_back_up() -> None:
    for module in all_modules():
        mine = LEVEL[unit_of(module)]
        for other in revue_imports(module):
            theirs = LEVEL[unit_of(other)]
            if theirs == mine:
                # Beside each other on one level, units stay apart: a package uses its own
                # modules only (the shell is one whole: the CLI starts the workbench).
                same = package(other) == package(module) or level_name(module) == "shell"
                assert same, f"{module} imports {other}, beside it on its level"
            else:
                assert theirs < mine, f"{module} ({level_name(module)}) imports {other} above it"


def test_the_import_graph_has_no_cycle() -> None:
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path[path.index(module) :], module))
        if module in done:
            return
        for other in revue_imports(module):
            visit(other, (*path, module))
        done.add(module)

    for module in sorted(all_modules()):
        visit(module, ())


def test_pure_levels_do_no_io() -> None:
    for module in all_modules():
        if level_name(module) in PURE_LEVELS:
            top = {m.split(".")[0] for m in imports(module)}
            assert not top & IO_LIBS, f"{module} imports {top & IO_LIBS}"


def test_the_cli_imports_the_use_cases_and_what_it_builds() -> None:
    allowed = CLI_ALLOWED | set(CLI_NEEDS) | set(CLI_NOT_YET)
    for module in all_modules():
        if package(module) == "cli":
            others = {package(m) for m in revue_imports(module)} - {"cli", "workbench"}
            assert others <= allowed, f"{module} imports {others - allowed}"


def test_use_cases_never_print_or_parse_arguments() -> None:
    for module in all_modules():
        if package(module) == "app":
            top = {m.split(".")[0] for m in imports(module)}
            assert not top & {"typer", "rich", "textual"}, f"{module} imports {top}"


def test_publish_targets_import_only_the_pure_levels_and_the_seam() -> None:
    modules = {m for m in all_modules() if package(m) == "publish"}
    assert {"publish.base", "publish.folder", "publish.atom", "publish.wordpress"} <= modules
    for module in modules:
        for other in revue_imports(module):
            # files: the rules every file written follows (the review's file, the feed).
            ok = level_name(other) in PURE_LEVELS or package(other) in {"publish", "files"}
            assert ok, f"{module} imports {other}"


def test_only_cli_imports_typer_and_exits() -> None:
    for module in all_modules():
        if package(module) == "cli":
            continue
        assert "typer" not in {m.split(".")[0] for m in imports(module)}, module
        assert "sys.exit" not in path_of(module).read_text(encoding="utf-8"), module


def test_only_the_workbench_imports_textual_and_only_when_week_runs() -> None:
    for module in all_modules():
        if module != "workbench":
            assert "textual" not in {m.split(".")[0] for m in imports(module)}, module
    # The CLI imports the workbench inside the `week` command only: other commands' start-up
    # never loads Textual.
    for path in [SRC / "cli.py", *SRC.glob("cli/*.py")]:
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {
            node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module
        } | {a.name for node in tree.body if isinstance(node, ast.Import) for a in node.names}
        assert "revue.workbench" not in top_level, path.name
        assert "revue.app.week" not in top_level, path.name


def test_the_store_is_rooms_by_role_that_reach_no_private_name_of_another() -> None:
    """store/ by role (schema, reads, writes, records, dump; issue 25): each module a size one
    can hold in mind, sqlite-utils loaded by the migrations alone (its import costs every
    command's start-up), and no module reaching into another object's private members
    (the dump and the restore go through the store's public methods)."""
    store = [m for m in all_modules() if package(m) == "store"]
    assert {"store.schema", "store.reads", "store.writes", "store.records", "store.dump"} <= set(
        store
    )
    for module in store:
        source = path_of(module).read_text(encoding="utf-8")
        assert source.count("\n") <= 800, f"{module}: {source.count(chr(10))} lines"
        if module == "store.migrations":
            continue  # sqlite-migrate's list of migrations has no public name
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                owner = node.value
                own = isinstance(owner, ast.Name) and owner.id in {"self", "cls"}
                assert own or node.attr.startswith("__"), (
                    f"{module}:{node.lineno} reaches {ast.unparse(node)}"
                )
        top = {node.module for node in tree.body if isinstance(node, ast.ImportFrom)} | {
            a.name for node in tree.body if isinstance(node, ast.Import) for a in node.names
        }
        assert "sqlite_utils" not in top, module
