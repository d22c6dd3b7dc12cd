"""Each meaning is written once in src/: the others import it (issue 25)."""

from pathlib import Path

import pytest

from revue.models import CURATOR_FIELDS, STATUSES

SRC = Path(__file__).resolve().parents[1] / "src" / "revue"


def where(text: str) -> list[str]:
    return sorted(
        str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if text in p.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("written", "home"),
    [
        ('"pending", "ok", "failed", "blocked"', "models.py"),
        ('"note", "lead", "quote", "section")', "models.py"),
        ("unicodedata.combining", "sanitize.py"),
    ],
)
def test_a_meaning_is_written_in_one_module(written: str, home: str | None) -> None:
    assert where(written) == ([home] if home else [])


def test_the_item_statuses_and_curator_fields() -> None:
    assert STATUSES == ("pending", "ok", "failed", "blocked")
    assert CURATOR_FIELDS == ("note", "lead", "quote", "section")


@pytest.mark.parametrize(
    ("module", "gone"),
    [
        ("revue.publish.atom", "revue.publish.feed"),  # the Atom feed revue writes
        ("revue.formats.feedparse", "revue.formats.feeds"),  # the RSS/Atom/OPML it reads
        ("revue.cli.frame", "revue.cli.shell"),  # the frame every command runs in
    ],
)
def test_modules_are_named_for_what_they_are(module: str, gone: str) -> None:
    import importlib

    importlib.import_module(module)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(gone)


def test_opml_is_read_in_one_place() -> None:
    assert where("parse_opml(") == ["formats/feedparse.py", "formats/imports/opml.py"]


def test_one_line_means_one_thing() -> None:
    # The others say what they do: terminal_line, _message_line, _header_text, _collapsed...
    assert where("def one_line(") == ["review/markup.py"]
    assert where("def _one_line(") == []


def test_comments_point_at_modules_that_exist() -> None:
    assert "cli.py" not in (SRC / "errors.py").read_text(encoding="utf-8")
    # No SPEC or DESIGN.md is in the repository: what they said is said in place.
    tests = Path(__file__).parent
    for path in [
        *SRC.rglob("*.py"),
        *(p for p in tests.glob("*.py") if p.name != Path(__file__).name),
    ]:
        text = path.read_text(encoding="utf-8")
        assert "SPEC" not in text and "DESIGN.md" not in text, path


def test_compose_options_are_chosen_once_for_compose_week_and_publish() -> None:
    import datetime as dt

    from revue.app.compose import compose_options
    from revue.config import Config
    from revue.errors import BadInput
    from revue.models import Review

    cfg = Config(lang="en", style="linked")
    day = dt.date(2026, 3, 2)
    # The language and style asked, else the review's, else the config's.
    assert (compose_options(cfg, day, day).lang, compose_options(cfg, day, day).style) == (
        "en",
        "linked",
    )
    again = compose_options(cfg, day, day, recorded=Review(id=1, lang="fr", style="classic"))
    assert (again.lang, again.style) == ("fr", "classic")
    asked = compose_options(
        cfg, day, day, recorded=Review(id=1, lang="fr"), lang="en", style="classic"
    )
    assert (asked.lang, asked.style) == ("en", "classic")
    # A recorded value revue does not know (an imported review) gives way to the config's.
    odd = compose_options(cfg, day, day, recorded=Review(id=1, lang="xx", style="fancy"))
    assert (odd.lang, odd.style) == ("en", "linked")
    with pytest.raises(BadInput, match="--lang 'de': choose fr or en"):
        compose_options(cfg, day, day, lang="de")
    for module in ("cli/compose.py", "app/week.py", "app/publish.py"):
        assert "compose_options(" in (SRC / module).read_text(encoding="utf-8")
        assert "or cfg.lang" not in (SRC / module).read_text(encoding="utf-8")


def test_tags_are_cleaned_and_made_unique_in_one_place() -> None:
    from revue.models import tag_name, unique_tags

    assert tag_name("  #Veille web ") == "Veille web"
    assert list(unique_tags(["Web", "", "web", "Été", "ÉTÉ", "SEO"])) == ["Web", "Été", "SEO"]
    assert where('.strip().lstrip("#").strip()') == ["models.py"]
    assert where("seen.setdefault(") == []


def test_no_layer_reads_another_layers_failure_sentences() -> None:
    # Failures are read by kind (`models.failure_of`, `ImportResult.unreadable`).
    assert where('startswith("not an http(s) URL")') == []
    assert where("LIKE 'refused") == []


def test_a_new_item_is_one_frozen_record_built_by_one_function() -> None:
    import dataclasses

    from revue.app.add import link_entry
    from revue.models import NewItem, new_item

    # The CLI's, the mail's, the feeds' and the imports' new items: no dict spelled anew.
    assert where("def new_item(") == ["models.py"]
    assert where('"replace_note":') == []
    entry = link_entry("https://a.example/", {"note": "= À suivre #IA", "tags": ["Veille"]})
    assert entry == new_item(
        "https://a.example/", note="À suivre #IA", tags=["Veille"], hashtags=["IA"],
        replace_note=True,
    )  # fmt: skip
    assert isinstance(entry, NewItem)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.note = "x"  # type: ignore[misc]
