"""The command line: parses options, calls the library, maps results to exit codes. No logic.

Exit codes (FORMAT.md §4, :mod:`clustbudget.exitcodes`): 0 ok; 1 a document has errors
(or warnings with --strict); 2 a file could not be read, or the command line is wrong;
3 an internal error (a bug: please report it).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import re
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO

import typer

from . import __version__
from .exitcodes import ExitCode

if TYPE_CHECKING:  # imported where used: `validate` starts without rich, pydantic or openpyxl
    from rich.console import Console

    from .findings import Finding
    from .pipeline import BudgetResult, ProjectResult
    from .rules import Selection

EXIT_CODES_HELP = (
    "Exit codes: 0 no errors (warnings and info allowed unless --strict); "
    "1 a document has errors (or warnings, with --strict); "
    "2 a file could not be read as a document, or the command line is wrong; "
    "3 an internal error (a bug: please report it)."
)

app = typer.Typer(
    name="clustbudget",
    help="Budgets and cost reports of Clust-ER (POR/PR FESR) projects, checked to the cent.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
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
ColorOpt = Annotated[
    Color, typer.Option("--color", help="Colour: auto (terminal only, honours NO_COLOR), always, never.")
]
SelectOpt = Annotated[
    list[str] | None,
    typer.Option("--select", help="Report only these rule codes or prefixes (CB1, CB107); repeatable."),
]
IgnoreOpt = Annotated[
    list[str] | None, typer.Option("--ignore", help="Do not report these rule codes or prefixes; repeatable.")
]


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


def fail(message: str, code: ExitCode = ExitCode.UNREADABLE) -> NoReturn:
    """One line on stderr, then exit: the way every command reports a problem it cannot pass."""
    sys.stderr.write(f"clustbudget: {message}\n")
    raise typer.Exit(int(code))


def _selection(select: list[str] | None, ignore: list[str] | None) -> Selection:
    from .rules import Selection, all_rules

    def split(values: list[str] | None) -> tuple[str, ...]:  # --select CB1,CB2 as ruff takes it
        return tuple(p.strip().upper() for v in values or () for p in v.split(",") if p.strip())

    codes = all_rules()
    chosen, skipped = split(select), split(ignore)
    for prefix in (*chosen, *skipped):
        if not any(c.startswith(prefix) for c in codes):
            fail(f"no rule code starts with {prefix!r}: see 'clustbudget rules'")
    return Selection(chosen, skipped)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"clustbudget {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Budgets and cost reports of Clust-ER projects, checked to the cent."""


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
) -> None:
    """Check budgets, cost reports and call packs against the call's rules.

    Every finding of every file, one per line as `file:line:col: CODE severity message`.

    Exit codes: 0 no errors (warnings and info allowed unless --strict); 1 a document has
    errors (or warnings, with --strict); 2 a file could not be read as a document, or the
    command line is wrong.
    """
    from .pipeline import validate_paths

    selection = _selection(select, ignore)
    run = validate_paths(paths, selection)
    if all(fr.skipped for fr in run.files):
        # Not an error (a repository may have no budget yet), but never silent in CI.
        sys.stderr.write(
            "clustbudget: warning: no budget, cost report or call pack found in "
            f"{', '.join(map(str, paths))}\n"
        )
    out = sys.stdout
    if output_format is ValidateFormat.json:
        from .output import json as fmt
    elif output_format is ValidateFormat.github:
        from .output import github as fmt  # type: ignore[no-redef]
    elif output_format is ValidateFormat.junit:
        from .output import junit as fmt  # type: ignore[no-redef]
    else:
        from .output import text

        text.write(run, out, color=use_color(color), strict=strict)
        raise typer.Exit(int(run.exit_code(strict=strict)))
    fmt.write(run, out, strict=strict)
    raise typer.Exit(int(run.exit_code(strict=strict)))


def _budget_or_exit(budget: Path, color: Color) -> BudgetResult:
    """Run the budget pipeline; print its findings and exit when no figures could be made."""
    from .pipeline import check_budget

    result = check_budget(budget)
    if result.figures is None:
        _cannot_compute(budget, result.findings, color)
    return result


def _cannot_compute(budget: Path, findings: Sequence[Finding], color: Color) -> NoReturn:
    _print_findings(findings, color, sys.stderr)
    fatal = any(f.fatal for f in findings)
    fail(
        f"{budget}: cannot compute the budget, see the errors above",
        ExitCode.UNREADABLE if fatal else ExitCode.FINDINGS,
    )


@app.command()
def show(
    budget: BudgetArg,
    output_format: Annotated[
        TableFormat, typer.Option("--output-format", "-f", help="text (a table) or json.")
    ] = TableFormat.text,
    lang: Annotated[Lang, typer.Option("--lang", help="Labels in Italian (it) or English (en).")] = Lang.en,
    color: ColorOpt = Color.auto,
) -> None:
    """Show a budget as a table: items, shares, direct costs, flat rate, total.

    Item, label, amount and share of the total, with the computed flat rate (E), the
    direct-costs subtotal and the total.

    Exits 1 when the budget has errors (the table is still shown when it can be computed).
    """
    if output_format is TableFormat.json:
        from .output.json import dump
        from .output.show import figures_json
        from .pipeline import check_budget

        result = check_budget(budget)
        dump(figures_json(result), sys.stdout)  # an envelope even when nothing could be computed
        if any(f.fatal for f in result.findings):
            raise typer.Exit(int(ExitCode.UNREADABLE))
    else:
        from .output.show import render
        from .output.text import finding_line

        result = _budget_or_exit(budget, color)
        con = console(color)
        render(result, con, lang.value)
        for f in result.findings:
            sys.stdout.write(finding_line(f, color=use_color(color)) + "\n")
    raise typer.Exit(int(ExitCode.FINDINGS if result.errors else ExitCode.OK))


@app.command()
def rules(
    code: Annotated[
        str | None,
        typer.Argument(help="A rule code, e.g. CB107, to explain.", show_default=False, metavar="CODE"),
    ] = None,
    output_format: Annotated[
        TableFormat, typer.Option("--output-format", "-f", help="text or json.")
    ] = TableFormat.text,
    color: ColorOpt = Color.auto,
) -> None:
    """List the rules, or explain one: what it checks, why, its source, an example."""
    from .loading import PackResolver
    from .rules import all_rules
    from .rules.examples import example_files

    registry = all_rules()
    if code is not None:
        rule = registry.get(code.upper())
        if rule is None:
            fail(f"no rule {code!r}: 'clustbudget rules' lists them")
        picked = [rule]
    else:
        picked = list(registry.values())
    if output_format is TableFormat.json:
        from .output.json import dump, envelope

        dump(
            envelope(
                "rules",
                {
                    "rules": [
                        {
                            "code": r.code,
                            "name": r.name,
                            "severity": str(r.severity),
                            "summary": r.summary,
                            "citation": r.citation,
                            "explanation": r.explanation,
                            "example": [{"path": name, "text": text} for name, text in example_files(r.code)],
                        }
                        for r in picked
                    ]
                },
            ),
            sys.stdout,
        )
        return
    out = sys.stdout
    if code is not None:
        r = picked[0]
        out.write(f"{r.code} {r.name} ({r.severity})\n\n{r.summary}\n\nSource: {r.citation}\n")
        if r.explanation:
            out.write(f"\n{r.explanation}\n")
        files = example_files(r.code)
        if files:
            out.write("\nExample — files that break the rule (the comment marks the line):\n")
            for name, text in files:
                out.write(f"\n# --- {name}\n{text.rstrip()}\n")
        return
    from rich.table import Table

    table = Table(show_lines=False)
    for col in ("Code", "Name", "Severity", "What it checks"):
        table.add_column(col)
    for r in picked:
        table.add_row(r.code, r.name, str(r.severity), r.summary)
    con = console(color)
    con.print(table)
    con.print(
        f"Built-in call packs: {', '.join(PackResolver.builtin_ids())}. "
        "Explain a rule: clustbudget rules CODE"
    )


def _print_findings(findings: Iterable[Finding], color: Color, stream: TextIO | None = None) -> None:
    from .output.text import finding_line

    stream = stream or sys.stdout
    on = use_color(color, stream)
    for f in sorted(findings, key=lambda f: f.sort_key):
        stream.write(finding_line(f, color=on) + "\n")


def _project_or_exit(budget: Path, reports: list[Path] | None, color: Color) -> ProjectResult:
    from .pipeline import load_project

    project = load_project(budget, reports or ())
    if project.budget.figures is None:
        _cannot_compute(budget, project.budget.findings, color)
    return project


@app.command()
def report(
    budget: BudgetArg,
    reports: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Cost reports (default: the *.yaml reports in the folder named after the budget).",
            show_default=False,
            metavar="REPORT",
        ),
    ] = None,
    output_format: Annotated[
        TableFormat, typer.Option("--output-format", "-f", help="text (tables) or json.")
    ] = TableFormat.text,
    lang: Annotated[Lang, typer.Option("--lang", help="Labels in Italian (it) or English (en).")] = Lang.en,
    color: ColorOpt = Color.auto,
) -> None:
    """Budget against actual, per item, per period and cumulative.

    Budget, accepted costs of each period, cumulative, remaining and share used, with the
    contribution due where the call sets its rate.

    Without REPORT arguments, reads the reports in `<budget folder>/<budget name>/`.
    Exits 1 when the budget or a report has errors, 2 when a file cannot be read.
    """
    if output_format is TableFormat.json:
        from .output.json import dump
        from .output.progress import report_json
        from .pipeline import load_project

        project = load_project(budget, reports or ())
        findings = project.findings
        dump(report_json(project), sys.stdout)  # an envelope even when nothing could be computed
    else:
        project = _project_or_exit(budget, reports, color)
        findings = project.findings
        from .output.progress import render

        render(project, console(color), lang.value)
        _print_findings(findings, color)
    if any(f.fatal for f in findings):
        raise typer.Exit(int(ExitCode.UNREADABLE))
    raise typer.Exit(int(ExitCode.FINDINGS if project.errors else ExitCode.OK))


@app.command()
def export(
    budget: BudgetArg,
    reports: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Cost reports: with them, the workbook is the period's rendiconto.",
            show_default=False,
            metavar="REPORT",
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="With reports: the period of the statement (default: the latest)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Workbook to write (default, in the current folder: <budget name>.xlsx, or <budget name>-<period id>.xlsx for a rendiconto).",
        ),
    ] = None,
    lang: Annotated[
        Lang, typer.Option("--lang", help="Labels in Italian (it, for the Region) or English (en).")
    ] = Lang.it,
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
) -> None:
    """Write an xlsx statement with live formulas: the budget, or a period's rendiconto.

    The budget: Riepilogo, Dettaglio, by action and by year, Controlli, Provenienza. Given
    cost reports, the period's rendiconto: Riepilogo (budget | period | cumulative |
    remaining | %), Personale, Spese, Controlli, Provenienza.

    Exits 1 when the budget or a report has errors (unless --allow-errors) — for a
    rendiconto, errors other than disallowed costs, which it leaves out of its figures
    (any error with --strict) —, 2 when a file cannot be read, the workbook exists (unless
    --force) or cannot be written.
    """
    if reports or period is not None:
        # --period alone: the reports beside the budget, as `report` finds them
        project = _project_or_exit(budget, reports, color)
        errors = project.blocking_errors(strict=strict)
    else:
        project = None
        result = _budget_or_exit(budget, color)
        errors = result.errors
    if errors and not allow_errors:
        _print_findings(errors, color, sys.stderr)
        fail(
            f"{len(errors)} error(s) in {'the budget or its reports' if project else budget}, not exported: "
            "fix them, or pass --allow-errors",
            ExitCode.FINDINGS,
        )
    index = -1
    if project is not None:
        index = project.latest_named  # the latest period named, the rest of the project around it
        ids = [r.report.period.id for r in project.computed if r.report is not None]
        if not ids:
            fail("no cost report could be read: nothing to put in a rendiconto", ExitCode.FINDINGS)
        if period is not None:
            if period not in ids:
                fail(f"no period {period!r} among the reports ({', '.join(ids)})")
            index = ids.index(period)
    suffix = ""
    if project is not None:
        chosen = project.computed[index].report
        assert chosen is not None  # computed: its figures exist, so it was read
        period_id = chosen.period.id
        suffix = "-" + (re.sub(r"[^\w.-]+", "-", period_id).strip("-") or "period")
    default_name = budget.stem + suffix + ".xlsx"
    target = output if output is not None else Path(default_name)
    if target.suffix.lower() != ".xlsx":
        fail(f"{target}: the workbook's name must end in .xlsx")
    if target.exists() and not force:
        fail(f"{target} already exists: pass --force to overwrite it, or -o another name")
    try:
        if project is None:
            from .xlsx import export_budget

            export_budget(result, target, lang=lang.value, force=force)
        else:
            from .xlsx import export_report

            export_report(project, target, period=index, lang=lang.value, force=force)
    except OSError as exc:
        fail(f"{target}: cannot write the workbook: {exc.strerror or exc}")
    sys.stdout.write(f"wrote {target}\n")


@app.command("import-expenses")
def import_expenses(
    ledger: Annotated[
        Path,
        typer.Argument(
            help="The accountant's ledger: a .csv or .xlsx file.", show_default=False, metavar="LEDGER"
        ),
    ],
    into: Annotated[
        Path, typer.Option("--into", help="The cost report to add the expenses to.", show_default=False)
    ],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=HEADER: the column holding an expense field (repeatable), e.g. amount=Imponibile.",
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="xlsx: the sheet to read (default: the first).")
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows and list those left out.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the expenses that would be added; write nothing.")
    ] = False,
    color: ColorOpt = Color.auto,
) -> None:
    """Add the expenses of a ledger (CSV or xlsx) to a cost report.

    Columns are matched by their Italian or English headers (data, voce, descrizione,
    fornitore, numero documento, importo, IVA, data pagamento, modalità di pagamento…).

    Every row is validated as an expense, then with the report's rules in its project (inside
    the period, paid by its end, not already claimed…); nothing is written unless every row is
    valid, or with --skip-invalid, which lists the rows left out and why. The report keeps its comments: the
    expenses are appended to its `expenses:` list, and the file is replaced atomically.
    Exits 1 when rows are invalid (nothing written), 2 when a file cannot be read.
    """
    from .atomic import FileBusy, locked, real_file, write_text_atomic
    from .ledger import LedgerError, ReportShapeError, expense_yaml, parse_mapping, plan_import, read_ledger
    from .loading import load_file
    from .pipeline import budget_of_report, check_budget

    into = real_file(into)  # a symlink is written through: the report is the file it names
    # Read, changed and written back under the report's lock: a concurrent import waits, then
    # reads the file the other one wrote, so an import that says "imported" is never lost.
    hold = contextlib.ExitStack()
    try:
        if not dry_run and into.is_file():
            hold.enter_context(locked(into))
    except FileBusy as exc:
        fail(f"{into}: cannot write: {exc.strerror}")
    with hold:
        loaded = load_file(into, str(into), expect="report")
        if loaded.model is None:
            _print_findings(loaded.findings, color, sys.stderr)
            fatal = any(f.fatal for f in loaded.findings)
            fail(
                f"{into}: not a valid cost report, see above",
                ExitCode.UNREADABLE if fatal else ExitCode.FINDINGS,
            )
        budget = check_budget(budget_of_report(loaded))  # type: ignore[arg-type]
        if budget.pack is None or budget.figures is None:
            _print_findings(budget.findings, color, sys.stderr)
            fatal = any(f.fatal for f in budget.findings)
            fail(
                f"{into}: its budget {loaded.model.budget!r} cannot be read, see above",
                ExitCode.UNREADABLE if fatal else ExitCode.FINDINGS,
            )
        try:
            table = read_ledger(ledger, sheet=sheet)
            explicit = parse_mapping(mapping or [])
            plan = plan_import(table, into, explicit=explicit, skip_invalid=skip_invalid)
        except LedgerError as exc:
            fail(str(exc))
        except ReportShapeError as exc:  # the report's `expenses:` cannot be extended as it is written
            fail(f"{into}: {exc}", ExitCode.FINDINGS)
        columns_ok = plan.parsed.columns_ok
        for p in plan.problems:
            sys.stderr.write(
                f"{ledger}:{p.row}: {'skipped: ' if skip_invalid and columns_ok else ''}{p.message}\n"
            )
        if not columns_ok:
            fail(f"{ledger}: the columns could not be matched: nothing written", ExitCode.FINDINGS)
        if plan.problems and not skip_invalid:
            fail(
                f"{ledger}: {len(plan.problems)} of {len(table.rows)} rows are invalid: nothing written; "
                "fix them, or pass --skip-invalid to import the others",
                ExitCode.FINDINGS,
            )
        if not plan.added:
            sys.stdout.write(f"nothing to import from {ledger}\n")
            return
        rows = [values for _, values in plan.added]
        if dry_run:
            sys.stdout.write("".join(expense_yaml(r, 2) for r in rows))
            sys.stdout.write(f"{len(rows)} expense(s) would be added to {into} (dry run: nothing written)\n")
            return
        try:
            write_text_atomic(into, ("\ufeff" if plan.bom else "") + plan.text, overwrite=True)
        except OSError as exc:
            fail(f"{into}: cannot write: {exc.strerror or exc}")
        skipped = f"; {len(plan.problems)} row(s) left out" if plan.problems else ""
        sys.stdout.write(f"imported {len(rows)} expense(s) from {ledger} into {into}{skipped}\n")


class SchemaKind(StrEnum):
    budget = "budget"
    report = "report"
    pack = "pack"


@app.command()
def schema(
    kind: Annotated[
        SchemaKind, typer.Argument(help="Which file kind: budget, report or pack.")
    ] = SchemaKind.budget,
) -> None:
    """Print the JSON Schema of a budget, cost report or call pack, for editors."""
    from .output.json import dump
    from .schema import json_schema

    dump(json_schema(kind.value), sys.stdout)


def main() -> None:
    """Console entry point: no traceback ever reaches a user."""
    # A short-lived process that builds large acyclic trees (YAML nodes, models): the cyclic
    # garbage collector only costs time here (a 20,000-expense report validates in 0.2 s of
    # model validation instead of 0.9 s). Memory is still freed by reference counting.
    gc.disable()
    # Nor is a last collection at exit worth its ~20 ms: freeze everything instead.
    atexit.register(gc.freeze)
    sys.exit(_run())


def _run() -> int:
    """Run the app and turn every way it can end into an exit code (exitcodes.py)."""
    try:
        # standalone_mode=False: click returns or raises instead of exiting, so that the
        # outcomes below (a closed pipe, Ctrl-C) keep their documented codes.
        result = app(prog_name="clustbudget", standalone_mode=False)
        return result if isinstance(result, int) else int(ExitCode.OK)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors: wrong option, missing argument
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        return int(getattr(exc, "exit_code", ExitCode.UNREADABLE))
    except SystemExit as exc:
        # click turns a closed pipe (EPIPE) into exit 1 after wrapping stdout: make it ours.
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            return int(ExitCode.BROKEN_PIPE)
        return exc.code if isinstance(exc.code, int) else int(ExitCode.INTERNAL)
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("clustbudget: interrupted\n")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, with the shell's code for SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitCode.BROKEN_PIPE)
    except Exception as exc:  # the last line of defence: report, never a traceback
        if os.environ.get("CLUSTBUDGET_DEBUG"):
            raise
        sys.stderr.write(
            f"clustbudget: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in clustbudget; rerun with CLUSTBUDGET_DEBUG=1 for details and report it.\n"
        )
        return int(ExitCode.INTERNAL)
