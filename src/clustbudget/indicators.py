"""A project's indicators and results lists (``budgets/<budget name>/indicators.yaml``).

The model of the file (its top-level key is ``indicators``), the fixed vocabularies of the
results report (organisation categories, communication channels) and the pure functions that
count, per calendar year, what the lists hold: organisations reached by category, contacts
per channel, members and new members, events and participants. Counts are computed from the
lists, never typed; an indicator with ``count:`` takes its yearly value from them.
Whether the file follows the rules (known categories, sources, dates inside the project,
targets met) is :mod:`clustbudget.rules.indicators`'s; the annual report is
:mod:`clustbudget.results`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, model_validator
from pydantic import WithJsonSchema as _Schema

from .i18n import N_, msg
from .records import dataclass
from .types import Date, FormatVersion, Id, Rate, Text, Year, _decimal_of, _fail, describe

INDICATORS_FILE = "indicators.yaml"
"""The file's name in a project's folder (``budgets/<budget name>/indicators.yaml``)."""

CATEGORIES: dict[str, str] = {
    "micro_company": N_("micro company"),
    "small_company": N_("small company"),
    "medium_company": N_("medium company"),
    "large_company": N_("large company"),
    "research_centre": N_("research laboratory or centre"),
    "university": N_("university"),
    "training_body": N_("training body"),
    "public_body": N_("public body"),
    "association": N_("patients' or citizens' association"),
    "other": N_("other"),
}
"""The categories of organisations reached and of members, in report order, with their words."""

CHANNELS: dict[str, str] = {
    "newsletter": N_("newsletter"),
    "website": N_("website"),
    "social_media": N_("social media"),
    "events": N_("events"),
    "fairs": N_("fairs (BIO-Europe, MEDICA…)"),
    "eroi": N_("EROI open-innovation platform"),
    "meetings": N_("meetings"),
}
"""The communication channels, in report order, with their words."""

COUNTS: dict[str, str] = {
    "organisations": N_("organisations reached"),
    "contacts": N_("contacts"),
    "members": N_("members at year end"),
    "new_members": N_("new members"),
    "events": N_("events"),
    "participants": N_("event participants"),
}
"""What an indicator's ``count:`` may take from the lists."""

ACTIONS = ("1", "2", "3", "4")
"""The four actions of a Clust-ER project (the seed's 1–4)."""


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise _fail(msg("expected a whole number such as 12, got {shown}", shown=describe(value)))
    if not text.isdigit() or (text.startswith("0") and text != "0"):
        raise _fail(msg("expected a whole number such as 12, got {shown}", shown=repr(text)))
    return int(text)


def _quantity(value: Any) -> Decimal:
    return _decimal_of(value, "value", 2)


Count = Annotated[int, PlainValidator(_count), _Schema({"type": "integer", "minimum": 0})]
Quantity = Annotated[
    Decimal,
    PlainValidator(_quantity),
    _Schema(
        {
            "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"}],
            "description": "A non-negative number, at most two decimals.",
        }
    ),
]


def _none_as_empty_list(value: Any) -> Any:
    return [] if value is None else value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Label(_Model):
    """A label in Italian and English."""

    it: Text
    en: Text | None = None

    def text(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.it


class Span(_Model):
    """A stretch of days (inclusive); it counts in the year of its end."""

    start: Date
    end: Date


class _When(_Model):
    """A figure given for a calendar year, or for a period (counted in its end's year)."""

    year: Year | None = Field(None, description="Calendar year the figure is for")
    period: Span | None = Field(None, description="Or the days it covers (counted in the year of its end)")

    @model_validator(mode="after")
    def _one_of(self) -> Any:
        if (self.year is None) == (self.period is None):
            raise _fail(msg("give either year: or period: {{start:, end:}}, one of them"))
        return self

    @property
    def counted_in(self) -> int:
        """The calendar year the figure counts in."""
        if self.period is not None:
            return self.period.end.year
        assert self.year is not None
        return self.year


class Indicator(_Model):
    """One indicator the project tracks."""

    id: Id
    label: Label
    unit: Text | Label = Field(
        description="What is counted, e.g. organisations, proposals, euro: one text, or it and en as in label"
    )
    action: Id = Field(description="The action (1–4) it belongs to")
    targets: Annotated[dict[Year, Quantity], BeforeValidator(lambda v: {} if v is None else v)] = Field(
        default_factory=dict, description="Target per calendar year"
    )
    count: Literal["organisations", "contacts", "members", "new_members", "events", "participants"] | None = (
        Field(None, description="Computed from a list instead of typed values")
    )


class Value(_When):
    """A typed value of an indicator, with its source."""

    indicator: Id
    value: Quantity
    source: Text | None = Field(None, description="The document or list the value comes from")
    note: Text | None = None


class Organisation(_Model):
    """An organisation reached (first contact, meeting, event, service)."""

    name: Text
    category: Text = Field(description=", ".join(CATEGORIES))
    reached: Date = Field(description="When it was reached (its year is the year it counts in)")
    channel: Text | None = Field(None, description="How it was reached: " + ", ".join(CHANNELS))
    action: Id | None = None
    source: Text | None = None


class Contacts(_When):
    """Contacts made through one channel in a year or period (readers, visitors, followers…)."""

    channel: Text = Field(description=", ".join(CHANNELS))
    count: Count
    source: Text | None = Field(
        None, description="The report the count comes from (newsletter tool, analytics…)"
    )
    detail: Text | None = Field(None, description="e.g. BIO-Europe 2021")


class Member(_Model):
    """A member of the association."""

    name: Text
    category: Text = Field(description=", ".join(CATEGORIES))
    joined: Date
    left: Date | None = None


class Event(_Model):
    """An event organised or attended, with its participants."""

    title: Text
    date: Date
    action: Id | None = None
    channel: Text | None = Field(None, description="events, fairs or meetings (default events)")
    participants: Count = 0
    source: Text | None = Field(None, description="e.g. the attendance register")


class ChannelCost(_Model):
    """An item-D invoice of the cost reports assigned to a channel."""

    document: Text = Field(description="The invoice number as written in the cost report")
    channel: Text
    period: Id | None = Field(None, description="The period (SAL) id, when the invoice is claimed in several")


class Communication(_Model):
    """Which costs of the cost reports are communication, and by channel."""

    staff: Annotated[list[Id], BeforeValidator(_none_as_empty_list)] = Field(
        default_factory=list,
        description="Staff ids (in the cost reports) whose accepted cost is communication",
    )
    staff_split: dict[str, Rate] = Field(
        default_factory=dict, description="Share of that staff cost per channel; the shares add up to 1"
    )
    expenses: Annotated[list[ChannelCost], BeforeValidator(_none_as_empty_list)] = []


class IndicatorsFile(_Model):
    """A project's indicators, values and results lists (``indicators`` at the top)."""

    clustbudget: FormatVersion
    indicators: Annotated[list[Indicator], BeforeValidator(_none_as_empty_list)]
    values: Annotated[list[Value], BeforeValidator(_none_as_empty_list)] = []
    organisations: Annotated[list[Organisation], BeforeValidator(_none_as_empty_list)] = []
    contacts: Annotated[list[Contacts], BeforeValidator(_none_as_empty_list)] = []
    members: Annotated[list[Member], BeforeValidator(_none_as_empty_list)] = []
    events: Annotated[list[Event], BeforeValidator(_none_as_empty_list)] = []
    communication: Communication | None = None


# ------------------------------------------------------------------ counts per year


@dataclass(frozen=True)
class YearCounts:
    """What the lists count in one calendar year."""

    year: int
    organisations: dict[str, int]
    """Organisations reached in the year, per category (every category, 0 included)."""
    organisations_by_action: dict[str, int]
    contacts: dict[str, int]
    """Contacts per channel (every channel, 0 included)."""
    members: dict[str, int]
    """Members at the year's end (joined by 31 December, not left by then), per category."""
    new_members: dict[str, int]
    """Members who joined in the year, per category."""
    events: int
    participants: int
    events_by_action: dict[str, int]
    participants_by_action: dict[str, int]

    def total(self, what: str) -> int:
        """The year's count of ``what`` (an indicator's ``count:``)."""
        if what in ("events", "participants"):
            return int(getattr(self, what))
        return sum(getattr(self, what).values())


def _zero(keys: Iterable[str]) -> dict[str, int]:
    return dict.fromkeys(keys, 0)


def year_counts(doc: IndicatorsFile, year: int) -> YearCounts:
    """Count the lists of ``doc`` for calendar ``year``. Entries with an unknown category or
    channel are counted under their own key (after the known ones): the rules report them."""
    end = date(year, 12, 31)
    orgs = _zero(CATEGORIES)
    orgs_action = _zero(ACTIONS)
    for o in doc.organisations:
        if o.reached.year == year:
            orgs[o.category] = orgs.get(o.category, 0) + 1
            if o.action is not None:
                orgs_action[o.action] = orgs_action.get(o.action, 0) + 1
    contacts = _zero(CHANNELS)
    for c in doc.contacts:
        if c.counted_in == year:
            contacts[c.channel] = contacts.get(c.channel, 0) + c.count
    members, new = _zero(CATEGORIES), _zero(CATEGORIES)
    for m in doc.members:
        if m.joined <= end and (m.left is None or m.left > end):
            members[m.category] = members.get(m.category, 0) + 1
        if m.joined.year == year:
            new[m.category] = new.get(m.category, 0) + 1
    events = participants = 0
    ev_action, part_action = _zero(ACTIONS), _zero(ACTIONS)
    for e in doc.events:
        if e.date.year == year:
            events += 1
            participants += e.participants
            if e.action is not None:
                ev_action[e.action] = ev_action.get(e.action, 0) + 1
                part_action[e.action] = part_action.get(e.action, 0) + e.participants
    return YearCounts(
        year, orgs, orgs_action, contacts, members, new, events, participants, ev_action, part_action
    )


def indicator_value(doc: IndicatorsFile, indicator: Indicator, year: int) -> Decimal | None:
    """An indicator's value in ``year``: counted from the lists (``count:``), else the sum of
    its typed values that count in that year; None when it has none."""
    if indicator.count is not None:
        return Decimal(year_counts(doc, year).total(indicator.count))
    found = [v.value for v in doc.values if v.indicator == indicator.id and v.counted_in == year]
    return sum(found, Decimal(0)) if found else None
