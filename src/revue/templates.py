"""The curator's templates (--template, templates_dir), read from their folders for `render`.

The one place templates are read from disk, so that review/ stays pure: a file over
MAX_TEMPLATE_BYTES is refused before Jinja reads it whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import jinja2

from revue.review.render import Templates

# A template is a page of text; anything bigger is not one (a huge file, a sparse file).
MAX_TEMPLATE_BYTES = 2**20


class _BoundedLoader(jinja2.FileSystemLoader):
    """Template folders where a file over MAX_TEMPLATE_BYTES is refused before Jinja reads
    it whole (FileSystemLoader only ever opens regular files)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            filename = os.path.join(folder, *pieces)
            if os.path.isfile(filename):
                if os.path.getsize(filename) > MAX_TEMPLATE_BYTES:
                    raise jinja2.TemplateError(
                        f"{filename}: larger than {MAX_TEMPLATE_BYTES // 2**20} MB"
                    )
                break
        return super().get_source(environment, template)


def user_templates(template: Path | None = None, dirs: Sequence[Path] = ()) -> Templates | None:
    """`template` (--template: that file, found beside its own folder's) and the folders
    `dirs` (templates_dir), or None when there are none: the built-ins alone."""
    if template is None and not dirs:
        return None
    folders = [*([template.parent] if template is not None else []), *dirs]
    loader = _BoundedLoader([str(d) for d in folders], encoding="utf-8")
    return Templates(loader, template.name if template is not None else None)
