from __future__ import annotations

import datetime as dt

import pytest

from revue.review.datephrase import date_phrase, review_title

D = dt.date
PREFIX = "Revue de presse marketing/techno"


# How a review's span is written in its title, one rule a row (review/datephrase.py lists them).
@pytest.mark.parametrize(
    ("start", "end", "title"),
    [
        (D(2023, 9, 8), D(2023, 9, 8), f"{PREFIX} du 8 septembre"),
        (D(2023, 11, 7), D(2023, 11, 8), f"{PREFIX} du 7 et 8 novembre"),
        (D(2024, 3, 12), D(2024, 3, 19), f"{PREFIX} du 12 mars au 19 mars"),
        (D(2024, 2, 28), D(2024, 3, 6), f"{PREFIX} du 28 février au 6 mars"),
        (D(2023, 12, 28), D(2024, 1, 3), f"{PREFIX} du 28 décembre 2023 au 3 janvier 2024"),
    ],
)
def test_spec_table(start: dt.date, end: dt.date, title: str) -> None:
    assert review_title(start, end) == title


@pytest.mark.parametrize(
    ("start", "end", "phrase"),
    [
        (D(2024, 3, 1), D(2024, 3, 1), "1er mars"),
        (D(2024, 3, 1), D(2024, 3, 2), "1er et 2 mars"),
        (D(2024, 3, 1), D(2024, 3, 8), "1er mars au 8 mars"),
        (D(2024, 2, 23), D(2024, 3, 1), "23 février au 1er mars"),
        (D(2023, 10, 31), D(2023, 11, 1), "31 octobre et 1er novembre"),
        (D(2023, 12, 31), D(2024, 1, 1), "31 décembre 2023 et 1er janvier 2024"),
        (D(2024, 2, 28), D(2024, 2, 29), "28 et 29 février"),
        (D(2024, 1, 1), D(2024, 12, 31), "1er janvier au 31 décembre"),
    ],
)
def test_french_first_of_month_and_consecutive(start: dt.date, end: dt.date, phrase: str) -> None:
    assert date_phrase(start, end) == phrase
    assert date_phrase(start, end, "fr-CA") == phrase


@pytest.mark.parametrize(
    ("start", "end", "phrase"),
    [
        (D(2023, 9, 8), D(2023, 9, 8), "September 8"),
        (D(2023, 11, 7), D(2023, 11, 8), "November 7 and 8"),
        (D(2024, 3, 12), D(2024, 3, 19), "March 12 to March 19"),
        (D(2024, 2, 28), D(2024, 3, 6), "February 28 to March 6"),
        (D(2023, 12, 28), D(2024, 1, 3), "December 28, 2023 to January 3, 2024"),
        (D(2023, 10, 31), D(2023, 11, 1), "October 31 and November 1"),
        (D(2024, 3, 1), D(2024, 3, 1), "March 1"),
    ],
)
def test_english(start: dt.date, end: dt.date, phrase: str) -> None:
    assert date_phrase(start, end, "en") == phrase
    assert date_phrase(start, end, "en_US") == phrase


def test_english_title() -> None:
    assert (
        review_title(D(2024, 3, 12), D(2024, 3, 19), lang="en")
        == "Marketing/tech press review, March 12 to March 19"
    )


def test_suffix_and_prefix() -> None:
    suffix = "et mes entrevues à CHOI RadioX et les éclaireurs du Numérique"
    assert review_title(D(2024, 3, 12), D(2024, 3, 19), suffix=suffix) == (
        "Revue de presse marketing/techno du 12 mars au 19 mars et mes entrevues à CHOI RadioX"
        " et les éclaireurs du Numérique"
    )
    assert review_title(D(2024, 3, 1), D(2024, 3, 1), prefix="Ma revue") == "Ma revue du 1er mars"
    assert review_title(D(2024, 3, 1), D(2024, 3, 1), prefix="") == "Du 1er mars"
    assert review_title(D(2024, 3, 1), D(2024, 3, 1), lang="en", prefix="") == "March 1"
    # A title is one line, whatever the config holds.
    assert review_title(D(2024, 3, 1), D(2024, 3, 1), prefix="Ma\nrevue", suffix=" x \n y ") == (
        "Ma revue du 1er mars x y"
    )


def test_end_before_start_is_an_error() -> None:
    with pytest.raises(ValueError, match="before"):
        review_title(D(2024, 3, 19), D(2024, 3, 12))
    with pytest.raises(ValueError, match="before"):
        date_phrase(D(2024, 3, 19), D(2024, 3, 12), "en")


def test_unsupported_language() -> None:
    with pytest.raises(ValueError, match="fr or en"):
        date_phrase(D(2024, 3, 1), D(2024, 3, 2), "de")
