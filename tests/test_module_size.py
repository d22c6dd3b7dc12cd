"""Every room a size one can hold in mind: no module of the web, config and app packages is
over 800 lines (issue 25)."""

from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "revue"
LIMIT = 800


def test_the_fetcher_config_and_use_cases_are_split_into_modules_under_800_lines() -> None:
    rooms = [SRC / "web", SRC / "config", SRC / "app"]
    assert (SRC / "config" / "keys.py").exists()  # the key tables apart from the loader
    sizes = {
        str(path.relative_to(SRC)): len(path.read_text(encoding="utf-8").splitlines())
        for room in rooms
        for path in room.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}
    assert not (SRC / "app" / "curate.py").exists()  # a catch-all no more: by use case


def test_the_importers_are_a_package_of_modules_under_800_lines() -> None:
    assert not (SRC / "formats" / "importers.py").exists()  # 2,013 lines: nine formats in one
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in (SRC / "formats" / "imports").glob("*.py")
    }
    assert {"bookmarks.py", "csvfiles.py", "links.py", "records.py"} <= set(sizes)
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}
