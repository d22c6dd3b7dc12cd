"""`revue inbox pull`: the links mailed to revue's mailbox, and the newsletters it receives."""

import contextlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from revue.cli.frame import creates_data, env_of, exit_for, printable
from revue.cli.output import run_fetch
from revue.config import InboxAccount, inbox_account
from revue.errors import BadInput

if TYPE_CHECKING:
    from revue.app.inbox import Filed
    from revue.inboxes import Folder


@creates_data
def inbox_pull(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be filed; file and flag nothing.")
    ] = False,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Store the links; fetch their pages later.")
    ] = False,
) -> None:
    """File the mails revue has not seen: your own links as items, newsletters' as
    candidates for the week (config [inbox])."""
    from revue.app.inbox import InboxRules, pull_inbox

    env = env_of(ctx)
    ui = env.ui
    account = inbox_account(env.cfg)
    folder = _open(account)
    rules = InboxRules(account.me, account.newsletters, account.max_bytes)

    def said(filed: "Filed") -> None:
        if filed.kind == "failed":
            ui.error(f"skipped {filed.named}: {filed.reason}")
            return
        if filed.kind == "ignored":
            ui.warn(f"left alone {filed.named} {filed.reason}")
            return
        if filed.kind == "duplicate":
            line = f"already filed {filed.named}"
        else:
            what = f"newsletter «{filed.newsletter}»" if filed.newsletter else "mail"
            line = f"{what} {filed.named}: {len(filed.links)} link(s)"
        if not dry_run:
            ui.detail(line)
            return
        ui.say(printable(line), markup=False)
        for link in filed.links:
            ui.say(f"  {printable(link)}", markup=False)

    try:
        with contextlib.ExitStack() as stack:
            store = env.store if not dry_run or env.db_file().exists() else None
            if store is None:
                # A dry run creates no database: with none yet, nothing was filed, and an
                # empty one in a temporary folder (removed after) says so.
                from revue.store.db import Store

                scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                store = Store.open(scratch / "dry-run.db")
                stack.callback(store.close)
            report = pull_inbox(
                store, folder, rules, env.fetcher_factory(), clock=env.now, dry_run=dry_run,
                on_message=said,
            )  # fmt: skip
    finally:
        folder.close()
    ui.say(("would file " if dry_run else "") + report.summary(), markup=False)
    failed = len(report.failed)
    if report.items and not no_fetch and not dry_run:
        # As public links (refresh.source_trust): a mail's From proves nothing.
        failed += len(run_fetch(env, report.items, single=False))
    exit_for(failed)


def _open(account: InboxAccount) -> "Folder":
    from revue.inboxes import ImapFolder, MaildirFolder

    if account.url and account.maildir:
        raise BadInput("[inbox] names both an IMAP url and a maildir: keep one")
    if account.maildir is not None:
        return MaildirFolder(account.maildir, done_folder=account.done_folder)
    if not account.url:
        raise BadInput(
            'no mailbox to read: set [inbox] url = "imaps://host/folder" (and user) or '
            '[inbox] maildir = "~/Mail/revue" in the config'
        )
    if not account.user:
        raise BadInput("[inbox] url needs [inbox] user, the account's name")
    if not account.password:
        raise BadInput(
            f"no IMAP password for {account.user}: set REVUE_IMAP_PASSWORD, or store it with "
            f"`keyring set revue-imap {account.user}` ({account.password_note})"
        )
    return ImapFolder(account.url, account.user, account.password, done_folder=account.done_folder)
