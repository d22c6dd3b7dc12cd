"""Use case: send a composed review to publish targets and remember where it went.

`TARGETS` names each target `revue publish --to NAME` offers, with the factory that builds
it from the config, the options and the HTTP client (`TargetContext`); each target's settings
are its `[publish.NAME]` table (WordPress keeps its `[wordpress]`).

The store and the target are passed in. The review's content is rendered again from what
it published (its items, its title, its style) as an HTML fragment, so a blog gets the
same text as `compose --format html-fragment`. What the target answered is recorded per
review and site, after the network call (never inside a write transaction), so that the
next publish updates that post instead of making a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revue.config import Config
from revue.errors import BadInput, ConfigError, StoreError
from revue.models import Item, Review, unique_tags
from revue.publish.base import BadAnswer, PostRecord, Publication, Result, Target
from revue.store.db import Store

if TYPE_CHECKING:
    from revue.publish.wordpress import Http


@dataclass(frozen=True)
class PublishOptions:
    """What `revue publish` was asked, for every target (each reads what concerns it)."""

    dry_run: bool = False
    force: bool = False  # overwrite what was edited on the other side
    new: bool = False  # a new post or draft even when one is recorded
    resend: bool = False  # send a newsletter again
    status: str | None = None  # a WordPress post's status; a static page's (draft, publish)
    date_gmt: str | None = None  # WordPress's scheduled date


@dataclass
class TargetContext:
    """What a target's factory builds it from."""

    cfg: Config
    options: PublishOptions
    http: Http | None = None  # revue.web.fetch.ApiClient: the fetcher's limits and report
    detail: Callable[[str], None] = lambda _: None  # a --verbose line (where a secret came from)
    env: Mapping[str, str] | None = None  # None: os.environ
    # A static site's page is written under the compose lock, never over the database's files.
    lock: Path | None = None
    protect: Sequence[Path] = ()
    site: Path | None = None  # --site, for a static site

    def table(self, name: str) -> dict[str, Any]:
        """The target's [publish.NAME] table (checked when the config was read)."""
        found = self.cfg.publish.get(name)
        return dict(found) if isinstance(found, dict) else {}


TargetFactory = Callable[[TargetContext], Target]


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _wordpress(ctx: TargetContext) -> Target:
    """The blog of [wordpress] and the environment; ConfigError (exit 3) when the address,
    the user or (to send) the password is missing or unusable."""
    from revue.config import KEYRING_SERVICE, wordpress_account
    from revue.publish.wordpress import PostOptions, WordPress, WordPressSettings, check_url

    dry_run = ctx.options.dry_run
    account = wordpress_account(ctx.cfg, ctx.env, with_password=not dry_run)
    for name, value in (
        ("REVUE_WORDPRESS_URL or [wordpress] url", account.url),
        ("REVUE_WORDPRESS_USER or [wordpress] user", account.user),
        ("the application password (REVUE_WORDPRESS_PASSWORD or the keyring)", account.password),
    ):
        # An environment variable holding bytes that are not UTF-8 reaches Python as lone
        # surrogates: they could go neither into a header nor onto the terminal.
        if value is not None and not _encodable(value):
            raise ConfigError(f"{name}: not valid UTF-8 text")
    if not account.url:
        raise ConfigError(
            "no blog to publish to: set url under [wordpress] in the config, or REVUE_WORDPRESS_URL"
        )
    url = check_url(account.url, "[wordpress] url")
    if not account.user:
        raise ConfigError(
            "no WordPress user: set user under [wordpress] in the config, or REVUE_WORDPRESS_USER"
        )
    if not dry_run and not account.password:
        raise ConfigError(
            f"no application password for {account.user} on {url}: set "
            f"REVUE_WORDPRESS_PASSWORD, or store it with `keyring set {KEYRING_SERVICE} "
            f"{account.user}` ({account.keyring_note})"
        )
    if account.password_from:
        ctx.detail(f"application password from {account.password_from}")
    settings = WordPressSettings(
        url=url, user=account.user, password=account.password, category=account.category
    )
    o = ctx.options
    options = PostOptions(
        status=o.status, date_gmt=o.date_gmt, force=o.force, new=o.new, dry_run=o.dry_run
    )
    return WordPress(settings, options, http=ctx.http)


def _email(ctx: TargetContext) -> Target:
    """The newsletter of [publish.email]; the SMTP password from REVUE_SMTP_PASSWORD or the
    keyring (service revue-smtp, the login's name)."""
    from revue.config import secret
    from revue.files import read_capped
    from revue.publish.mail import (
        MailOptions,
        MailSettings,
        Newsletter,
        check_address,
        read_recipients,
        server_of,
    )

    table = ctx.table("email")
    if not table.get("smtp"):
        raise ConfigError('no SMTP server: set smtp = "smtp://host:port" under [publish.email]')
    server_of(table["smtp"])
    if not table.get("from"):
        raise ConfigError("no sender: set from under [publish.email]")
    sender = check_address(table["from"], "[publish.email] from")
    to_list = check_address(table["list"], "[publish.email] list") if table.get("list") else ""
    readers = read_recipients(table.get("to") or [], "[publish.email] to")
    if table.get("to_file"):
        path = Path(table["to_file"]).expanduser()
        if not path.is_absolute() and ctx.cfg.path is not None:
            path = ctx.cfg.path.parent / path  # beside the config that names it
        try:
            raw = read_capped(path, 50_000_000)
        except OSError as exc:
            raise ConfigError(
                f"[publish.email] to_file {path}: cannot read ({exc.strerror})"
            ) from None
        if raw is None:
            raise ConfigError(f"[publish.email] to_file {path}: larger than 50 MB")
        lines = raw.decode("utf-8", "replace").splitlines()
        seen = {a.lower() for a in readers}
        readers += [a for a in read_recipients(lines, str(path)) if a.lower() not in seen]
    user = table.get("user") or sender
    found = secret("REVUE_SMTP_PASSWORD", "revue-smtp", user, ctx.env)
    password = found.value
    if password is not None and not _encodable(password):
        raise ConfigError("REVUE_SMTP_PASSWORD: not valid UTF-8 text")
    if found.source and not ctx.options.dry_run:
        ctx.detail(f"SMTP password from {found.source}")
    settings = MailSettings(
        smtp=table["smtp"],
        sender=sender,
        recipients=tuple(readers),
        list_address=to_list,
        list_name=table.get("list_name"),
        unsubscribe=table.get("unsubscribe"),
        starttls=bool(table.get("starttls", False)),
        user=user,
        password=password,
        batch_size=int(table.get("batch_size", 50)),
        timeout=float(table.get("timeout", 30.0)),
    )
    unsubscribe = settings.unsubscribe
    if unsubscribe and not unsubscribe.lower().startswith(("mailto:", "https://", "http://")):
        raise ConfigError(
            f"[publish.email] unsubscribe = {unsubscribe!r}: give a mailto: or https: address"
        )
    options = MailOptions(dry_run=ctx.options.dry_run, resend=ctx.options.resend)
    return Newsletter(settings, options)


def _buttondown(ctx: TargetContext) -> Target:
    """The Buttondown newsletter; the token from REVUE_BUTTONDOWN_TOKEN or the keyring
    (service revue-buttondown, account "token")."""
    from revue.config import secret
    from revue.publish.buttondown import (
        DEFAULT_API,
        Buttondown,
        ButtondownOptions,
        ButtondownSettings,
    )

    table = ctx.table("buttondown")
    token = None
    if not ctx.options.dry_run:
        found = secret("REVUE_BUTTONDOWN_TOKEN", "revue-buttondown", "token", ctx.env)
        token = found.value
        if token is not None and (not _encodable(token) or not token.isprintable()):
            raise ConfigError("REVUE_BUTTONDOWN_TOKEN: not a valid token")
        if found.source:
            ctx.detail(f"Buttondown token from {found.source}")
    settings = ButtondownSettings(api=table.get("api") or DEFAULT_API, token=token)
    options = ButtondownOptions(dry_run=ctx.options.dry_run, new=ctx.options.new)
    return Buttondown(settings, options, http=ctx.http)


def _static_site(name: str) -> TargetFactory:
    def build(ctx: TargetContext) -> Target:
        from revue.publish import hugo, jekyll, pelican
        from revue.publish.static import StaticSite

        cfg = ctx.cfg
        configured = cfg.target_setting(name, "site")
        site = ctx.site or (Path(configured) if configured else None)
        if site is None:
            raise ConfigError(
                f"no {name} site to publish to: give --site DIR, or set site under "
                f"[publish.{name}] in the config"
            )
        if ctx.lock is None:
            raise ConfigError(f"no compose lock to write the {name} page under")
        generator = {
            "hugo": lambda: hugo.generator(cfg.target_setting("hugo", "front_matter")),
            "jekyll": lambda: jekyll.generator(cfg.target_setting("jekyll", "layout")),
            "pelican": pelican.generator,
        }[name]()
        o = ctx.options
        return StaticSite(
            generator,
            site,
            lock=ctx.lock,
            protect=ctx.protect,
            status=o.status,
            draft=bool(cfg.target_setting(name, "draft")),
            force=o.force,
            dry_run=o.dry_run,
        )

    return build


STATIC_SITES = ("hugo", "jekyll", "pelican")
# `revue publish --to NAME`: each target revue knows, by name.
TARGETS: dict[str, TargetFactory] = {
    "wordpress": _wordpress,
    "email": _email,
    "buttondown": _buttondown,
    **{name: _static_site(name) for name in STATIC_SITES},
}
DEFAULT_TARGETS = ("wordpress",)


def target_names(given: Sequence[str], cfg: Config) -> list[str]:
    """The targets asked for: `--to` (repeated or comma-separated), else the config's
    [publish] to, else WordPress; each once, in order. BadInput (ConfigError for the
    config's) for a name revue does not know, listing those it does."""
    from_config = not given
    raw = list(given) if given else list(cfg.publish.get("to") or DEFAULT_TARGETS)
    names: list[str] = []
    for value in raw:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name not in TARGETS:
                where = "[publish] to" if from_config else "--to"
                error = ConfigError if from_config else BadInput
                raise error(f"{where}: unknown target {name!r} (choose from {', '.join(TARGETS)})")
            if name not in names:
                names.append(name)
    if not names:
        raise BadInput(f"--to: name a target ({', '.join(TARGETS)})")
    return names


@dataclass
class StoreSends:
    """The store's record of whom a review was sent to by one target (publish.base.SendLog)."""

    store: Store
    review_id: int
    site: str
    now: Callable[[], str] = field(
        default=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    def sent(self) -> dict[str, str]:
        return self.store.sent_to(self.review_id, self.site)

    def record(self, addresses: Sequence[str], message_id: str) -> None:
        self.store.record_sent(self.review_id, self.site, addresses, message_id, self.now())

    def forget(self) -> None:
        self.store.forget_sent(self.review_id, self.site)


@dataclass(slots=True)
class Published:
    review: Review
    result: Result
    previous: PostRecord | None


def review_tags(
    items: list[Item], default_hashtags: list[str], *, style: str = "classic", every: bool = False
) -> tuple[str, ...]:
    """The hashtags the post shows (the config's in the classic style, then each link's), in
    order, each once (case-insensitively), without '#'. A link's other tags (`--tag Veille`)
    are the curator's own filing: they go too only with `every` ([wordpress] tags = "all")."""
    shown = default_hashtags if style == "classic" else []
    tags = [*shown, *(t for item in items for t in (item.tags if every else item.hashtags))]
    return tuple(unique_tags(" ".join(tag.lstrip("#").split()) for tag in tags))


def publication(
    store: Store,
    cfg: Config,
    review: Review,
    fmt: str = "",
    *,
    today: dt.date | None = None,
) -> tuple[Publication, list[int]]:
    """The review as a target receives it (title, HTML fragment and Markdown in its style,
    tags, its text in `fmt` when given, its day: its last, or `today` when that is still to
    come), and the items it shows. Raises BadInput when it would show none."""
    from revue.app.compose import build_doc, compose_options, review_span, select
    from revue.review.render import render
    from revue.templates import user_templates

    review_id = int(review.id)
    start, end = review_span(review)
    # Its current state (order, skips, sections, notes), as `revue week` and compose show it.
    items = select(store, start, end, zone=cfg.zone, review=review).items
    if not items:
        raise BadInput(
            f"review #{review_id}: nothing left to publish (every item is skipped or dead; "
            "see revue week)"
        )
    opts = compose_options(cfg, start, end, recorded=review)
    style = opts.style
    if review.kind:
        from revue.app.recap import recorded_doc

        # A recap: its items grouped and dated as `revue recap` wrote them.
        doc = recorded_doc(store, cfg, review)
        items = doc.items
    else:
        # The title as composed (its --suffix included).
        doc = build_doc(items, opts, cfg, title=review.title or None)
    template_dirs = [Path(cfg.templates_dir).expanduser()] if cfg.templates_dir else []
    templates = user_templates(dirs=template_dirs)
    options = {"show_summary": cfg.summaries}
    html = render(doc, "html-fragment", style, templates=templates, options=options)
    markdown = render(doc, "md", style, templates=templates, options=options)
    text = render(doc, fmt, style, templates=templates, options=options) if fmt else ""
    sent = Publication(
        review_id=review_id,
        title=doc.title,
        html=html,
        markdown=markdown,
        # A static site leaves a page dated in the future out of its build.
        day=min(end, today) if today is not None else end,
        tags=review_tags(
            [i for i in items if i.kind != "text"],
            cfg.hashtags,
            style=style,
            every=cfg.wordpress.get("tags") == "all",
        ),
        text=text,
        fmt=fmt,
        lang=opts.lang,
    )
    return sent, [i.id for i in items]


def publish(
    store: Store, cfg: Config, target: Target, review_id: int | None, *, now: dt.datetime
) -> Published:
    """Publish review `review_id` (default: the latest composed) to `target`; record the post
    unless it was a dry run. Raises NotFound for an unknown review, and whatever the target
    raises (Refused, Conflict: exit 1); what a target did before a bad answer (BadAnswer) is
    recorded first."""
    from dataclasses import replace

    from revue.app.check import choose_review

    review = choose_review(store, review_id)
    recorded = store.review_post(int(review.id), target.site)
    previous = (
        PostRecord(
            # 0: a target that names what it made by `ref` (a Message-ID, Buttondown's id).
            post_id=int(recorded.post_id or 0),
            ref=recorded.ref,
            link=recorded.link,
            status=recorded.status,
            modified_gmt=recorded.modified_gmt,
            content_sha256=recorded.content_sha256,
        )
        if recorded
        else None
    )
    made, item_ids = publication(
        store, cfg, review, getattr(target, "fmt", ""), today=now.astimezone(cfg.zone).date()
    )
    sends = StoreSends(store, int(review.id), target.site)
    item = replace(made, previous=previous, sends=sends)
    try:
        result = target.publish(item)
    except BadAnswer as exc:
        if exc.result is not None:
            _record(store, item, item_ids, target, exc.result, now)
        raise
    try:
        _record(store, item, item_ids, target, result, now)
    except StoreError:
        # An unrecorded page would pass for a hand edit next time: put back what was there.
        undo = getattr(target, "undo", None)
        if callable(undo):
            undo()
        raise
    return Published(review=review, result=result, previous=previous)


def _record(
    store: Store,
    item: Publication,
    item_ids: list[int],
    target: Target,
    result: Result,
    now: dt.datetime,
) -> None:
    if result.action == "dry-run" or (result.post_id is None and result.ref is None):
        return
    # What the blog now shows is what the review published.
    store.record_review({"item_count": len(item_ids)}, item_ids, review_id=item.review_id)
    store.record_post(
        {
            "review_id": item.review_id,
            "site": target.site,
            "post_id": result.post_id,
            "link": result.link,
            "status": result.status,
            "modified_gmt": result.modified_gmt,
            "content_sha256": result.content_sha256,
            "ref": result.ref,
            "published_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        }
    )
