"""The week's workbench on a terminal: the Textual app of `revue week` (the shell).

Only this module imports Textual, and only the `week` command imports this module, so the
other commands start as fast as before. It draws a `week.Workbench` and maps keys to its
methods; every decision is there. Page text is drawn as text (rich `Text`, markup off):
a title such as `[EN DIRECT] x [/y]` shows as written.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from revue.app.week import KEYS, Workbench
from revue.errors import RevueError

Opener = Callable[[str], object]


class _AppTerminal:
    """The terminal as the running app holds it, for clipboard.copy: the one thing copy
    writes to a terminal is the OSC 52 sequence of the text, and Textual's own writer sends
    that same sequence (App.copy_to_clipboard) without racing the frames it draws."""

    def __init__(self, app: App[None], text: str) -> None:
        self.app = app
        self.text = text

    def isatty(self) -> bool:
        return True

    def write(self, _sequence: str) -> int:
        self.app.copy_to_clipboard(self.text)
        return len(_sequence)

    def flush(self) -> None:
        pass


def copy_as_compose_does(app: App[None], text: str) -> str:
    """Copy as `compose --copy` does (clipboard.copy: OSC 52, else wl-copy, xclip, xsel,
    pbcopy); returns how. Raises Refused when nothing can take it."""
    from revue.clipboard import copy

    return copy(text, [_AppTerminal(app, text)])  # type: ignore[list-item]


def plain(text: str, *, dim: bool = False) -> Text:
    """Text from pages and the curator, drawn as it is: never read as markup."""
    return Text(text, style="dim" if dim else "", no_wrap=True, overflow="ellipsis", end="")


class ItemList(OptionList):
    """The candidate items; a mouse drag from one row to another moves the first there.
    The cursor stops at the first and the last item: holding ↓ must not wrap to the top,
    where the next J or K would move another item than the one the curator meant."""

    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted is None or self.highlighted > 0:
            super().action_cursor_up()

    class Dropped(Message):
        def __init__(self, source: int, target: int) -> None:
            super().__init__()
            self.source = source
            self.target = target

    _drag_from: int | None = None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._drag_from = event.style.meta.get("option")

    def on_mouse_up(self, event: events.MouseUp) -> None:
        source, self._drag_from = self._drag_from, None
        target = event.style.meta.get("option")
        if source is not None and target is not None and source != target:
            self.post_message(self.Dropped(source, target))


class Prompt(Input):
    """The one-line editor of a note, a section or tags: enter saves, esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class KeysScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "close"),
        Binding("question_mark", "dismiss", "close"),
        Binding("q", "dismiss", "close"),
    ]
    DEFAULT_CSS = """
    KeysScreen { align: center middle; }
    #keys { width: auto; max-width: 76; height: auto; border: round $accent; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        width = max(len(key) for key, _ in KEYS)
        lines = [f"{key:<{width}}  {what}" for key, what in KEYS]
        yield Static(Text("\n".join([*lines, "", "esc closes this list"])), id="keys")


class WeekApp(App[None]):
    """`revue week`: the list of candidates on the left, the post on the right."""

    TITLE = "revue week"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #head { height: 1; padding: 0 1; background: $panel; }
    #body { height: 1fr; }
    #items { width: 1fr; border: none; text-wrap: nowrap; text-overflow: ellipsis; }
    #preview { width: 1fr; border-left: solid $primary; padding: 0 1; }
    #prompt { display: none; }
    #status { height: auto; max-height: 3; padding: 0 1; }
    /* NO_COLOR: the cursor stays visible without colours. */
    .-no-color ItemList > .option-list--option-highlighted { text-style: bold reverse; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "keep_or_skip", "keep/skip"),
        Binding("a", "keep_candidate", "keep candidate", show=False),
        Binding("J", "move(1)", "down", key_display="J"),
        Binding("K", "move(-1)", "up", key_display="K"),
        Binding("e", "edit('note')", "note"),
        Binding("s", "edit('section')", "section"),
        Binding("t", "edit('tags')", "tags", show=False),
        Binding("asterisk", "star", "star", key_display="*", show=False),
        Binding("m", "cycle_format", "format", show=False),
        Binding("o", "open_link", "open", show=False),
        Binding("c", "compose_review", "compose"),
        Binding("y", "copy", "copy"),
        Binding("less_than_sign", "resize(-1)", "narrower", key_display="<", show=False),
        Binding("greater_than_sign", "resize(1)", "wider", key_display=">", show=False),
        Binding("question_mark", "keys", "keys", key_display="?"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(
        self,
        bench: Workbench,
        *,
        opener: Opener | None = None,
        copier: Callable[[App[None], str], str] = copy_as_compose_does,
    ) -> None:
        super().__init__()
        self.bench = bench
        self.opener = opener
        self.copier = copier
        self.editing: tuple[str, int] | None = None  # (field, item id) while the prompt is up

    def compose(self) -> ComposeResult:
        yield Static(id="head", markup=False)
        with Horizontal(id="body"):
            yield ItemList(id="items", markup=False)
            with VerticalScroll(id="preview"):
                yield Static(id="post", markup=False)
        # Editing in place: the cursor at the end of the text, not the text selected.
        yield Prompt(id="prompt", select_on_focus=False)
        yield Static(id="status", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if os.environ.get("NO_COLOR"):
            self.add_class("-no-color")
        self.show_split()
        self.show_rows()
        self.show_preview()
        self.query_one(ItemList).focus()
        if not self.bench.rows:
            self.say(self.bench.nothing_left())

    def show_split(self) -> None:
        """The list takes the remembered share of the width, the preview the rest."""
        self.query_one(ItemList).styles.width = f"{self.bench.split}%"

    # -- drawing -------------------------------------------------------------------------

    def show_rows(self, keep: int | None = None) -> None:
        """Draw the list again, the cursor on item `keep` (else where it was)."""
        items = self.query_one(ItemList)
        at = items.highlighted
        options = [
            Option(plain(row.line(), dim=not row.in_post), id=str(row.item.id))
            for row in self.bench.rows
        ]
        # The newsletters' candidates after the items, a group under each one's name.
        for name, group in self.bench.candidate_groups():
            options.append(Option(plain(f"── {name} ──", dim=True), id=f"h{len(options)}"))
            options += [Option(plain(c.line(), dim=True), id=f"c{c.id}") for c in group]
        items.set_options(options)
        if keep is not None:
            at = self.bench.index_of(keep)
        if options:
            items.highlighted = min(at or 0, len(options) - 1)
        self.query_one("#head", Static).update(Text(self.bench.heading()))

    def show_preview(self) -> None:
        try:
            text = self.bench.preview()
        except RevueError as exc:
            text = f"(no preview: {exc.message})"
        self.query_one("#post", Static).update(Text(text))

    def say(self, message: str) -> None:
        # Folded, not cut: the path of the file written must be read whole.
        self.query_one("#status", Static).update(Text(message, overflow="fold"))

    def current(self) -> int | None:
        """The item under the cursor (None on a newsletter's line)."""
        at = self.query_one(ItemList).highlighted
        if at is None or at >= len(self.bench.rows):
            return None
        return self.bench.rows[at].item.id

    def current_candidate(self) -> int | None:
        """The newsletter's candidate under the cursor."""
        items = self.query_one(ItemList)
        at = items.highlighted
        if at is None or at < len(self.bench.rows) or at >= items.option_count:
            return None
        option_id = items.get_option_at_index(at).id or ""
        return int(option_id[1:]) if option_id.startswith("c") else None

    def changed(self, keep: int | None) -> None:
        self.show_rows(keep)
        self.show_preview()

    # -- actions -------------------------------------------------------------------------

    def action_keep_candidate(self) -> None:
        candidate = self.current_candidate()
        if candidate is None:
            if self.current() is not None:
                self.say("a keeps a newsletter's link: this is an item already")
            return
        try:
            item = self.bench.keep_candidate(candidate)
        except RevueError as exc:
            self.say(exc.message)
            return
        self.say(f"#{item.id} kept from {item.via}: its page is fetched by `revue fetch`")
        shown = any(row.item.id == item.id for row in self.bench.rows)
        self.changed(item.id if shown else None)

    def action_keep_or_skip(self) -> None:
        item_id = self.current()
        if item_id is None:
            self.action_keep_candidate()
            return
        row = self.bench.toggle(item_id)
        self.say(f"#{item_id} {'kept' if row.kept else 'skipped (kept unpublished for later)'}")
        self.changed(item_id)

    def action_star(self) -> None:
        item_id = self.current()
        if item_id is None:
            return
        row = self.bench.star(item_id)
        self.say(f"#{item_id} {'starred for the recap' if row.item.starred else 'unstarred'}")
        self.changed(item_id)

    def action_move(self, step: int) -> None:
        item_id = self.current()
        if item_id is None:
            return
        problem = self.bench.move(item_id, step)
        self.say(problem or f"#{item_id} moved {'down' if step > 0 else 'up'}")
        if problem is None:
            self.changed(item_id)

    def on_item_list_dropped(self, message: ItemList.Dropped) -> None:
        if max(message.source, message.target) >= len(self.bench.rows):
            return  # a newsletter's line is not in the post's order
        source = self.bench.rows[message.source].item.id
        target = self.bench.rows[message.target].item.id
        problem = self.bench.drop(source, target)
        self.say(problem or f"#{source} moved")
        if problem is None:
            self.changed(source)

    def action_edit(self, name: str) -> None:
        item_id = self.current()
        if item_id is None:
            return
        item = self.bench.row(item_id).item
        if name == "tags":
            value = self.bench.tags_text(item_id)
        else:
            value = " ".join((getattr(item, name) or "").split())
        self.editing = (name, item_id)
        prompt = self.query_one(Prompt)
        prompt.value = value
        prompt.cursor_position = len(value)
        prompt.placeholder = f"{name} of #{item_id}"
        prompt.display = True
        prompt.focus()
        hint = ", comma-separated" if name == "tags" else ""
        self.say(f"{name} of #{item_id}{hint}: enter saves, esc cancels")

    def close_prompt(self) -> int | None:
        prompt = self.query_one(Prompt)
        prompt.display = False
        self.query_one(ItemList).focus()
        editing, self.editing = self.editing, None
        return editing[1] if editing else None

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if self.editing is None:
            return
        name, item_id = self.editing
        self.close_prompt()
        setter = {
            "note": self.bench.set_note,
            "section": self.bench.set_section,
            "tags": self.bench.set_tags,
        }[name]
        try:
            done = setter(item_id, message.value)
        except RevueError as exc:
            self.say(exc.message)
            return
        self.say(f"#{item_id}: {name} saved" if done else f"#{item_id}: {name} unchanged")
        if done:
            self.changed(item_id)

    def on_prompt_cancelled(self, _: Prompt.Cancelled) -> None:
        item_id = self.close_prompt()
        self.say(f"#{item_id}: nothing changed")

    def action_cycle_format(self) -> None:
        fmt = self.bench.cycle_format()
        self.say(f"preview: {fmt}")
        self.show_rows()
        self.show_preview()

    def action_open_link(self) -> None:
        item_id = self.current()
        if item_id is None:
            return
        url = self.bench.link(item_id)
        if not url:
            self.say(f"#{item_id} is a text block: no link to open")
            return
        if self.opener is None:
            import webbrowser

            opened = webbrowser.open(url)
        else:
            opened = bool(self.opener(url))
        self.say(f"opened {url}" if opened else f"no browser available here: {url}")

    def action_compose_review(self) -> None:
        try:
            result = self.bench.compose()
        except RevueError as exc:
            self.say(exc.message)
            return
        self.say(self.bench.composed_message(result))
        self.changed(self.current())

    def action_copy(self) -> None:
        try:
            text = self.bench.post()
            if text is None:
                self.say(f"nothing to copy: {self.bench.nothing_left()}")
                return
            how = self.copier(self, text)
        except RevueError as exc:
            self.say(exc.message)
            return
        self.say(f"copied the post ({self.bench.fmt}) {how}")

    def action_resize(self, step: int) -> None:
        self.say(self.bench.resize(step))
        self.show_split()

    def action_keys(self) -> None:
        self.push_screen(KeysScreen())


def run(bench: Workbench) -> None:
    """Run the app on this terminal until `q`."""
    WeekApp(bench).run()
