"""The claim package (``clustbudget package``): everything uploaded to the Region for one period.

A folder, or a ``.zip`` of the same files::

    manifest.json                                   every file below, its SHA-256 and size, the
                                                    clustbudget version, the call pack, the sources
    rendiconto/<budget>-<period>.xlsx               the rendiconto workbook (live formulas)
    rendiconto/<budget>-<period>.pdf                the same figures, drawn as a PDF
    giustificativi/elenco-giustificativi-<period>.xlsx   the list of supporting documents
    giustificativi/elenco-giustificativi-<period>.csv    the same list as CSV (Sfinge's field names)
    allegati/<period>/<NNN>-<j>-<file name>         each document's files, under stable names
    personale/...                                   timesheets and hourly-cost statements, when
                                                    this clustbudget has them (see
                                                    :func:`staff_documents`)

Atomic: the files are written to a hidden temporary folder beside the target and renamed into
place when complete (a zip is written to an unnamed file and linked, as every workbook is); a
failure or an interruption leaves no target and removes the temporary folder. An existing
target is replaced only with ``force``. A period whose errors block a claim (as ``export``
counts them) is refused, and so is one whose attachments are missing (CB240) or changed (CB241).
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import field
from pathlib import Path

from . import __version__
from .attachments import sha256_of
from .exitcodes import ExitCode
from .i18n import msg, nmsg
from .pipeline import ProjectResult, Refused, computed_project
from .records import dataclass

MANIFEST = "manifest.json"
FORMAT = "clustbudget.package"
FORMAT_VERSION = 1

ROLE_RENDICONTO_XLSX = "rendiconto-xlsx"
ROLE_RENDICONTO_PDF = "rendiconto-pdf"
ROLE_ELENCO_XLSX = "elenco-giustificativi-xlsx"
ROLE_ELENCO_CSV = "elenco-giustificativi-csv"
ROLE_ATTACHMENT = "attachment"
ROLE_TIMESHEET = "timesheet"
ROLE_COST_STATEMENT = "cost-statement"


@dataclass(frozen=True)
class PackagePlan:
    """What ``package`` writes: the rendiconto of ``project.computed[period]`` and its
    documents, to ``target`` (a folder, or a ``.zip`` file when ``zip``)."""

    project: ProjectResult
    period: int
    target: Path
    zip: bool
    budget_path: Path


@dataclass
class Written:
    """The files of a package as they are written: path in the package → (role, source)."""

    root: Path
    files: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(path in the package, role, the source it was copied from, if any)."""
    missing: list[str] = field(default_factory=list)

    def add(self, name: str, role: str, source: str | None = None) -> Path:
        """Register ``name`` (a posix path in the package) and return where to write it."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.append((name, role, source))
        return path


def plan_package(
    budget_path: Path,
    report_paths: Sequence[Path] = (),
    *,
    period: str | None = None,
    output: Path,
    force: bool = False,
    strict: bool = False,
) -> PackagePlan:
    """Decide what :func:`write_package` writes, refusing (:class:`Refused`) what ``export``
    refuses — a budget that cannot be computed, errors that block the claim (all errors with
    ``strict``), an unknown period — and an existing target without ``force``."""
    project = computed_project(budget_path, report_paths)
    errors = project.blocking_errors(strict=strict, package=True)
    if errors:
        raise Refused(
            nmsg(
                "{n} error in the budget or its reports, no package written: fix it first",
                "{n} errors in the budget or its reports, no package written: fix them first",
                len(errors),
            ),
            ExitCode.FINDINGS,
            errors,
        )
    ids = [r.report.period.id for r in project.computed if r.report is not None]
    if not ids:
        raise Refused(msg("no cost report could be read: nothing to put in a package"), ExitCode.FINDINGS)
    index = project.latest_named
    if period is not None:
        if period not in ids:
            raise Refused(
                msg("no period {period!r} among the reports ({ids})", period=period, ids=", ".join(ids)),
                ExitCode.UNREADABLE,
            )
        index = ids.index(period)
    index %= len(ids)
    target = Path(output)
    if (target.exists() or target.is_symlink()) and not force:
        raise Refused(
            msg(
                "{target} already exists: pass --force to replace it, or -o another name",
                target=str(target),
            ),
            ExitCode.UNREADABLE,
        )
    if target.exists() and target.suffix.lower() != ".zip" and not target.is_dir():
        raise Refused(
            msg("{target} is a file: name a folder, or a .zip file", target=str(target)), ExitCode.UNREADABLE
        )
    return PackagePlan(project, index, target, target.suffix.lower() == ".zip", Path(budget_path))


def write_package(plan: PackagePlan, *, lang: str = "it", force: bool = False) -> Path:
    """Write the package :func:`plan_package` decided, atomically; returns the target.

    Raises :class:`Refused` (exit 2) when it cannot be written; nothing is left behind.
    """
    from .atomic import remove_stale_staging, staging_folder
    from .i18n.oserrors import os_reason

    target = plan.target
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        # What a killed run left here (its staging folder, a package it had moved aside) goes
        # first: the previous package is put back under its name if the run died holding it.
        remove_stale_staging(parent)
        staging, held = staging_folder(parent, target.name)
        try:
            written = Written(staging)
            build(plan, written, lang=lang)
            _write_manifest(plan, written)
            if plan.zip:
                _zip_into_place(staging, written, target, force)
            else:
                _rename_into_place(staging, target, force)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            os.close(held)
    except FileExistsError:
        raise Refused(
            msg(
                "{target} already exists: pass --force to replace it, or -o another name", target=str(target)
            ),
            ExitCode.UNREADABLE,
        ) from None
    except OSError as exc:
        raise Refused(
            msg("{target}: cannot write the package: {reason}", target=str(target), reason=os_reason(exc)),
            ExitCode.UNREADABLE,
        ) from None
    return target


# ----------------------------------------------------------------------------- what goes in


def _safe(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-.") or "period"


def build(plan: PackagePlan, out: Written, *, lang: str) -> None:
    """Write every document of the package into ``out`` (the staging folder)."""
    from .elenco import giustificativi, write_csv
    from .pdf import rendiconto as rendiconto_pdf
    from .xlsx import elenco as elenco_xlsx
    from .xlsx import export_report

    project, index = plan.project, plan.period
    result = project.computed[index]
    assert result.report is not None
    period_id = _safe(result.report.period.id)
    stem = f"{plan.budget_path.stem}-{period_id}"
    export_report(project, out.add(f"rendiconto/{stem}.xlsx", ROLE_RENDICONTO_XLSX), period=index, lang=lang)
    rendiconto_pdf.write(
        project, out.add(f"rendiconto/{stem}.pdf", ROLE_RENDICONTO_PDF), index=index, lang=lang
    )
    rows = giustificativi(project, index)
    elenco_xlsx.write(
        project,
        rows,
        out.add(f"giustificativi/elenco-giustificativi-{period_id}.xlsx", ROLE_ELENCO_XLSX),
        period=index,
        lang=lang,
    )
    write_csv(rows, out.add(f"giustificativi/elenco-giustificativi-{period_id}.csv", ROLE_ELENCO_CSV))
    for g in rows:
        for a in g.attachments:
            copy_attachment(a.path, out.add(a.name, ROLE_ATTACHMENT, a.file), a.sha256)
    staff_documents(plan, out, lang=lang)


def copy_attachment(source: Path, destination: Path, sha256: str) -> None:
    """Copy an attachment, and check the copy is the file that was hashed (a file replaced
    while the package is written is refused, not packaged unchecked)."""
    shutil.copyfile(source, destination)
    if sha256_of(destination) != sha256:
        raise OSError(errno.EIO, f"{source} changed while the package was being written")


def staff_documents(plan: PackagePlan, out: Written, *, lang: str) -> None:
    """The monthly timesheets and the hourly-cost statements of the period's staff, under
    ``personale/``: the ``timesheet`` command's documents (``clustbudget.timesheet``:
    ``write_timesheets`` and ``write_cost_statements``, an xlsx and a PDF each).
    """
    from .timesheet import write_cost_statements, write_timesheets

    result = plan.project.computed[plan.period]
    assert result.report is not None
    period_id = result.report.period.id
    for role, writer, folder in (
        (ROLE_TIMESHEET, write_timesheets, "personale/fogli-presenze"),
        (ROLE_COST_STATEMENT, write_cost_statements, "personale/costo-orario"),
    ):
        written = writer(plan.project, period_id, out.root / folder, lang)
        for path in written:
            out.files.append((Path(path).relative_to(out.root).as_posix(), role, None))


def _write_manifest(plan: PackagePlan, out: Written) -> None:
    project = plan.project
    b = project.budget
    assert b.budget is not None and b.pack is not None
    result = project.computed[plan.period]
    assert result.report is not None
    per = result.report.period

    def source(loaded: object) -> dict[str, str | None]:
        doc = getattr(loaded, "doc", None)
        path = getattr(loaded, "path", None)
        return {
            "path": os.path.relpath(path, plan.budget_path.parent) if path is not None else None,
            "sha256": doc.sha256 if doc is not None else None,
        }

    files = []
    for name, role, original in out.files:
        path = out.root / name
        entry: dict[str, object] = {
            "path": name,
            "role": role,
            "sha256": sha256_of(path),
            "bytes": path.stat().st_size,
        }
        if original is not None:
            entry["source"] = original
        files.append(entry)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tool": {"name": "clustbudget", "version": __version__},
        "project": {
            "title": b.budget.project.title,
            "beneficiary": b.budget.project.beneficiary,
            "cup": b.budget.project.cup,
        },
        "period": {"id": per.id, "start": per.start.isoformat(), "end": per.end.isoformat()},
        "call_pack": {
            "id": b.pack.id,
            "version": b.pack.version,
            "title": b.pack.title,
            "source": b.pack_display,
        },
        "budget": source(b.loaded),
        "reports": [source(r.loaded) for r in project.reports],
        "files": files,
        "missing": out.missing,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (out.root / MANIFEST).write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------- atomic placing


def _rename_into_place(staging: Path, target: Path, force: bool) -> None:
    from .atomic import exchange, lock_folder

    if not (target.exists() or target.is_symlink()):
        os.rename(staging, target)  # an existing empty folder would be replaced silently: checked above
        return
    if not force:
        raise FileExistsError(errno.EEXIST, "the package already exists", str(target))
    # Replace in one step where the system can: the new package takes the name, the old one
    # the staging name (a kill from here on leaves the new package, and a stale staging folder
    # the next run removes).
    if exchange(staging, target):
        _remove_old(staging)
        return
    # Elsewhere: the old package moves aside (locked, so no other run takes it for a killed
    # run's), the new one takes its name, the old one goes. A kill in between leaves the old
    # package aside: the next run puts it back (:func:`clustbudget.atomic.remove_stale_staging`).
    held = lock_folder(target) if target.is_dir() and not target.is_symlink() else None
    try:
        aside = target.parent / f".{target.name}.{secrets.token_hex(6)}.old"
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(aside, target)
            raise
        _remove_old(aside)
    finally:
        if held is not None:
            os.close(held)


def _remove_old(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink()


def _zip_into_place(staging: Path, out: Written, target: Path, force: bool) -> None:
    from .atomic import write_atomic

    names = [MANIFEST, *(name for name, _, _ in out.files)]

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with open(staging / name, "rb") as src, z.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)

    write_atomic(target, write, overwrite=force)


def default_target(budget_path: Path, period_id: str) -> Path:
    """``<budget name>-<period id>-package`` in the current folder."""
    return Path(f"{budget_path.stem}-{_safe(period_id)}-package")
