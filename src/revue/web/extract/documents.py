"""Non-HTML responses: PDFs (their document info), anything else (its file name)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from revue.models import PageMeta
from revue.web.extract.dates import iso_date
from revue.web.extract.text import MAX_BYTES, abs_url, clean, cut_sentence, finish_meta
from revue.web.extract.titles import finish_title


def _title_from_path(url: str) -> str | None:
    """ "https://x/y/rapport-annuel-2023.pdf" -> "rapport annuel 2023"."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    name = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    if "." in name:
        stem, ext = name.rsplit(".", 1)
        if 1 <= len(ext) <= 5 and stem:
            name = stem
    name = re.sub(r"[-_+.]+", " ", name)
    return clean(name)


def _pdf_meta(body: bytes) -> tuple[str | None, str | None, str | None, str | None]:
    """(title, author, published, subject) from a PDF's document info; never raises."""
    try:
        import io

        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body), strict=False)
        info = reader.metadata
        if info is None:
            return None, None, None, None
        title = clean(str(info.title)) if info.title else None
        author = clean(str(info.author)) if info.author else None
        subject = clean(str(info.subject)) if info.subject else None
        created = None
        raw_date = info.get("/CreationDate")
        if raw_date:
            m = re.match(r"D?:?(\d{4})(\d{2})(\d{2})", str(raw_date))
            if m:
                created = iso_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return title, author, created, subject
    except Exception:  # pypdf raises many things on broken files; any is "no metadata"
        return None, None, None, None


_USELESS_PDF_TITLES = re.compile(
    r"^(?:untitled|sans titre|microsoft word|document\d*|\S+\.(?:docx?|pdf|indd|pptx?)|"
    r"diapositive \d+|slide \d+|powerpoint presentation)", re.IGNORECASE,
)  # fmt: skip


def extract_document(body: bytes, url: str, content_type: str | None) -> PageMeta:
    """Metadata of a non-HTML response (PDF, image, JSON, text...); never raises.

    PDF: title/author/date from the document info (pypdf), else the file name. Anything
    else: a title from the file name in the URL path (or None). `content_type` is recorded.
    """
    meta = PageMeta()
    try:
        ctype = (content_type or "").split(";")[0].strip().lower() or None
        meta.content_type = ctype
        meta.url = abs_url(url, "") if url else None
        is_pdf = ctype == "application/pdf" or (
            isinstance(body, (bytes, bytearray)) and bytes(body[:1024]).lstrip().startswith(b"%PDF")
        )
        if is_pdf and body:
            title, author, created, subject = _pdf_meta(bytes(body[: MAX_BYTES * 4]))
            if title and not _USELESS_PDF_TITLES.match(title) and len(title) > 2:
                meta.title = finish_title(title)
            meta.author = author if author and len(author) < 120 else None
            meta.published = created
            meta.summary = cut_sentence(subject) if subject else None
        if not meta.title and url:
            meta.title = finish_title(_title_from_path(url))
    except Exception:
        return finish_meta(PageMeta(content_type=meta.content_type))
    return finish_meta(meta)
