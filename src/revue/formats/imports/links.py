"""Links files: one URL a line, perhaps followed by its title (also what `add -` reads)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from revue import urls
from revue.formats.imports.records import ImportRecord, _collapsed, _url_problem

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"“”«»]+", re.IGNORECASE)


def read_links(lines: Iterable[str], errors: list[tuple[int, str]]) -> Iterator[ImportRecord]:
    """A list of links, one a line: the URL (an address from its `www.` on is https), then
    its title if the line goes on. Blank lines and `#` comments are skipped; a line that is
    not a link is reported in `errors` (`not a link: 'pas une url'`) and skipped, the others
    kept. What `import` reads from a links file and `add -` / `add --file` from theirs.

    `lines` are the file's physical lines; each is split again as `str.splitlines` splits
    (a form feed or U+2028 ends a line too), and numbered so."""
    number = 0
    for physical in lines:
        for raw in physical.splitlines():
            number += 1
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            url, _, rest = line.partition(" ")
            url = urls.with_scheme(url.strip("<>"))
            problem = _url_problem(url)
            if problem == "not an http(s) URL" and ":" not in url:
                errors.append((number, f"not a link: {line[:80]!r}"))  # prose, not an address
                continue
            if problem:
                errors.append((number, f"{problem}: {line[:80]}"))
                continue
            yield ImportRecord(url=url, title=_collapsed(rest), line=number)
