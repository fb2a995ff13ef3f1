"""Typed models of the three file kinds: budget, call pack and cost report (FORMAT.md §1–§3).

The models only describe and parse. What follows from them (the flat rate, totals, staff
costs) is in :mod:`clustbudget.compute`; whether they follow the call's rules is in
:mod:`clustbudget.rules`. Field names are the YAML keys, so a validation error's location is
also a path into the YAML document.
"""

import functools
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    model_validator,
)
from pydantic import WithJsonSchema as _Schema
from pydantic_core import PydanticCustomError

from .i18n import N_, gettext, msg
from .types import (
    Bool,
    Date,
    FormatVersion,
    Hours,
    HoursBasis,
    Id,
    Money,
    MonthDay,
    Rate,
    Text,
    Year,
    _fail,
    describe,
    identifier,
)


class _Model(BaseModel):
    # defer_build: a model's validator is built on first use, so `validate` on budgets never
    # pays for the report models (and the reverse).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _none_as_empty_list(value: Any) -> Any:
    return [] if value is None else value


def _none_as_empty_dict(value: Any) -> Any:
    return {} if value is None else value


def _action_refs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if type(value) is str:
        return _refs_of_text(value)
    return _refs(value)


@functools.lru_cache(maxsize=10_000)
def _refs_of_text(value: str) -> tuple[str, ...]:
    """The action refs read so far, by their text: a report names a handful of actions on many
    lines."""
    return _refs(value)


def _refs(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    try:
        return tuple(identifier(v) for v in values)
    except PydanticCustomError:
        raise _fail(
            msg(
                "expected an action id or a list of ids, got {shown}",
                shown=describe(value),
            )
        ) from None


def _positive_int(value: Any) -> int:
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text.isdigit() or text.startswith("0"):
        raise _fail(msg("expected a whole number such as 24, got {shown}", shown=describe(value)))
    return int(text)


ActionRefs = Annotated[
    tuple[str, ...],
    PlainValidator(_action_refs),
    _Schema(
        {
            "anyOf": [
                {"type": ["string", "integer"]},
                {"type": "array", "items": {"type": ["string", "integer"]}},
            ]
        }
    ),
]
PositiveInt = Annotated[int, PlainValidator(_positive_int), _Schema({"type": "integer", "minimum": 1})]

# ---------------------------------------------------------------- budget (FORMAT.md §1)


class Project(_Model):
    """The project as stated in the application."""

    title: Text
    beneficiary: Text | None = None
    cup: Text | None = Field(None, description="Codice Unico di Progetto")
    programme: Text | None = Field(None, description="Programme as stated, e.g. POR FESR 2014-2020")
    start: Date
    end: Date = Field(description="Last day of the project (inclusive)")
    duration_months: PositiveInt | None = Field(None, description="Duration as stated")
    vat_recoverable: Bool = True
    state_aid: Bool | None = None
    flat_rate_method: Text | None = Field(
        None,
        description="Reference to the calculation method behind a flat rate above the free limits",
    )
    patron_saint_day: MonthDay | None = Field(
        None,
        description="The local patron saint's day, MM-DD (Bologna: 10-04): no project hours on it "
        "(CB233); default: the call pack's staff.patron_saint_day",
        examples=["10-04"],
    )
    legal_representative: Text | None = Field(
        None,
        description="The beneficiary's legal representative, who signs the timesheets",
        examples=["Mario Rossi"],
    )


class Action(_Model):
    """One of the project's actions (work packages)."""

    id: Id
    title: Text


class StaffRole(_Model):
    """A role named in the application."""

    id: Id | None = None
    role: Text
    engaged_since: Year | None = None


class CostLine(_Model):
    """One budgeted cost under a direct cost item."""

    description: Text
    amount: Money
    action: ActionRefs = Field((), description="Action id, or a list of ids, from `actions`")
    by_year: dict[Year, Money] | None = Field(None, description="Split by calendar year; adds up to amount")
    note: Text | None = None


Lines = Annotated[list[CostLine], BeforeValidator(_none_as_empty_list)]


class Variation(_Model):
    """The state of a revision of the budget: a budget variation requested and, once the
    Region approves it, approved."""

    id: Id = Field(description="The variation's id, e.g. V1")
    requested: Date
    approved: Date | None = Field(None, description="Date of approval; null while pending")
    act: Text | None = Field(None, description="The act that approves it, e.g. Det. 12345/2021")
    note: Text | None = None
    notes: Annotated[dict[str, Text], BeforeValidator(_none_as_empty_dict)] = Field(
        {}, description="A note per cost item, for the variation form"
    )

    @model_validator(mode="after")
    def _approved_after_requested(self) -> "Variation":
        if self.approved is not None and self.approved < self.requested:
            raise _fail(
                msg(
                    "approved {approved} is before requested {requested}",
                    approved=self.approved.isoformat(),
                    requested=self.requested.isoformat(),
                )
            )
        return self


class Budget(_Model):
    """A project's budget file (`costs` at the top); with `revises` and `variation`, a
    revision of the budget it names."""

    clustbudget: FormatVersion
    revises: Text | None = Field(None, description="Path of the budget version this one revises")
    variation: Variation | None = None
    call: Text = Field(description="Built-in call pack id, or a path to a pack file")
    project: Project
    actions: Annotated[list[Action], BeforeValidator(_none_as_empty_list)] = []
    staff: Annotated[list[StaffRole], BeforeValidator(_none_as_empty_list)] = []
    costs: Annotated[dict[str, Lines], BeforeValidator(_none_as_empty_dict)]
    declared: Annotated[dict[str, Money], BeforeValidator(_none_as_empty_dict)] = Field(
        {}, description="Figures as written in the application (item keys and `total`)"
    )

    @model_validator(mode="after")
    def _revision_has_its_variation(self) -> "Budget":
        if self.revises is not None and self.variation is None:
            raise _fail(msg("a revision (revises:) needs its variation: {{id, requested, approved}}"))
        if self.variation is not None and self.revises is None:
            raise _fail(msg("a variation needs revises: the budget version it revises"))
        return self


# ---------------------------------------------------------------- call pack (FORMAT.md §2)


class Programme(_Model):
    label: Text
    regulation: Text
    eligible_from: Date
    eligible_to: Date
    eligibility_ref: Text | None = Field(None, description="Article that sets the eligibility window")


class PackItem(_Model):
    """A cost item of the call; a `flat_rate` item is computed from its `base` items."""

    kind: Literal["staff", "equipment", "other", "flat_rate"]
    it: Text
    en: Text
    rate: Rate | None = None
    base: list[Text] | None = None

    @model_validator(mode="after")
    def _flat_rate_has_rate_and_base(self) -> "PackItem":
        if self.kind == "flat_rate" and (self.rate is None or not self.base):
            raise _fail(msg("a flat_rate item needs a rate and a base list"))
        if self.kind != "flat_rate" and (self.rate is not None or self.base):
            raise _fail(msg("only a flat_rate item has a rate and a base"))
        return self


class StaffRules(_Model):
    hours_per_year: HoursBasis = Decimal(1720)
    hours_ref: Text | None = None
    hours_per_working_day: Hours | None = Field(
        Decimal(8),
        description="Plausibility limit: hours a month above its working days (Monday to Friday, "
        "Italian national holidays excluded) × this are a warning (CB308); null: not checked",
    )
    patron_saint_day: MonthDay | None = Field(
        None,
        description="The local patron saint's day, MM-DD, when the call sets one for all its projects; "
        "a project's own patron_saint_day wins; null: none",
    )


class Parameters(_Model):
    """Parameters of the call that may be unknown: null means "not checked"."""

    grant_cap: Money | None = None
    contribution_rate: Rate | None = None
    min_spend_share: Rate | None = None
    max_shift_between_items: Rate | None = Field(
        None,
        description="Deprecated: write it as variations.share (basis item), the one home of the "
        "tolerated shift; still read, as variations.share, with a warning (CB409)",
    )


class VariationRules(_Model):
    """What the call tolerates when money moves between items without the Region's approval.

    ``share`` and ``amount`` null: not known for the call, shifts are shown but not checked.
    An item's increase is measured against ``share`` × its approved amount (``basis: item``)
    or × the approved total (``basis: total``), and/or against ``amount`` in euro; with both
    set, ``either`` tolerates an increase within one of them, ``both`` only within both.
    """

    share: Rate | None = None
    amount: Money | None = None
    basis: Literal["item", "total"] = "item"
    combine: Literal["either", "both"] = "either"
    total_may_increase: Bool = False
    ref: Text | None = None


class FlatRateLimits(_Model):
    """Flat rates allowed without justification, and with a calculation method (CPR art. 54)."""

    direct_costs: Rate
    staff_costs: Rate
    with_method: Rate
    ref: Text


class SimplifiedCosts(_Model):
    """Operations up to `max_total` use simplified costs unless State aid applies (CPR art. 53(2))."""

    max_total: Money
    ref: Text


class ExpenseRules(_Model):
    payment_methods: list[Text] = [
        "bank_transfer",
        "card",
        "pagopa",
        "direct_debit",
        "other_traceable",
    ]
    overhead_keywords: list[Text] = []
    paid_in_full: Bool = Field(
        True,
        description="true: an invoice is accepted only when paid in full by the period's end; "
        "false: the share paid by then is accepted (CB209)",
    )


class CallPack(_Model):
    """The rules of one funding call, as data (`items` at the top)."""

    clustbudget: FormatVersion | None = None
    id: Id
    version: PositiveInt
    title: Text
    act: Text | None = None
    programme: Programme
    items: dict[str, PackItem]
    staff: StaffRules = StaffRules()
    parameters: Parameters = Parameters()
    flat_rate_limits: FlatRateLimits | None = None
    simplified_costs: SimplifiedCosts | None = None
    expenses: ExpenseRules = ExpenseRules()
    variations: VariationRules = VariationRules()

    @model_validator(mode="after")
    def _one_home_for_the_tolerated_shift(self) -> "CallPack":
        """The deprecated ``parameters.max_shift_between_items`` is read as ``variations.share``
        (of the item's approved amount): CB311 and CB404 measure against the same tolerance."""
        old = self.parameters.max_shift_between_items
        if old is None:
            return self
        v = self.variations
        if v.share is not None or v.amount is not None:
            raise PydanticCustomError(
                "cb_value",
                "parameters.max_shift_between_items is deprecated and variations sets the tolerance "
                "too: keep only variations.share",
            )
        # The model is frozen: the migration is part of its validation, before anyone reads it.
        object.__setattr__(self, "variations", v.model_copy(update={"share": old, "basis": "item"}))
        return self

    def unknown_parameters(self) -> list[str]:
        """The names of the call's parameters that are unknown (null): not checked."""
        missing = [
            k
            for k, v in self.parameters.model_dump().items()
            if v is None and k != "max_shift_between_items"  # deprecated: its home is `variations`
        ]
        if self.variations.share is None and self.variations.amount is None:
            missing.append("variations.share/amount")
        return missing

    @model_validator(mode="after")
    def _bases_are_direct_items(self) -> "CallPack":
        for key, item in self.items.items():
            for base in item.base or ():
                if base not in self.items or self.items[base].kind == "flat_rate":
                    raise _fail(
                        msg(
                            "item {key}: base {base!r} is not a direct cost item of this pack",
                            key=key,
                            base=base,
                        )
                    )
        return self

    def label(self, key: str, lang: str = "it") -> str:
        item = self.items.get(key)
        if item is None:
            return key
        return item.it if lang == "it" else item.en

    @property
    def direct_items(self) -> list[str]:
        return [k for k, v in self.items.items() if v.kind != "flat_rate"]

    @property
    def flat_rate_items(self) -> list[str]:
        return [k for k, v in self.items.items() if v.kind == "flat_rate"]


AWAITING_PAYMENT = N_("awaiting payment")
"""The reason an invoice awaiting payment is kept on record when its file gives none: a stable
English code in the file's model and JSON, shown translated (:func:`reason_text`)."""


def reason_text(reason: str | None, lang: str) -> str | None:
    """An expense's reason for the reader: the user's own words as written, the default
    :data:`AWAITING_PAYMENT` in ``lang``."""
    return gettext(reason, lang) if reason == AWAITING_PAYMENT else reason


# ---------------------------------------------------------------- cost report (FORMAT.md §3)
# The report's models are made when a name of theirs is first asked for (``from
# clustbudget.models import CostReport``): `validate` of a budget does not make them.

_REPORT_MODELS = frozenset(
    {
        "Period",
        "Day",
        "DayEntry",
        "CostComponents",
        "StaffEntry",
        "Payment",
        "Attachment",
        "AttachmentRef",
        "Expense",
        "CostReport",
    }
)

if TYPE_CHECKING:
    from .reportmodels import Attachment as Attachment
    from .reportmodels import AttachmentRef as AttachmentRef
    from .reportmodels import CostComponents as CostComponents
    from .reportmodels import CostReport as CostReport
    from .reportmodels import Day as Day
    from .reportmodels import DayEntry as DayEntry
    from .reportmodels import Expense as Expense
    from .reportmodels import Payment as Payment
    from .reportmodels import Period as Period
    from .reportmodels import StaffEntry as StaffEntry
else:

    def __getattr__(name: str) -> Any:
        if name in _REPORT_MODELS:
            from . import reportmodels

            value = getattr(reportmodels, name)
            globals()[name] = value
            return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
