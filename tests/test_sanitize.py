"""The one gate of outside text (sanitize.py): its parameters say what they do."""

from revue.sanitize import BIDI_CONTROLS, clean_json, clean_text


def test_keep_bidi_keeps_the_curators_bidi_controls_and_drops_outside_ones() -> None:
    text = f"a\u202eb\x00c{BIDI_CONTROLS[0]}"
    assert clean_text(text, keep_bidi=True) == f"a\u202ebc{BIDI_CONTROLS[0]}"
    assert clean_text(text, keep_bidi=False) == "abc"
    assert clean_text(text) == clean_text(text, keep_bidi=True)


def test_unaccented_folds_accents_for_every_caller() -> None:
    from revue.sanitize import unaccented

    assert unaccented("Éric, août, ﬁn") == "Eric, aout, fin"
    assert unaccented("Éric") != "eric"  # case is the caller's


def test_clean_json_is_the_one_json_sanitiser() -> None:
    value = {"a\x00": ["b\u202e", 1, {"c": "\ud800"}]}
    assert clean_json(value) == {"a": ["b", 1, {"c": "\ufffd"}]}
    deep: list[object] = ["x\x00"]
    for _ in range(5000):  # deeper than a recursive walk goes
        deep = [deep]
    assert clean_json(deep, max_depth=None) is not None
    shallow = clean_json([[["s", 1]]], max_depth=2)
    assert shallow == [[["s", None]]]  # as deep as the recursive walk it replaces cut
