"""``--help`` in the user's language: the command tree's help texts, translated before click
prints them.

The language must be known before the help is built, so :class:`LocalizedGroup` (the app's
click group) reads it from the command line (``--lang``) or the environment as its first
step, then translates the help of every command and parameter of the freshly built tree
(typer builds a new tree per invocation, so nothing outlives the run). Typer's own words —
"Usage:", "Options", "[default: …]" — are module constants in :mod:`typer.rich_utils`; they
are swapped for the run's language inside :func:`typer_words` and put back afterwards.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import typer.core

from . import N_, default_lang, gettext, lang_from_argv

_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}
USAGE = N_("Usage:")
OPTIONS_METAVAR = N_("[OPTIONS]")
HELP_OPTION = N_("Show this message and exit.")


@contextlib.contextmanager
def typer_words(lang: str) -> Iterator[None]:
    """Typer's fixed words in ``lang`` while help or a usage error is printed."""
    import typer.rich_utils  # only when help is shown: it imports rich's markdown renderer

    saved = {name: getattr(typer.rich_utils, name) for name in _TYPER_WORDS}
    try:
        for name, text in _TYPER_WORDS.items():
            setattr(typer.rich_utils, name, gettext(text, lang))
        yield
    finally:
        for name, value in saved.items():
            setattr(typer.rich_utils, name, value)


def localize(command: Any, lang: str) -> None:
    """Translate the help of ``command``, its parameters and its subcommands, in place.

    Also: a flag shows no value placeholder (typer would print ``--strict <bool>``).
    """
    if getattr(command, "help", None):
        command.help = gettext(command.help, lang)
    if getattr(command, "short_help", None):
        command.short_help = gettext(command.short_help, lang)
    if type(command) is typer.core.TyperCommand:
        command.__class__ = LocalizedCommand  # same object, our usage line and help option
    command._i18n_lang = lang
    if getattr(command, "options_metavar", None) == "[OPTIONS]":
        command.options_metavar = gettext(OPTIONS_METAVAR, lang)
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None):
            param.help = gettext(param.help, lang)
        if getattr(param, "is_flag", False) and getattr(param, "metavar", None) is None:
            param.metavar = ""
        if isinstance(param, typer.core.TyperArgument):
            # typer would print the Python type (<list[Path]>) beside the argument's name
            param.display_type_rich = _no_type  # type: ignore[method-assign]
    for sub in getattr(command, "commands", {}).values():
        localize(sub, lang)


def _no_type(ctx: Any) -> None:
    return None


def _help_option(self: Any, ctx: Any) -> Any:
    option = _plain_help_option(self, ctx)
    if option is not None:
        option.help = gettext(HELP_OPTION, getattr(self, "_i18n_lang", "en"))
        option.metavar = ""
    return option


def _format_usage(self: Any, ctx: Any, formatter: Any) -> None:
    pieces = self.collect_usage_pieces(ctx)
    prefix = gettext(USAGE, getattr(self, "_i18n_lang", "en")) + " "
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=prefix)


_plain_help_option = typer.core.TyperCommand.get_help_option


def _format_help(self: Any, ctx: Any, formatter: Any, base: Any) -> None:
    with typer_words(getattr(self, "_i18n_lang", "en")):
        base.format_help(self, ctx, formatter)


class LocalizedCommand(typer.core.TyperCommand):
    """A command whose usage line and ``--help`` text follow the run's language."""

    get_help_option = _help_option
    format_usage = _format_usage

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _format_help(self, ctx, formatter, typer.core.TyperCommand)


class LocalizedGroup(typer.core.TyperGroup):
    """The app's group: chooses the language first, then runs in it (see the module)."""

    get_help_option = _help_option
    format_usage = _format_usage

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _format_help(self, ctx, formatter, typer.core.TyperGroup)

    def main(self, args: Sequence[str] | None = None, *pos: Any, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        localize(self, cli_lang(argv))
        return super().main(argv, *pos, **extra)


def cli_lang(argv: Sequence[str]) -> str:
    """The run's language: ``--lang`` anywhere on the command line, else the environment."""
    return lang_from_argv(argv) or default_lang()
