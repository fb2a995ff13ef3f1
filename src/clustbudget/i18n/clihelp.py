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
import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import typer.core

from . import N_, default_lang, gettext, lang_from_argv, pgettext

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
COMMAND_METAVAR = N_("COMMAND [ARGS]...")
HELP_OPTION = N_("Show this message and exit.")
TYPER_HELP = (  # typer's own options' help (shell completion), translated like ours
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)


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
    if getattr(command, "subcommand_metavar", None) == COMMAND_METAVAR:
        command.subcommand_metavar = gettext(COMMAND_METAVAR, lang)
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None):
            param.help = gettext(param.help, lang)
        metavar = getattr(param, "metavar", None)
        if metavar:  # the placeholder (REPORT → RENDICONTO), in the usage line, the panels, errors
            param.metavar = pgettext("metavar", metavar, lang)
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


def _parse_args(self: Any, ctx: Any, args: list[str], base: Any) -> Any:
    """``base.parse_args``, and a usage error raised without its context (click's parser
    raises "Option '--strict' does not take a value" and "requires an argument" so) gets this
    command's: :func:`usage_error` names the command's ``--help`` after every error."""
    from typer._click.exceptions import UsageError

    try:
        return base.parse_args(self, ctx, args)
    except UsageError as exc:
        if exc.ctx is None:
            exc.ctx = ctx
        raise


def _format_help(self: Any, ctx: Any, formatter: Any, base: Any) -> None:
    with typer_words(getattr(self, "_i18n_lang", "en")):
        base.format_help(self, ctx, formatter)


class LocalizedCommand(typer.core.TyperCommand):
    """A command whose usage line and ``--help`` text follow the run's language."""

    get_help_option = _help_option
    format_usage = _format_usage

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _format_help(self, ctx, formatter, typer.core.TyperCommand)

    def parse_args(self, ctx: Any, args: list[str]) -> Any:
        return _parse_args(self, ctx, args, typer.core.TyperCommand)


class LocalizedGroup(typer.core.TyperGroup):
    """The app's group: chooses the language first, then runs in it (see the module)."""

    get_help_option = _help_option
    format_usage = _format_usage

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _format_help(self, ctx, formatter, typer.core.TyperGroup)

    def parse_args(self, ctx: Any, args: list[str]) -> Any:
        return _parse_args(self, ctx, args, typer.core.TyperGroup)

    def main(self, args: Sequence[str] | None = None, *pos: Any, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        localize(self, cli_lang(argv))
        return super().main(argv, *pos, **extra)


def cli_lang(argv: Sequence[str]) -> str:
    """The run's language: ``--lang`` anywhere on the command line, else the environment."""
    return lang_from_argv(argv) or default_lang()


# ------------------------------------------------------------------ usage errors

_CHOICE = re.compile(r"^(?:Value error, )?(.+) is not one of (.+)\.$", re.S)
_EXTRA = re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((.*)\)$", re.S)
_NO_COMMAND = re.compile(r"^No such command (.+)\.$", re.S)
_NEEDS_VALUE = re.compile(r"^Option (.+) requires (?:an argument|(\d+) arguments)\.$", re.S)
_NO_VALUE = re.compile(r"^Option (.+) does not take a value\.$", re.S)


def usage_error(exc: Any, lang: str) -> str:
    """A click/typer usage error as one line in ``lang``: what is wrong, then where the help is.

    Click words its errors in English when it raises them ("No such option: --x", "Missing
    argument 'NEW'.", "Invalid value for '-f': …", "Got unexpected extra argument (x)"); the
    exception keeps what they are made of (the option, the parameter, the values), from which
    the message is written again through the catalogue. A wording this does not know stays
    as click wrote it.
    """
    from typer._click import exceptions as ce

    from . import msg, nmsg, render

    text = str(getattr(exc, "message", "") or exc)
    what: object
    if isinstance(exc, ce.NoSuchOption):
        what = msg("no such option: {option}", option=exc.option_name)
        if exc.possibilities:
            what = msg(
                "{problem} (did you mean {options}?)",
                problem=what,
                options=", ".join(sorted(exc.possibilities)),
            )
    elif isinstance(exc, ce.MissingParameter):
        hint = _hint(exc)
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        what = (
            msg("missing argument {name}", name=hint)
            if kind == "argument"
            else msg("missing option {name}", name=hint)
            if kind == "option"
            else msg("missing parameter {name}", name=hint)
        )
    elif isinstance(exc, ce.BadParameter):
        what = msg("invalid value for {name}: {problem}", name=_hint(exc), problem=_bad_value(text))
    elif isinstance(exc, ce.BadOptionUsage) and (m := _NEEDS_VALUE.match(text)):
        what = msg("option {option} needs a value", option=m.group(1))
    elif isinstance(exc, ce.BadOptionUsage) and (m := _NO_VALUE.match(text)):
        what = msg("option {option} takes no value", option=m.group(1))
    elif m := _EXTRA.match(text):
        args = m.group(1)
        n = len(args.split())
        what = nmsg("unexpected extra argument: {args}", "unexpected extra arguments: {args}", n, args=args)
    elif m := _NO_COMMAND.match(text):
        what = msg("no such command {name}", name=m.group(1))
    elif text == "Missing command.":
        what = msg("missing command")
    else:
        what = text
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        names = list(getattr(ctx, "help_option_names", ()) or ())
        option = "--help" if "--help" in names or not names else names[0]
        what = see_help(what, ctx.command_path, option)
    return " ".join(render(what, lang).split())  # one line, whatever the values hold


def see_help(problem: object, command: str, option: str = "--help") -> Any:
    """A usage error and where the help is: ``… (vedi 'clustbudget new-period --help')``; click's
    errors (:func:`usage_error`) and a command's own checks of its options end so."""
    from . import msg

    return msg("{problem} (see '{command} {help}')", problem=problem, command=command, help=option)


def _hint(exc: Any) -> str:
    hint = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint()
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(repr(x) for x in hint)
    return hint or "?"


def _bad_value(text: str) -> object:
    from . import msg

    if m := _CHOICE.match(text):
        return msg("{value} is not one of {choices}", value=m.group(1), choices=m.group(2))
    return text
