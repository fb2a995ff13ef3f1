"""The command line: parses options, calls the library, maps results to exit codes. No logic.

Exit codes (FORMAT.md §4, :mod:`clustbudget.exitcodes`): 0 ok; 1 a document has errors
(or warnings with --strict); 2 a file could not be read, or the command line is wrong;
3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO


def _no_pydantic_plugins() -> None:
    """The command loads no pydantic plugin (none is part of it): ``PYDANTIC_DISABLE_PLUGINS``,
    unless the user set it, and, while plugins are disabled, pydantic's plugin loader replaced by
    the same answer (no plugins) without its import of ``importlib.metadata`` (50 ms of the
    start-up: pydantic imports it on the first model built, whatever the variable says)."""
    if os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__") not in ("__all__", "1", "true"):
        return
    if "pydantic.plugin._loader" not in sys.modules:
        import types

        loader = types.ModuleType("pydantic.plugin._loader")
        loader.get_plugins = tuple  # type: ignore[attr-defined]  # get_plugins() -> ()
        sys.modules[loader.__name__] = loader


_no_pydantic_plugins()

# PyYAML's pure-Python reader compiles, as yaml is imported, the class of the characters YAML
# does not allow: 57 M instructions, a third of `import yaml`. The commands read YAML with
# libyaml, which checks them itself; the pattern is compiled where the Python reader runs.
_YAML_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
_re_compile = re.compile


class _CompiledOnFirstUse:
    """``re.compile(pattern)``, made when one of its methods is first asked for."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __getattr__(self, name: str) -> Any:
        value = getattr(_re_compile(self.pattern), name)
        setattr(self, name, value)
        return value


@contextlib.contextmanager
def _yaml_reader_pattern_on_first_use() -> Iterator[None]:
    """While active, ``re.compile`` of PyYAML's reader pattern gives a :class:`_CompiledOnFirstUse`
    (any other pattern, or any pattern once yaml is imported, is compiled as usual)."""
    if "yaml.reader" in sys.modules:
        yield
        return

    def compile(pattern: Any, flags: Any = 0) -> Any:
        if flags == 0 and pattern == _YAML_NON_PRINTABLE:
            return _CompiledOnFirstUse(pattern)
        return _re_compile(pattern, flags)

    re.compile = compile
    try:
        yield
    finally:
        re.compile = _re_compile


from . import records  # noqa: E402

with records.everywhere():  # typer's dataclasses made without compiling their methods
    import typer

from . import __version__  # noqa: E402
from .exitcodes import ExitCode  # noqa: E402
from .findings import exit_code  # noqa: E402
from .i18n import N_, Message, default_lang, msg, nmsg, render, workbook_lang  # noqa: E402
from .i18n.clihelp import LocalizedGroup, cli_lang, see_help, typer_words, usage_error  # noqa: E402

if TYPE_CHECKING:  # imported where used: `validate` starts without rich, pydantic or openpyxl
    from rich.console import Console

    from .config import Settings
    from .findings import Finding
    from .ledger import ImportPlan
    from .pipeline import BudgetResult, ProjectResult, Refused
    from .rules import Selection

APP_HELP = N_(
    "Budgets and cost reports of Clust-ER (POR/PR FESR) projects, checked to the cent.\n\n"
    "Exit codes: 0 no errors (warnings and info allowed unless --strict); "
    "1 a document has errors (or warnings, with --strict); "
    "2 a file could not be read as a document, or the command line is wrong; "
    "3 an internal error (a bug: please report it)."
)

app = typer.Typer(
    name="clustbudget",
    cls=LocalizedGroup,  # --help in the language of --lang / CLUSTBUDGET_LANG / the locale
    help=APP_HELP,
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # help paragraphs reflow to the terminal's width
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"


class TableFormat(StrEnum):
    text = "text"
    json = "json"


class Lang(StrEnum):
    it = "it"
    en = "en"


# Options shared by several commands, declared once.
BudgetArg = Annotated[Path, typer.Argument(help="A budget file.", show_default=False, metavar="BUDGET")]
ReportsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Cost reports of the budget's project; the whole project is always read (the reports "
        "in the folder named after the budget, and these). With export, they make the workbook "
        "the period's rendiconto.",
        show_default=False,
        metavar="REPORT",
    ),
]
ColorOpt = Annotated[
    Color, typer.Option("--color", help="Colour: auto (terminal only, honours NO_COLOR), always, never.")
]
SelectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        help="Report only these rule codes or prefixes (CB1, CB107); repeatable.",
        metavar="CODE",
    ),
]
IgnoreOpt = Annotated[
    list[str] | None,
    typer.Option("--ignore", help="Do not report these rule codes or prefixes; repeatable.", metavar="CODE"),
]
TableFormatOpt = Annotated[TableFormat, typer.Option("--output-format", "-f", help="text (a table) or json.")]
LangOpt = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        help="Language: it (Italian) or en (English). Default: CLUSTBUDGET_LANG, else the locale (LANG), else English.",
        show_default=False,
    ),
]
WorkbookLangOpt = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        help="Language of the workbook and messages: it (for the Region) or en. Default: CLUSTBUDGET_LANG, else Italian for the workbook.",
        show_default=False,
    ),
]


def terminal_lang(choice: Lang | None) -> str:
    """The language of what a command prints: --lang, else CLUSTBUDGET_LANG, else the locale."""
    return choice.value if choice is not None else default_lang()


def use_color(choice: Color, stream: TextIO | None = None) -> bool:
    """Colour on a terminal unless NO_COLOR is set; forced on or off by --color."""
    if choice is Color.always:
        return True
    if choice is Color.never or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def console(color: Color) -> Console:
    """A rich console for tables: no colour or wrapping unless on a terminal."""
    from rich.console import Console

    on = use_color(color)
    tty = sys.stdout.isatty()
    # Not a terminal: as wide as COLUMNS says, else wide enough that no cell is cut or wrapped
    # (rich would assume 80).
    width = None if tty else int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 200

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich would exit(1), which reads as "findings": let main() map it to 141
            raise BrokenPipeError

    # Colour off: no escape codes at all (no bold or italics either), not only no colours.
    return _Console(
        force_terminal=on or None,
        color_system="auto" if on else None,
        no_color=not on,
        soft_wrap=not tty,
        highlight=False,
        width=width,
    )


def fail(message: str, code: ExitCode = ExitCode.UNREADABLE, lang: str | None = None) -> NoReturn:
    """One line on stderr, then exit: the way every command reports a problem it cannot pass."""
    from .output.text import printable  # one line, whatever a file name or a cell holds

    sys.stderr.write(f"clustbudget: {printable(render(message, lang or cli_lang(sys.argv[1:])))}\n")
    raise typer.Exit(int(code))


def _selection(select: list[str] | None, ignore: list[str] | None) -> Selection:
    from .rules import Selection, all_rules

    def split(values: list[str] | None) -> tuple[str, ...]:  # --select CB1,CB2 as ruff takes it
        return tuple(p.strip().upper() for v in values or () for p in v.split(",") if p.strip())

    chosen, skipped = split(select), split(ignore)
    codes = all_rules() if chosen or skipped else {}
    for prefix in (*chosen, *skipped):
        if not any(c.startswith(prefix) for c in codes):
            fail(msg("no rule code starts with {prefix!r}: see 'clustbudget rules'", prefix=prefix))
    return Selection(chosen, skipped)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"clustbudget {__version__}\n")
        raise typer.Exit()


def _exit_with(code: int | None, **_: object) -> int:
    """Each command returns its exit code (from one policy, :func:`clustbudget.findings.exit_code`);
    a non-zero one ends the run with it, also when the app is invoked in click's standalone mode
    (``app()``, ``typer.testing.CliRunner``), which would otherwise exit 0."""
    if code:
        raise typer.Exit(code)
    return int(ExitCode.OK)


@app.callback(result_callback=_exit_with)
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    lang: LangOpt = None,  # read before parsing, by LocalizedGroup: here so that `--lang it --help` parses
) -> None:
    """Budgets and cost reports of Clust-ER projects, checked to the cent."""
    if lang is not None:
        # `clustbudget --lang it validate …`: the language of the whole run, as CLUSTBUDGET_LANG
        # would be (a command's own --lang still wins)
        os.environ["CLUSTBUDGET_LANG"] = lang.value


@app.command()
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Budget, cost report or call pack files, or folders to search for `*.yaml` and `*.yml` files.",
            metavar="PATH",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        ValidateFormat,
        typer.Option(
            "--output-format",
            "-f",
            help="text (people), json (scripts), github (annotations), junit (CI reports).",
        ),
    ] = ValidateFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")] = False,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    color: ColorOpt = Color.auto,
    lang: LangOpt = None,
) -> int:
    """Check budgets, cost reports and call packs against the call's rules.

    Every finding of every file, one per line as `file:line:col: CODE severity message`.

    Exit codes: 0 no errors (warnings and info allowed unless --strict); 1 a document has
    errors (or warnings, with --strict); 2 a file could not be read as a document, or the
    command line is wrong.
    """
    from .pipeline import validate_paths

    language = terminal_lang(lang)
    selection = _selection(select, ignore)
    run = validate_paths(paths, selection)
    if _KEPT is not None:
        _KEPT.append(run)  # freed by the process's end, not object by object as this returns
    if all(fr.skipped for fr in run.files):
        # Not an error (a repository may have no budget yet), but never silent in CI.
        warning = msg(
            "warning: no budget, cost report or call pack found in {paths}",
            paths=", ".join(map(str, paths)),
        )
        sys.stderr.write(f"clustbudget: {warning.render(language)}\n")
    out = sys.stdout
    if output_format is ValidateFormat.json:
        from .output import json as fmt
    elif output_format is ValidateFormat.github:
        from .output import github as fmt  # type: ignore[no-redef]
    elif output_format is ValidateFormat.junit:
        from .output import junit as fmt  # type: ignore[no-redef]
    else:
        from .output import text

        text.write(run, out, color=use_color(color), strict=strict, lang=language)
        return int(run.exit_code(strict=strict))
    fmt.write(run, out, strict=strict, lang=language)
    return int(run.exit_code(strict=strict))


def _settings(paths: Iterable[Path], lang: str) -> Settings:
    """The project's ``clustbudget.toml`` settings for these files (a broken file: exit 2)."""
    from .config import ConfigError, settings_for

    try:
        return settings_for(paths)
    except ConfigError as exc:
        fail(exc.args[0], ExitCode.UNREADABLE, lang)


def _saved_folder(paths: Iterable[Path], lang: str) -> Path:
    """Where a command writes when no -o is given: ``clustbudget.toml``'s ``output`` (made on
    first use), else the current folder."""
    folder = _settings(paths, lang).output
    if folder is None:
        return Path()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from .i18n.oserrors import os_reason

        fail(msg("{path}: {reason}", path=str(folder), reason=os_reason(exc)), ExitCode.UNREADABLE, lang)
    return folder


def _project_lang(argv: list[str]) -> None:
    """The language of the ``clustbudget.toml`` that applies to the files on the command line
    (or to the current folder), for every text of the run (after --lang and CLUSTBUDGET_LANG)."""
    from .config import ConfigError, find_config, load_config
    from .i18n import set_project_lang

    paths = [Path(a) for a in argv if a and not a.startswith("-") and os.path.exists(a)]
    found = find_config(paths)
    if found is None:
        set_project_lang(None)
        return
    try:
        set_project_lang(load_config(found).lang)
    except ConfigError as exc:
        fail(exc.args[0], ExitCode.UNREADABLE)


def _refuse(refused: Refused, color: Color, lang: str) -> NoReturn:
    """What the library refused: its findings on stderr, then its one-line message and exit code."""
    _print_findings(refused.findings, color, sys.stderr, lang)
    fail(refused.message, refused.code, lang)


def _budget_or_exit(budget: Path, color: Color, lang: str) -> BudgetResult:
    """Run the budget pipeline; print its findings and exit when no figures could be made."""
    from .pipeline import Refused, computed_budget

    try:
        return computed_budget(budget)
    except Refused as exc:
        _refuse(exc, color, lang)


@app.command()
def show(
    budget: BudgetArg,
    output_format: TableFormatOpt = TableFormat.text,
    lang: LangOpt = None,
    color: ColorOpt = Color.auto,
) -> int:
    """Show a budget as a table: items, shares, direct costs, flat rate, total.

    Item, label, amount and share of the total, with the computed flat rate (E), the
    direct-costs subtotal and the total.

    Exits 1 when the budget has errors (the table is still shown when it can be computed).
    """
    language = terminal_lang(lang)
    if output_format is TableFormat.json:
        from .output.json import dump
        from .output.show import figures_json
        from .pipeline import check_budget

        result = check_budget(budget)
        dump(figures_json(result, language), sys.stdout)  # an envelope even when nothing could be computed
    else:
        from .output.show import render
        from .output.text import finding_line

        result = _budget_or_exit(budget, color, language)
        con = console(color)
        render(result, con, language)
        for f in result.findings:
            sys.stdout.write(finding_line(f, color=use_color(color), lang=language) + "\n")
    return int(exit_code(result.findings))


@app.command()
def rules(
    code: Annotated[
        str | None,
        typer.Argument(help="A rule code, e.g. CB107, to explain.", show_default=False, metavar="CODE"),
    ] = None,
    output_format: TableFormatOpt = TableFormat.text,
    color: ColorOpt = Color.auto,
    lang: LangOpt = None,
) -> int:
    """List the rules, or explain one: what it checks, why, its source, an example."""
    from .i18n import gettext
    from .loading import PackResolver
    from .output.rules import explanation, rules_json, severity_word, summary
    from .rules import all_rules

    language = terminal_lang(lang)
    registry = all_rules()
    if code is not None:
        rule = registry.get(code.upper())
        if rule is None:
            fail(msg("no rule {code!r}: 'clustbudget rules' lists them", code=code), lang=language)
        picked = [rule]
    else:
        picked = list(registry.values())
    if output_format is TableFormat.json:
        from .output.json import dump

        dump(rules_json(picked, language), sys.stdout)
        return int(ExitCode.OK)
    if code is not None:
        sys.stdout.write(explanation(picked[0], language))
        return int(ExitCode.OK)
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_lines=False)
    for col in (N_("Code"), N_("Name"), N_("Severity"), N_("What it checks")):
        table.add_column(gettext(col, language))
    for r in picked:
        table.add_row(r.code, r.name, severity_word(r, language), escape(summary(r, language)))
    con = console(color)
    con.print(table)
    con.print(
        escape(
            render(
                msg(
                    "Built-in call packs: {packs}. Explain a rule: clustbudget rules CODE",
                    packs=", ".join(PackResolver.builtin_ids()),
                ),
                language,
            )
        )
    )
    return int(ExitCode.OK)


def _print_findings(
    findings: Iterable[Finding], color: Color, stream: TextIO | None = None, lang: str = "en"
) -> None:
    from .output.text import finding_line

    stream = stream or sys.stdout
    on = use_color(color, stream)
    for f in sorted(findings, key=lambda f: f.sort_key):
        stream.write(finding_line(f, color=on, lang=lang) + "\n")


def _project_or_exit(budget: Path, reports: list[Path] | None, color: Color, lang: str) -> ProjectResult:
    from .pipeline import Refused, computed_project

    try:
        return computed_project(budget, reports or ())
    except Refused as exc:
        _refuse(exc, color, lang)


@app.command()
def report(
    budget: BudgetArg,
    reports: ReportsArg = None,
    output_format: TableFormatOpt = TableFormat.text,
    with_pending: Annotated[
        bool,
        typer.Option("--with-pending", help="Show the pending budget variations beside the budget in force."),
    ] = False,
    lang: LangOpt = None,
    color: ColorOpt = Color.auto,
) -> int:
    """Budget against actual, per item, per period and cumulative.

    Budget, accepted costs of each period, cumulative, remaining and share used, with the
    contribution due where the call sets its rate.

    Without REPORT arguments, reads the reports in `<budget folder>/<budget name>/`.
    Exits 1 when the budget or a report has errors, 2 when a file cannot be read.
    """
    language = terminal_lang(lang)
    if output_format is TableFormat.json:
        from .output.json import dump
        from .output.progress import progress_json
        from .pipeline import load_project

        project = load_project(budget, reports or ())
        findings = project.findings
        dump(progress_json(project, language), sys.stdout)  # an envelope even when nothing could be computed
    else:
        project = _project_or_exit(budget, reports, color, language)
        findings = project.findings
        from .output.progress import render

        render(project, console(color), language, with_pending=with_pending)
        _print_findings(findings, color, lang=language)
    return int(exit_code(findings))


@app.command()
def summary(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Budget files, or folders holding them (each budget is read with its whole project).",
            show_default=False,
            metavar="PATH",
        ),
    ],
    output_format: TableFormatOpt = TableFormat.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the portfolio as an xlsx workbook.", metavar="FILE"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing workbook.")] = False,
    lang: LangOpt = None,
    color: ColorOpt = Color.auto,
) -> int:
    """The portfolio: one row per project, with the totals.

    Per project: budget, accepted to date, share used, remaining, months left, the projection
    to the end date, open errors and warnings, the latest period and whether it was reviewed.
    With -o FILE.xlsx, also a workbook (one row per project, with a chart).

    Exits 1 when a project has errors, 2 when a file cannot be read or the workbook exists
    (unless --force) or cannot be written.
    """
    from .portfolio import portfolio

    language = terminal_lang(lang)
    result = portfolio(paths)
    if output is not None:
        from .pipeline import Refused
        from .portfolio import write_workbook

        book_lang = lang.value if lang is not None else workbook_lang()
        try:
            target = write_workbook(result, output, lang=book_lang, force=force)
        except Refused as exc:
            _refuse(exc, color, language)
    if output_format is TableFormat.json:
        from .output.json import dump
        from .output.summary import summary_json

        dump(summary_json(result), sys.stdout)
    else:
        from .output.summary import render as render_summary

        render_summary(result, console(color), language)
    if output is not None and output_format is not TableFormat.json:
        sys.stdout.write(render(msg("wrote {target}", target=str(target)), language) + "\n")
    return int(exit_code(result.findings))


@app.command()
def variation(
    old: Annotated[
        Path, typer.Argument(help="The approved budget version.", show_default=False, metavar="OLD")
    ],
    new: Annotated[
        Path, typer.Argument(help="The new version (a revision of OLD).", show_default=False, metavar="NEW")
    ],
    output_format: TableFormatOpt = TableFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Also write the variation workbook (xlsx, in Italian unless --lang or CLUSTBUDGET_LANG says otherwise), shaped like the Region's variation form.",
            metavar="FILE.xlsx",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing workbook.")] = False,
    lang: LangOpt = None,
    color: ColorOpt = Color.auto,
) -> int:
    """Compare two versions of a budget: the shifts of a budget variation.

    Per item (and per year and per action where the budget splits them): the approved
    amount, the new amount, the shift in euro and as a share of the item and of the total;
    E follows from the new A-D. Then what needs the Region's approval under the call's
    tolerance, and the findings of both files.

    With -o FILE.xlsx, also writes the variation workbook: per item and year (and action)
    the approved cost, the requested amount, the difference and the note, with live formulas.

    Exits 1 when either version has errors (the workbook is still written, with a red
    banner), 2 when a file cannot be read or the workbook exists (unless --force) or cannot
    be written.
    """
    from .pipeline import Refused, compare_budgets, compared_budgets, write_variation

    language = terminal_lang(lang)
    try:
        # JSON alone is an envelope even when nothing could be compared; a table or a workbook
        # needs both versions' figures.
        json_only = output_format is TableFormat.json and output is None
        result = compare_budgets(old, new) if json_only else compared_budgets(old, new)
        if output is not None:
            book_lang = lang.value if lang is not None else workbook_lang()
            target = write_variation(result, output, lang=book_lang, force=force)
    except Refused as exc:
        _refuse(exc, color, language)
    if output_format is TableFormat.json:
        from .output.json import dump
        from .output.variation import variation_json

        dump(variation_json(result, language), sys.stdout)
    else:
        from .output.variation import render

        render(result, console(color), language)
        _print_findings(result.findings, color, lang=language)
    if output is not None:  # after the table; beside JSON, on stderr (stdout stays one document)
        stream = sys.stderr if output_format is TableFormat.json else sys.stdout
        stream.write(msg("wrote {target}", target=str(target)).render(language) + "\n")
    return int(exit_code(result.findings))


@app.command()
def export(
    budget: BudgetArg,
    reports: ReportsArg = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help="With reports: the period of the statement (default: the latest).", metavar="ID"
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Workbook to write (default, in the current folder: `<budget name>.xlsx`, or `<budget name>-<period id>.xlsx` for a rendiconto).",
            metavar="FILE",
        ),
    ] = None,
    lang: WorkbookLangOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing workbook.")] = False,
    allow_errors: Annotated[
        bool,
        typer.Option(
            "--allow-errors", help="Export a budget that has errors; the Summary says so at the top."
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="With reports: refuse costs the rules disallow too (by default the rendiconto is "
            "written with them left out of its figures and listed in Controlli).",
        ),
    ] = False,
    color: ColorOpt = Color.auto,
) -> int:
    """Write an xlsx statement with live formulas: the budget, or a period's rendiconto.

    The budget: Riepilogo, Dettaglio, by action and by year, Controlli, Provenienza. Given
    cost reports, the period's rendiconto: Riepilogo (budget | period | cumulative |
    remaining | %), Personale, Spese, Controlli, Provenienza.

    Exits 1 when the budget or a report has errors (unless --allow-errors) — for a
    rendiconto, errors other than disallowed costs, which it leaves out of its figures
    (any error with --strict) —, 2 when a file cannot be read, the workbook exists (unless
    --force) or cannot be written.
    """
    from .pipeline import Refused, plan_export, write_export

    language = terminal_lang(lang)
    book_lang = lang.value if lang is not None else workbook_lang()
    folder = _settings([budget, *(reports or ())], language).output if output is None else None
    try:
        plan = plan_export(
            budget,
            reports or (),
            period=period,
            output=output,
            output_dir=folder,
            allow_errors=allow_errors,
            force=force,
            strict=strict,
        )
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)  # clustbudget.toml's `output`, made on first use
        target = write_export(plan, lang=book_lang, force=force)
    except Refused as exc:
        _refuse(exc, color, language)
    sys.stdout.write(render(msg("wrote {target}", target=str(target)), language) + "\n")
    return int(ExitCode.OK)


@app.command("package")
def package(
    budget: BudgetArg,
    reports: ReportsArg = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="The period to package (default: the latest).", metavar="ID"),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Folder to write, or a .zip file (default, in the current folder: "
            "`<budget name>-<period id>-package`).",
            metavar="DIR|FILE.zip",
        ),
    ] = None,
    lang: WorkbookLangOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing package.")] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Refuse a period whose costs the rules disallow, too."),
    ] = False,
    color: ColorOpt = Color.auto,
) -> int:
    """Write the claim package of one period: everything uploaded to the Region.

    The rendiconto (xlsx and PDF), the list of supporting documents (elenco giustificativi,
    xlsx and CSV), every expense's attachments copied under stable names, and manifest.json
    (each file with its SHA-256, the clustbudget version, the call pack). Written atomically:
    an interrupted run leaves nothing.

    Exits 1 when the budget or a report has errors that block the claim (as export counts
    them; any error with --strict; a missing or changed attachment, CB240/CB241), 2 when a file
    cannot be read, the package exists (unless --force) or cannot be written.
    """
    from .claim import default_target, plan_package, write_package
    from .pipeline import Refused

    language = terminal_lang(lang)
    book_lang = lang.value if lang is not None else workbook_lang()
    try:
        if output is None:
            from .pipeline import computed_project

            project = computed_project(budget, reports or ())
            ids = [r.report.period.id for r in project.computed if r.report is not None]
            chosen = period if period is not None else (ids[project.latest_named] if ids else "period")
            output = _saved_folder([budget, *(reports or ())], language) / default_target(budget, chosen)
        plan = plan_package(budget, reports or (), period=period, output=output, force=force, strict=strict)
        target = write_package(plan, lang=book_lang, force=force)
    except Refused as exc:
        _refuse(exc, color, language)
    sys.stdout.write(render(msg("wrote {target}", target=str(target)), language) + "\n")
    return int(ExitCode.OK)


@app.command()
def results(
    budget: BudgetArg,
    year: Annotated[int, typer.Option("--year", help="The calendar year of the report.", metavar="YEAR")],
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write, .xlsx or .pdf; repeatable (default, in the current folder: "
            "`<budget name>-results-<year>.xlsx` and `.pdf`; none with -f json).",
            metavar="FILE",
        ),
    ] = None,
    output_format: TableFormatOpt = TableFormat.text,
    lang: WorkbookLangOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    color: ColorOpt = Color.auto,
) -> int:
    """The annual results report for the Board and the Assembly.

    From the project's indicators file (`<budget folder>/<budget name>/indicators.yaml`) and
    its cost reports: organisations reached by category, channels by reach and by cost per
    contact, members and new members, events and participants, indicators against targets,
    per action, and the year's spending against the budget. Shows it, and writes it as a
    workbook with charts and as a PDF (or what -o names, by the suffix).

    Exits 1 when the budget or the indicators file has errors, 2 when a file cannot be read
    or written, or the year is not one of the project's.
    """
    from .output.results import render as render_results
    from .output.results import results_json
    from .pipeline import Refused
    from .results import check_targets, default_targets, load_results, write_results, year_results

    language = terminal_lang(lang)
    book_lang = lang.value if lang is not None else workbook_lang()
    targets = list(output or ())
    if not targets and output_format is TableFormat.text:
        folder = _saved_folder([budget], language)
        targets = [folder / t for t in default_targets(budget, year)]
    try:
        check_targets(targets, force=force)
        loaded = load_results(budget)
        res = year_results(loaded, year)
        pack = loaded.project.budget.pack
        assert pack is not None
        written = write_results(res, pack, targets, lang=book_lang, force=force)
    except Refused as exc:
        _refuse(exc, color, language)
    if output_format is TableFormat.json:
        from .output.json import dump

        dump(results_json(res, pack, language), sys.stdout)
    else:
        render_results(res, pack, console(color), language)
        _print_findings(res.findings, color, lang=language)
        for path in written:
            sys.stdout.write(render(msg("wrote {target}", target=str(path)), language) + "\n")
    return int(exit_code(res.findings))


ReportArg = Annotated[Path, typer.Argument(help="A cost report file.", show_default=False, metavar="REPORT")]
PersonOpt = Annotated[
    str | None, typer.Option("--person", help="Only this person (their id in the report).", metavar="ID")
]
OutDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Folder to write into (created if needed; default: clustbudget.toml's output, else the current folder).",
        metavar="DIR",
    ),
]


@app.command()
def timesheet(
    report: ReportArg,
    person: PersonOpt = None,
    month: Annotated[
        str | None, typer.Option("--month", help="Only this month of the period.", metavar="YYYY-MM")
    ] = None,
    output: OutDirOpt = None,
    lang: WorkbookLangOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    color: ColorOpt = Color.auto,
) -> int:
    """Write the monthly timesheets of a report's period, ready to sign: xlsx and PDF.

    One per person and month: the project, the person, the day grid (hours on the project per
    action, other projects, ordinary activity, absence) with totals, hours × hourly rate = the
    month's cost, and signature blocks. A month given by month only has the month's total and
    an empty grid to fill in by hand. Files: `timesheet-<period>-<person>-<YYYY-MM>.xlsx|.pdf`.

    Exits 1 when the project has errors other than disallowed costs, 2 when a file cannot be
    read, exists (unless --force) or cannot be written.
    """
    from .timesheet import write_timesheets

    if month is not None:
        month = _month_option(month, "clustbudget timesheet", terminal_lang(lang))
    return _write_period_documents(
        report,
        output,
        lang,
        color,
        lambda project, period_id, book_lang, folder: write_timesheets(
            project, period_id, folder, book_lang, person=person, month=month, overwrite=force
        ),
        msg("no hours for that person or month in the report"),
        "timesheet",
        person=person,
        month=month,
    )


def _month_option(value: str, command: str, lang: str) -> str:
    """A ``--month`` value as ``YYYY-MM`` (``2022-4`` and ``2022-04`` alike), or a usage error
    (exit 2) that says how to write it: ``2022-13`` is no month, not a month without hours."""
    import re

    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", value)
    if m is None or not 1 <= int(m.group(2)) <= 12:
        fail(
            see_help(msg("--month {month!r}: write a month as YYYY-MM, e.g. 2022-04", month=value), command),
            ExitCode.UNREADABLE,
            lang,
        )
    return f"{m.group(1)}-{int(m.group(2)):02d}"


def _write_period_documents(
    report: Path,
    output: Path | None,
    lang: Lang | None,
    color: Color,
    write: Callable[[ProjectResult, str, str, Path], list[Path]],
    nothing: Message,
    command: str,
    person: str | None = None,
    month: str | None = None,
) -> int:
    """What `timesheet` and `hourly-cost` share: the report's project, the files written (or
    refused with exit 2), a line per file, exit 1 with `nothing` when no file was due. A person
    or a month (already checked by :func:`_month_option`) that is not the period's is a usage
    error (exit 2)."""
    from .pipeline import Refused
    from .timesheet import asked_for, project_of_report, written_or_refused

    language = terminal_lang(lang)
    usage = f"clustbudget {command}"
    book_lang = lang.value if lang is not None else workbook_lang()
    folder = output if output is not None else _saved_folder([report], language)
    try:
        project, period_id = project_of_report(report)
        wrong = asked_for(project, period_id, person=person, month=month)
        if wrong is not None:
            fail(see_help(wrong, usage), ExitCode.UNREADABLE, language)
        paths = written_or_refused(lambda: write(project, period_id, book_lang, folder), folder)
    except Refused as exc:
        _refuse(exc, color, language)
    if not paths:
        fail(nothing, ExitCode.FINDINGS, language)
    for path in paths:
        sys.stdout.write(render(msg("wrote {target}", target=str(path)), language) + "\n")
    return int(ExitCode.OK)


@app.command("hourly-cost")
def hourly_cost(
    report: ReportArg,
    person: PersonOpt = None,
    output: OutDirOpt = None,
    lang: WorkbookLangOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    color: ColorOpt = Color.auto,
) -> int:
    """Write the hourly-cost statement (prospetto del costo orario) of each person of a
    report's period: xlsx and PDF.

    The components of the annual gross cost (`cost_components`), their sum, ÷ the hours basis
    = the hourly rate, the source documents, and the period it is filed with (the first that
    reports the person; later periods reuse it unchanged). Files: `costo-orario-<person>.xlsx|.pdf`.

    Exits 1 when the project has errors other than disallowed costs, 2 when a file cannot be
    read, exists (unless --force) or cannot be written.
    """
    from .timesheet import write_cost_statements

    return _write_period_documents(
        report,
        output,
        lang,
        color,
        lambda project, period_id, book_lang, folder: write_cost_statements(
            project, period_id, folder, book_lang, person=person, overwrite=force
        ),
        msg("no such person in the report"),
        "hourly-cost",
        person=person,
    )


@app.command("import-expenses")
def import_expenses(
    ledger: Annotated[
        Path,
        typer.Argument(
            help="The accountant's ledger: a .csv or .xlsx file.", show_default=False, metavar="LEDGER"
        ),
    ],
    into: Annotated[
        Path,
        typer.Option(
            "--into", help="The cost report to add the expenses to.", show_default=False, metavar="REPORT"
        ),
    ],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=HEADER: the column holding an expense field (repeatable), e.g. amount=Imponibile.",
            metavar="FIELD=HEADER",
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="xlsx: the sheet to read (default: the first).", metavar="NAME"),
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows and list those left out.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the expenses that would be added; write nothing.")
    ] = False,
    header_row: Annotated[
        int | None,
        typer.Option(
            "--header-row",
            min=1,
            help="The row that holds the column headers (default: the first row that names the fields).",
            metavar="N",
        ),
    ] = None,
    keep_unmapped: Annotated[
        bool,
        typer.Option("--keep-unmapped", help="Keep the columns that map to no field in each expense's note."),
    ] = False,
    color: ColorOpt = Color.auto,
    lang: LangOpt = None,
) -> int:
    """Add the expenses of a ledger (CSV or xlsx) to a cost report.

    Columns are matched by their Italian or English headers (data, voce, descrizione,
    fornitore, numero documento, importo, IVA, data pagamento, modalità di pagamento…).

    Every row is validated as an expense, then with the report's rules in its project (inside
    the period, paid by its end, not already claimed…); nothing is written unless every row is
    valid, or with --skip-invalid, which lists the rows left out and why. The report keeps its comments: the
    expenses are appended to its `expenses:` list, and the file is replaced atomically.
    Exits 1 when rows are invalid (nothing written), 2 when a file cannot be read.
    """
    from .ledger import ImportRefused, expense_yaml, import_ledger
    from .output.text import printable
    from .pipeline import Refused

    language = terminal_lang(lang)

    def list_problems(plan: ImportPlan, skipped: bool) -> None:
        info = render(msg("info: "), language)
        for p in plan.notes:
            sys.stderr.write(printable(f"{ledger}:{p.row}: {info}{render(p.message, language)}") + "\n")
        word = render(msg("skipped: "), language) if skipped else ""
        for p in plan.problems:
            sys.stderr.write(printable(f"{ledger}:{p.row}: {word}{render(p.message, language)}") + "\n")

    saved = _settings([into, ledger], language)
    try:
        outcome = import_ledger(
            ledger,
            into,
            mapping=mapping or [],
            sheet=sheet,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            header_row=header_row if header_row is not None else saved.header_row,
            keep_unmapped=keep_unmapped or saved.keep_unmapped,
            defaults=saved.ledger_columns,
            lang=language,
        )
    except Refused as exc:
        _refuse(exc, color, language)
    except ImportRefused as exc:
        if exc.plan is not None:
            list_problems(exc.plan, skipped=False)
        fail(exc.message, ExitCode(exc.code), language)
    plan, rows, target = outcome.plan, outcome.rows, str(outcome.into)
    list_problems(plan, skipped=skip_invalid)
    if plan.paid:
        paid = nmsg(
            "{n} invoice awaiting payment gets its payment from the ledger (now claimed)",
            "{n} invoices awaiting payment get their payments from the ledger (now claimed)",
            len(plan.paid),
        )
        sys.stdout.write(render(paid, language) + "\n")
    if not rows:
        if not plan.paid:
            sys.stdout.write(
                render(msg("nothing to import from {ledger}", ledger=str(ledger)), language) + "\n"
            )
        return int(ExitCode.OK)
    if not outcome.written:  # --dry-run
        sys.stdout.write("".join(expense_yaml(r, 2) for r in rows))
        done = nmsg(
            "{n} expense would be added to {into} (dry run: nothing written)",
            "{n} expenses would be added to {into} (dry run: nothing written)",
            len(rows),
            into=target,
        )
        sys.stdout.write(render(done, language) + "\n")
        return int(ExitCode.OK)
    imported = nmsg(
        "imported {n} expense from {ledger} into {into}",
        "imported {n} expenses from {ledger} into {into}",
        len(rows),
        ledger=str(ledger),
        into=target,
    )
    left = (
        nmsg("; {n} row left out", "; {n} rows left out", len(plan.problems)).render(language)
        if plan.problems
        else ""
    )
    sys.stdout.write(imported.render(language) + left + "\n")
    return int(ExitCode.OK)


@app.command("import-invoices")
def import_invoices(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="FatturaPA e-invoices: .xml or signed .xml.p7m files, or folders of them.",
            show_default=False,
            metavar="FILE_OR_FOLDER",
        ),
    ],
    into: Annotated[
        Path,
        typer.Option(
            "--into", help="The cost report to add the invoices to.", show_default=False, metavar="REPORT"
        ),
    ],
    item: Annotated[
        str | None, typer.Option("--item", help="The item every invoice goes to (e.g. D).", metavar="ITEM")
    ] = None,
    share: Annotated[
        str | None,
        typer.Option(
            "--share", help="The eligible share of every invoice (e.g. 0.5 or 50%).", metavar="SHARE"
        ),
    ] = None,
    action: Annotated[
        str | None,
        typer.Option("--action", help="The action(s) of every invoice (e.g. 2 or 1,2).", metavar="ID"),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="A YAML file saying, per e-invoice file, its item (FILE: D) or {item, share, action}.",
            metavar="FILE",
        ),
    ] = None,
    ask: Annotated[
        bool,
        typer.Option("--ask", help="Ask, on the terminal, the item and share of each invoice not mapped."),
    ] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid invoices and list those left out.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the expenses that would be added; write nothing.")
    ] = False,
    color: ColorOpt = Color.auto,
    lang: LangOpt = None,
) -> int:
    """Add FatturaPA e-invoices (.xml, .xml.p7m) to a cost report, awaiting payment.

    Each invoice becomes an expense (supplier, VAT number, number, date, taxable amount, VAT),
    with the item and share given by --item/--share, the --mapping file or --ask; it is kept on
    record as awaiting payment, not claimed, until its payment is added (by hand, or by a ledger
    import that matches it by supplier and number). Credit notes (TD04) reduce the invoice they
    cite. The XML file is recorded as the expense's attachment with its SHA-256; a signed file's
    signature is not verified. Same guarantees as import-expenses: nothing written unless every
    invoice is valid, comments kept, atomic. Exits 1 when invoices are refused, 2 when a file
    cannot be read (unsafe XML included).
    """
    from .einvoice import Assignment, EInvoice
    from .einvoice import import_invoices as run_import
    from .ledger import ImportRefused, expense_yaml, number_text
    from .output.text import printable
    from .pipeline import Refused

    language = terminal_lang(lang)
    if ask and not sys.stdin.isatty():
        fail(
            see_help(
                msg("--ask needs a terminal: use --item or --mapping instead"), "clustbudget import-invoices"
            ),
            ExitCode.UNREADABLE,
            language,
        )
    share_text = None if share is None else number_text(share, None)

    def asker(invoice: EInvoice, items: tuple[str, ...]) -> Assignment | None:
        head = msg(
            "{where}: {supplier}, {number} of {date}, {amount:money}",
            where=invoice.where,
            supplier=invoice.supplier,
            number=invoice.number,
            date=invoice.issued,
            amount=invoice.taxable,
        )
        sys.stderr.write(render(head, language) + "\n")
        chosen = typer.prompt(render(msg("item ({items})", items="/".join(items)), language), err=True)
        if not str(chosen).strip():
            return None
        given = typer.prompt(render(msg("eligible share"), language), default="1", err=True)
        return Assignment(item=str(chosen).strip().upper(), share=number_text(str(given), None))

    def list_problems(planned_rows: list[tuple[str, str]], skipped: bool) -> None:
        word = render(msg("skipped: "), language) if skipped else ""
        for where, text in planned_rows:
            sys.stderr.write(printable(f"{where}: {word}{text}") + "\n")

    try:
        outcome = run_import(
            files,
            into,
            item=item,
            share=share_text,
            action=action,
            mapping=mapping,
            ask=asker if ask else None,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            lang=language,
        )
    except Refused as exc:
        _refuse(exc, color, language)
    except ImportRefused as exc:
        if exc.planned is not None:
            for note in exc.planned.notes:
                sys.stderr.write(printable(render(msg("info: "), language) + render(note, language)) + "\n")
            list_problems(
                [(exc.planned.where(p.row), render(p.message, language)) for p in exc.planned.plan.problems],
                False,
            )
        fail(exc.message, ExitCode(exc.code), language)
    planned, rows = outcome.planned, outcome.rows
    for note in planned.notes:
        sys.stderr.write(printable(render(msg("info: "), language) + render(note, language)) + "\n")
    list_problems(
        [(planned.where(p.row), render(p.message, language)) for p in planned.plan.problems], skip_invalid
    )
    if planned.plan.reduced and outcome.written:
        cut = nmsg(
            "{n} invoice in {into} reduced by its credit note",
            "{n} invoices in {into} reduced by their credit notes",
            len(planned.plan.reduced),
            into=str(outcome.into),
        )
        sys.stdout.write(render(cut, language) + "\n")
    if not rows:
        if not planned.plan.reduced:
            sys.stdout.write(render(msg("no invoice to import"), language) + "\n")
        return int(ExitCode.OK)
    if not outcome.written:  # --dry-run
        sys.stdout.write("".join(expense_yaml(r, 2) for r in rows))
        done = nmsg(
            "{n} invoice would be added to {into}, awaiting payment (dry run: nothing written)",
            "{n} invoices would be added to {into}, awaiting payment (dry run: nothing written)",
            len(rows),
            into=str(outcome.into),
        )
        sys.stdout.write(render(done, language) + "\n")
        return int(ExitCode.OK)
    imported = nmsg(
        "imported {n} invoice into {into}, awaiting payment: add its payment to claim it",
        "imported {n} invoices into {into}, awaiting payment: add their payments to claim them",
        len(rows),
        into=str(outcome.into),
    )
    sys.stdout.write(render(imported, language) + "\n")
    return int(ExitCode.OK)


class HoursForm(StrEnum):
    days = "days"
    months = "months"


@app.command("import-hours")
def import_hours(
    timesheet: Annotated[
        Path,
        typer.Argument(
            help="A timesheet export: .csv or .xlsx (Kimai's layout, or Italian headers).",
            show_default=False,
            metavar="FILE",
        ),
    ],
    into: Annotated[
        Path,
        typer.Option(
            "--into", help="The cost report to add the hours to.", show_default=False, metavar="REPORT"
        ),
    ],
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            help="This project's name in the export's project column: other projects' rows are other projects' hours.",
            metavar="NAME",
        ),
    ] = None,
    form: Annotated[
        HoursForm | None,
        typer.Option("--form", help="days (hours by day, the default) or months (hours: by month)."),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="xlsx: the sheet to read (default: the first).", metavar="NAME"),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be added; write nothing.")
    ] = False,
    color: ColorOpt = Color.auto,
    lang: LangOpt = None,
) -> int:
    """Add a timesheet export's hours (CSV or xlsx) to the staff of a cost report.

    One row per person and day, or several (a time tracker's entries are added up): person
    (the staff id or name), date, hours (7.5, 7,5 or 7:30), optionally action, project, other
    projects, ordinary activity, absence. Written by day (days:) or, with --form months, by
    month (hours:). Nothing is written unless every row is valid and the report's rules accept
    the new hours; comments are kept; the file is replaced atomically. Exits 1 when rows are
    refused, 2 when a file cannot be read.
    """
    from .hoursin import import_hours as run_import
    from .ledger import ImportRefused
    from .output.text import printable
    from .pipeline import Refused

    language = terminal_lang(lang)
    chosen = None if form is None else ("days" if form is HoursForm.days else "hours")
    try:
        outcome = run_import(timesheet, into, sheet=sheet, project=project, form=chosen, dry_run=dry_run)
    except Refused as exc:
        _refuse(exc, color, language)
    except ImportRefused as exc:
        if exc.planned is not None:
            for row, problem in exc.planned.problems:
                where = f"{timesheet}:{row}" if row else str(into)
                sys.stderr.write(printable(f"{where}: {render(problem, language)}") + "\n")
        fail(exc.message, ExitCode(exc.code), language)
    plan = outcome.plan
    if not plan.entries:
        sys.stdout.write(render(msg("no hours to import from {path}", path=str(timesheet)), language) + "\n")
        return int(ExitCode.OK)
    people = len([v for v in plan.added.values() if v])
    what = (
        nmsg(
            "{n} day of hours for {people} people",
            "{n} days of hours for {people} people",
            plan.entries,
            people=people,
        )
        if plan.form == "days"
        else nmsg(
            "{n} month of hours for {people} people",
            "{n} months of hours for {people} people",
            plan.entries,
            people=people,
        )
    )
    done = (
        msg("{what} would be added to {into} (dry run: nothing written)", what=what, into=str(outcome.into))
        if not outcome.written
        else msg("imported {what} into {into}", what=what, into=str(outcome.into))
    )
    sys.stdout.write(render(done, language) + "\n")
    return int(ExitCode.OK)


@app.command("new-period")
def new_period(
    budget: BudgetArg,
    period_id: Annotated[
        str, typer.Option("--id", help="The new period's id, e.g. SAL-3.", show_default=False, metavar="ID")
    ],
    end: Annotated[
        str,
        typer.Option(
            "--end", help="The new period's last day, YYYY-MM-DD.", show_default=False, metavar="DATE"
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="The file to write (default: <budget folder>/<budget name>/<id>.yaml).",
            metavar="FILE",
        ),
    ] = None,
    lang: LangOpt = None,
) -> int:
    """Write the next period's cost report, starting the day after the last one ends.

    The staff of the latest report are carried over with the basis of their rate (annual gross
    cost, cost year, hours basis), with no hours; no expenses. An existing file is never
    overwritten; the file is written atomically. Exits 2 when the budget or a report cannot be
    read, the id is taken, the end is before the start, or the file exists.
    """
    from datetime import date

    from .newperiod import NewPeriodRefused, plan_new_period, write_new_period

    language = terminal_lang(lang)
    try:
        last_day = date.fromisoformat(end)
    except ValueError:
        fail(
            see_help(msg("--end {end!r}: write the date as YYYY-MM-DD", end=end), "clustbudget new-period"),
            ExitCode.UNREADABLE,
            language,
        )
    try:
        plan = plan_new_period(budget, period_id, last_day, output=output)
        written = write_new_period(plan)
    except NewPeriodRefused as exc:
        fail(exc.message, ExitCode(exc.code), language)
    done = nmsg(
        "wrote {path}: {id}, {start} to {end}, {n} person carried over",
        "wrote {path}: {id}, {start} to {end}, {n} people carried over",
        plan.staff,
        path=str(written),
        id=plan.period_id,
        start=plan.start,
        end=plan.end,
    )
    sys.stdout.write(render(done, language) + "\n")
    return int(ExitCode.OK)


@app.command("config")
def config(
    path: Annotated[
        Path,
        typer.Argument(
            help="A budget, report or folder of the project (default: the current folder).",
            show_default=False,
            metavar="PATH",
        ),
    ] = Path(),
    output_format: Annotated[
        TableFormat, typer.Option("--output-format", "-f", help="text for people, json for scripts.")
    ] = TableFormat.text,
    lang: LangOpt = None,
) -> int:
    """Show the settings in force and where each one comes from.

    The project's clustbudget.toml (beside the budgets, or in a folder above them) saves what
    a team would otherwise retype: the ledger's column mapping, the default language, the
    default output folder, the patron saint's day. The command line overrides it, and
    CLUSTBUDGET_LANG overrides its language. Exits 2 when clustbudget.toml cannot be read.
    """
    from .config import in_force
    from .output.text import printable

    language = terminal_lang(lang)
    settings = _settings([path], language)
    rows = in_force(settings, lang=lang.value if lang is not None else None)
    if output_format is TableFormat.json:
        from .output.json import dump, envelope

        dump(
            envelope(
                "config",
                {
                    "file": None if settings.path is None else str(settings.path),
                    "settings": [
                        {"name": r.name, "value": r.value, "source": render(r.source, language)} for r in rows
                    ],
                },
            ),
            sys.stdout,
        )
        return int(ExitCode.OK)
    found = (
        msg("settings from {path}", path=str(settings.path))
        if settings.path is not None
        else msg("no clustbudget.toml found: the defaults are in force")
    )
    sys.stdout.write(printable(render(found, language)) + "\n")
    width = max(len(r.name) for r in rows)
    for r in rows:
        value = (
            "-" if r.value is None else str(r.value).lower() if isinstance(r.value, bool) else str(r.value)
        )
        sys.stdout.write(printable(f"{r.name.ljust(width)}  {value}  ({render(r.source, language)})") + "\n")
    return int(ExitCode.OK)


class SchemaKind(StrEnum):
    budget = "budget"
    report = "report"
    pack = "pack"
    indicators = "indicators"


@app.command()
def schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(help="Which file kind: budget, report, pack or indicators.", metavar="KIND"),
    ] = SchemaKind.budget,
    lang: LangOpt = None,
) -> int:
    """Print the JSON Schema of a budget, cost report, call pack or indicators file, for editors."""
    from .output.json import dump
    from .schema import json_schema

    # English unless --lang says otherwise (not CLUSTBUDGET_LANG or the locale): the schema
    # file an editor reads stays the same on every machine.
    dump(json_schema(kind.value, lang.value if lang is not None else "en"), sys.stdout)
    return int(ExitCode.OK)


# What a command read, kept alive until main() ends the process with os._exit: freeing 1,000
# budgets or a 20,000-expense project object by object, as the command returns, only costs time.
# None when the app runs in another process's hands (tests, a library user): nothing is kept.
_KEPT: list[object] | None = None


def main() -> None:
    """Console entry point: no traceback ever reaches a user."""
    # A short-lived process that builds large acyclic trees (YAML nodes, models): the cyclic
    # garbage collector only costs time here (a 20,000-expense report validates in 0.2 s of
    # model validation instead of 0.9 s). Memory is still freed by reference counting.
    gc.disable()
    global _KEPT
    _KEPT = []
    # The libraries imported as the command runs (pydantic, rich, ...) define their dataclasses
    # with records.dataclass: the same classes, without compiling their methods.
    with records.everywhere(), _yaml_reader_pattern_on_first_use():
        code = _run()
    # Once the output is flushed, nothing is left to do: end without tearing down (freeing a
    # 200,000-expense project object by object takes over a second), with the same exit code.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = int(ExitCode.BROKEN_PIPE)
    except (OSError, ValueError):
        pass
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


@contextlib.contextmanager
def _only_the_command(argv: list[str]) -> Iterator[None]:
    """While the app runs, only the command named first on the command line is registered:
    typer builds every registered command's parameters before parsing (17 commands, of which
    one runs). The main options (``--version``, ``--lang``, ``--help``) come before the command,
    so any other first word (an option, an unknown command, none) and shell completion
    (``_CLUSTBUDGET_COMPLETE``) keep every command, as do ``--help`` and usage errors."""
    registered = app.registered_commands
    name = argv[0] if argv else ""
    chosen = [
        c
        for c in registered
        if (c.name or (c.callback.__name__.lower().replace("_", "-") if c.callback else None)) == name
    ]
    if len(chosen) != 1 or "_CLUSTBUDGET_COMPLETE" in os.environ:
        yield
        return
    app.registered_commands = chosen
    try:
        yield
    finally:
        app.registered_commands = registered


def _run() -> int:
    """Run the app and turn every way it can end into an exit code (exitcodes.py)."""
    try:
        # standalone_mode=False: click returns or raises instead of exiting, so that the
        # outcomes below (a closed pipe, Ctrl-C) keep their documented codes.
        _project_lang(sys.argv[1:])
        with _only_the_command(sys.argv[1:]):
            result = app(prog_name="clustbudget", standalone_mode=False)
        return result if isinstance(result, int) else int(ExitCode.OK)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors: wrong option, missing argument
        from typer._click.exceptions import NoArgsIsHelpError, UsageError

        lang = cli_lang(sys.argv[1:])
        if isinstance(exc, UsageError) and not isinstance(exc, NoArgsIsHelpError):
            # One line in the run's language (click would print usage, a hint and the error).
            sys.stderr.write(f"clustbudget: {usage_error(exc, lang)}\n")
        elif (show := getattr(exc, "show", None)) is not None:
            with typer_words(lang):
                show()
        return int(getattr(exc, "exit_code", ExitCode.UNREADABLE))
    except SystemExit as exc:
        # click turns a closed pipe (EPIPE) into exit 1 after wrapping stdout: make it ours.
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            return int(ExitCode.BROKEN_PIPE)
        return exc.code if isinstance(exc.code, int) else int(ExitCode.INTERNAL)
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("clustbudget: " + render(msg("interrupted"), cli_lang(sys.argv[1:])) + "\n")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, with the shell's code for SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitCode.BROKEN_PIPE)
    except MemoryError:
        # Not a bug: the input needs more memory than this process may have (ulimit -v, a
        # container's limit). What was being written is left as it was (atomic writes).
        gc.collect()
        sys.stderr.write(
            "clustbudget: "
            + render(
                msg(
                    "out of memory: the input is larger than this process may hold; "
                    "split it (a ledger by period) or raise the memory limit"
                ),
                cli_lang(sys.argv[1:]),
            )
            + "\n"
        )
        return int(ExitCode.UNREADABLE)
    except OSError as exc:
        # The system refused something (too many open files, a disk gone, no space): not a
        # bug of ours, said in the user's words with the file it concerns.
        if os.environ.get("CLUSTBUDGET_DEBUG"):
            raise
        from .i18n.oserrors import os_reason

        reason = os_reason(exc)
        text = msg("{path}: {reason}", path=str(exc.filename), reason=reason) if exc.filename else reason
        sys.stderr.write(f"clustbudget: {render(text, cli_lang(sys.argv[1:]))}\n")
        return int(ExitCode.UNREADABLE)
    except Exception as exc:  # the last line of defence: report, never a traceback
        if os.environ.get("CLUSTBUDGET_DEBUG"):
            raise
        bug = msg(
            "internal error: {kind}: {error}\n"
            "This is a bug in clustbudget; rerun with CLUSTBUDGET_DEBUG=1 for details and report it.",
            kind=type(exc).__name__,
            error=str(exc),
        )
        sys.stderr.write(f"clustbudget: {render(bug, cli_lang(sys.argv[1:]))}\n")
        return int(ExitCode.INTERNAL)
