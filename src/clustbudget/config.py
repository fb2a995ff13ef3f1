"""A project's saved settings: ``clustbudget.toml`` beside the budgets.

What a team would otherwise retype on every run::

    lang = "it"                   # default language of commands and workbooks
    output = "statements"         # default output folder (export, package, results, timesheet,
                                  # hourly-cost), relative to this file
    patron_saint_day = "10-04"    # MM-DD: the local holiday of the association's town

    [ledger]                      # import-expenses
    header_row = 3                # the ledger's header row (default: found)
    keep_unmapped = true          # keep the columns that map to no field in the note

    [ledger.columns]              # FIELD = "HEADER": the columns the team's ledgers use
    amount = "Imponibile €"
    document = "Prot. fornitore"

The file is found beside the files a command is given (their folder, then each folder above it,
up to the repository's root, a folder with ``.git``), else from the current folder up. The
command line overrides it (``--lang``, ``-o``, ``--map``, ``--header-row``…), and so does
``CLUSTBUDGET_LANG`` for the language; ``clustbudget config`` shows each value in force and
where it comes from. Read with the standard library's :mod:`tomllib`; a file that is not TOML,
or holds a setting that does not exist or a value of the wrong kind, is a one-line error with
its ``file:line`` (exit 2).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from .i18n import msg
from .records import dataclass

FILENAME = "clustbudget.toml"

KNOWN: dict[str, str] = {
    "lang": "it or en",
    "output": "a folder",
    "patron_saint_day": "MM-DD",
    "ledger.header_row": "a row number",
    "ledger.keep_unmapped": "true or false",
    "ledger.columns": "FIELD = HEADER pairs",
}


class ConfigError(Exception):
    """``clustbudget.toml`` cannot be used: a one-line message with ``file:line`` (exit 2)."""


@dataclass(frozen=True)
class Setting:
    """One value in force and where it comes from (``clustbudget.toml:3``, ``--lang``…)."""

    value: Any
    source: str


@dataclass
class Settings:
    """The settings of a project's ``clustbudget.toml`` (``path`` None when there is none)."""

    path: Path | None = None
    values: dict[str, Setting] = field(default_factory=dict)
    """Dotted name (``ledger.header_row``) → value and its ``file:line``."""
    columns: dict[str, Setting] = field(default_factory=dict)
    """``[ledger.columns]``: field → header."""

    def get(self, name: str) -> Any:
        found = self.values.get(name)
        return None if found is None else found.value

    @property
    def lang(self) -> str | None:
        value = self.get("lang")
        return value if isinstance(value, str) else None

    @property
    def output(self) -> Path | None:
        """The default output folder, relative to the file's folder."""
        value = self.get("output")
        if not isinstance(value, str) or self.path is None:
            return None
        return Path(os.path.normpath(self.path.parent / value))

    @property
    def patron_saint_day(self) -> str | None:
        """``MM-DD``, for the hours' rules (a project's own ``patron_saint_day`` comes first)."""
        value = self.get("patron_saint_day")
        return value if isinstance(value, str) else None

    @property
    def ledger_columns(self) -> dict[str, str]:
        return {f: s.value for f, s in self.columns.items()}

    @property
    def header_row(self) -> int | None:
        value = self.get("ledger.header_row")
        return value if isinstance(value, int) else None

    @property
    def keep_unmapped(self) -> bool:
        return self.get("ledger.keep_unmapped") is True


def find_config(paths: Iterable[Path | str] = (), cwd: Path | None = None) -> Path | None:
    """The ``clustbudget.toml`` that applies to ``paths``: in the folder of the first path
    that has one above it (its own folder first, up to a repository's root), else from the
    current folder up."""
    starts: list[Path] = []
    for p in paths:
        path = Path(p)
        try:
            starts.append(path if path.is_dir() else path.parent)
        except OSError:
            continue
    starts.append(cwd or Path.cwd())
    for start in starts:
        try:
            folder = start.resolve()
        except OSError:
            continue
        for candidate in (folder, *folder.parents):
            found = candidate / FILENAME
            if found.is_file():
                return _shown(found, Path.cwd())  # shown relative to where the user is
            if (candidate / ".git").exists():
                break
    return None


def _shown(path: Path, cwd: Path) -> Path:
    """A path as messages show it: relative to the current folder when it is inside it."""
    try:
        return path.relative_to(cwd.resolve())
    except ValueError:
        return path


def _key_lines(text: str) -> dict[str, int]:
    """Dotted key → the line it is set on (tomllib gives no positions): the table headers
    (``[ledger.columns]``) and ``key = value`` lines, as people write them."""
    lines: dict[str, int] = {}
    table = ""
    for n, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[\s*([^\]\[]+?)\s*\]\s*(#.*)?$", line)
        if header:
            table = ".".join(part.strip().strip('"') for part in header[1].split("."))
            lines.setdefault(table, n)
            continue
        key = re.match(
            r"\s*((?:\"[^\"]*\"|'[^']*'|[\w-]+)(?:\s*\.\s*(?:\"[^\"]*\"|'[^']*'|[\w-]+))*)\s*=", line
        )
        if key:
            name = ".".join(part.strip().strip("\"'") for part in re.split(r"\s*\.\s*", key[1]))
            lines.setdefault(f"{table}.{name}" if table else name, n)
    return lines


def load_config(path: Path) -> Settings:
    """Read and check a ``clustbudget.toml``. Raises :class:`ConfigError`."""
    import tomllib

    from .ledger import CHECKED, FIELDS

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            msg("{path}: cannot read: {reason}", path=str(path), reason=exc.strerror or str(exc))
        ) from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(msg("{path}: not UTF-8 text: save it as UTF-8", path=str(path))) from None
    except tomllib.TOMLDecodeError as exc:
        reason = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)", reason)
        line, col = (int(where[1]), int(where[2])) if where else (1, 1)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", reason) or "invalid TOML"
        raise ConfigError(
            msg(
                "{path}:{line}:{col}: not valid TOML: {reason}",
                path=str(path),
                line=line,
                col=col,
                reason=reason,
            )
        ) from None
    lines = _key_lines(text)
    settings = Settings(path=path)

    def at(name: str) -> str:
        return f"{path}:{lines.get(name, 1)}"

    def bad(name: str, expected: str, value: Any) -> ConfigError:
        return ConfigError(
            msg(
                "{where}: {name} = {value!r}: expected {expected}",
                where=at(name),
                name=name,
                value=value,
                expected=expected,
            )
        )

    def unknown(name: str) -> ConfigError:
        from difflib import get_close_matches

        close = get_close_matches(name, list(KNOWN), n=1)
        return ConfigError(
            msg(
                "{where}: unknown setting {name!r}{hint} (settings: {known})",
                where=at(name),
                name=name,
                hint=f" (did you mean {close[0]!r}?)" if close else "",
                known=", ".join(KNOWN),
            )
        )

    for key, value in data.items():
        if key == "ledger":
            if not isinstance(value, dict):
                raise bad("ledger", "a table [ledger]", value)
            for sub, inner in value.items():
                name = f"ledger.{sub}"
                if sub == "header_row":
                    if not isinstance(inner, int) or isinstance(inner, bool) or inner < 1:
                        raise bad(name, KNOWN[name], inner)
                elif sub == "keep_unmapped":
                    if not isinstance(inner, bool):
                        raise bad(name, KNOWN[name], inner)
                elif sub == "columns":
                    if not isinstance(inner, dict):
                        raise bad(name, 'a table [ledger.columns] of FIELD = "HEADER"', inner)
                    for fld, header in inner.items():
                        ckey = f"ledger.columns.{fld}"
                        if fld not in FIELDS and fld not in CHECKED:
                            raise ConfigError(
                                msg(
                                    "{where}: {field!r} is not an expense field ({fields})",
                                    where=at(ckey),
                                    field=fld,
                                    fields=", ".join([*FIELDS, *CHECKED]),
                                )
                            )
                        if not isinstance(header, str) or not header.strip():
                            raise bad(ckey, "a column header (text)", header)
                        settings.columns[fld] = Setting(header.strip(), at(ckey))
                    continue
                else:
                    raise unknown(name)
                settings.values[name] = Setting(inner, at(name))
            continue
        if key not in KNOWN:
            raise unknown(key)
        if key == "lang":
            if not isinstance(value, str) or value.lower() not in ("it", "en"):
                raise bad(key, KNOWN[key], value)
            value = value.lower()
        elif key == "output":
            if not isinstance(value, str) or not value.strip():
                raise bad(key, KNOWN[key], value)
        elif key == "patron_saint_day" and (not isinstance(value, str) or not _month_day(value)):
            raise bad(key, 'MM-DD, a day of the calendar ("10-04" for 4 October)', value)
        settings.values[key] = Setting(value, at(key))
    return settings


def _month_day(text: str) -> bool:
    from datetime import date

    m = re.fullmatch(r"(\d\d)-(\d\d)", text)
    if not m:
        return False
    try:
        date(2020, int(m[1]), int(m[2]))  # a leap year: 02-29 exists
    except ValueError:
        return False
    return True


def settings_for(paths: Iterable[Path | str] = (), cwd: Path | None = None) -> Settings:
    """The settings that apply to ``paths`` (empty when no ``clustbudget.toml`` is found)."""
    found = find_config(paths, cwd)
    return load_config(found) if found is not None else Settings()


@dataclass(frozen=True)
class InForce:
    """One row of ``clustbudget config``."""

    name: str
    value: Any
    source: str


def in_force(
    settings: Settings, *, lang: str | None = None, environ: Mapping[str, str] | None = None
) -> list[InForce]:
    """Every setting with the value in force and where it comes from: the command line
    (``lang``), the environment, ``clustbudget.toml``, the locale or the default."""
    from .i18n import LANGS, _from_locale

    env = os.environ if environ is None else environ
    rows: list[InForce] = []
    env_value = (env.get("CLUSTBUDGET_LANG") or "").strip().lower()
    saved = settings.values.get("lang")
    if lang is not None:
        rows.append(InForce("lang", lang, "--lang"))
    elif env_value in LANGS:
        rows.append(InForce("lang", env_value, "CLUSTBUDGET_LANG"))
    elif saved is not None:
        rows.append(InForce("lang", saved.value, saved.source))
    else:
        for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
            value = env.get(var)
            if value:
                rows.append(InForce("lang", _from_locale(value) or "en", f"{var}={value}"))
                break
        else:
            rows.append(InForce("lang", "en", msg("default")))
    out = settings.values.get("output")
    rows.append(
        InForce("output", str(settings.output), out.source)
        if out is not None and settings.output is not None
        else InForce("output", ".", msg("default (the current folder)"))
    )
    for name in ("patron_saint_day", "ledger.header_row", "ledger.keep_unmapped"):
        found = settings.values.get(name)
        if found is not None:
            rows.append(InForce(name, found.value, found.source))
        else:
            rows.append(
                InForce(
                    name,
                    {"patron_saint_day": None, "ledger.header_row": None, "ledger.keep_unmapped": False}[
                        name
                    ],
                    {
                        "patron_saint_day": msg("default (the budget's project, else the call pack)"),
                        "ledger.header_row": msg("default (the first row that names the fields)"),
                        "ledger.keep_unmapped": msg("default"),
                    }[name],
                )
            )
    for fld, setting in settings.columns.items():
        rows.append(InForce(f"ledger.columns.{fld}", setting.value, setting.source))
    return rows
