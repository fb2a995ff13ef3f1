"""The cost report's models (FORMAT.md §3), made on first use: see :mod:`clustbudget.models`,
which gives them (``from clustbudget.models import CostReport``) and holds what they share."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator
from pydantic import WithJsonSchema as _Schema

from .i18n import msg
from .models import (
    AWAITING_PAYMENT,
    ActionRefs,
    _Model,
    _none_as_empty_dict,
    _none_as_empty_list,
)
from .types import (
    Bool,
    Date,
    FormatVersion,
    Hours,
    HoursBasis,
    Id,
    Money,
    Month,
    Rate,
    Sha256,
    Text,
    Year,
    _fail,
)


class Period(_Model):
    id: Id
    start: Date
    end: Date
    reviewed: Date | None = Field(
        None,
        description="Date of the Region's review (istruttoria) whose outcome `approved:` records",
        examples=["2022-01-20"],
    )


def _scalar_day(value: Any) -> Any:
    """A day written as a bare number is its project hours: ``2021-03-01: 8``."""
    if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
        return {"project": value}
    return value


class Day(_Model):
    """One day of a person's timesheet: hours on the project (in all, or per action), on other
    projects and on ordinary activity, or an absence. ``2021-03-01: 8`` is ``{project: 8}``."""

    project: Hours | None = Field(None, description="Hours on the project (or give them per action)")
    actions: Annotated[dict[Id, Hours], BeforeValidator(_none_as_empty_dict)] = Field(
        {},
        description="Hours on the project per action id; their sum is the day's project hours",
    )
    other_projects: Hours = Field(Decimal(0), description="Hours on other funded projects")
    ordinary: Hours = Field(Decimal(0), description="Hours of ordinary activity")
    absence: Text | None = Field(
        None,
        description="An absence of the whole day: ferie, malattia, permesso…",
        examples=["ferie"],
    )
    note: Text | None = None

    @model_validator(mode="after")
    def _project_once(self) -> "Day":
        if self.project is not None and self.actions:
            raise _fail(
                msg("give the day's project hours either as project: or per action (actions:), not both")
            )
        return self


DayEntry = Annotated[
    Day,
    BeforeValidator(_scalar_day),
    _Schema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "project": {"type": ["number", "string"]},
                        "actions": {
                            "type": "object",
                            "additionalProperties": {"type": ["number", "string"]},
                        },
                        "other_projects": {"type": ["number", "string"]},
                        "ordinary": {"type": ["number", "string"]},
                        "absence": {"type": "string"},
                        "note": {"type": "string"},
                    },
                },
            ],
            "description": "Project hours (a number), or {project | actions, other_projects, ordinary, "
            "absence, note}",
        }
    ),
]


class CostComponents(_Model):
    """The components of a person's annual gross employment cost (the hourly-cost statement)."""

    year: Year = Field(description="The year the components refer to (the staff entry's cost_year)")
    gross_pay: Money = Field(description="Gross pay (retribuzione lorda)")
    social_charges: Money = Field(Decimal(0), description="Employer's social charges (oneri sociali)")
    tfr: Money = Field(Decimal(0), description="Severance pay accrued (TFR)")
    other: Money = Field(Decimal(0), description="Other costs of employment (e.g. INAIL, welfare)")
    other_note: Text | None = Field(None, description="What `other` is")
    document: Text = Field(
        description="The documents the components come from (payslips, CU, payroll ledger)",
        examples=["Cedolini 2019 e CU 2020; libro unico del lavoro"],
    )


class StaffEntry(_Model):
    """A person's hours on the project in one period, and the cost basis of their rate."""

    id: Id
    name: Text
    item: Text
    annual_gross_cost: Money
    cost_year: Year
    hours_per_year: HoursBasis | None = None
    hours_per_day: Hours | None = Field(
        None,
        description="Contractual hours per working day; default 8 (the call pack's "
        "staff.hours_per_working_day), pro rata to hours_per_year for part time",
        examples=["6"],
    )
    hours: Annotated[dict[Month, Hours], BeforeValidator(_none_as_empty_dict)] = Field(
        {},
        description="Hours on the project by month (YYYY-MM); a month given in days: is not typed here",
    )
    days: Annotated[dict[Date, DayEntry], BeforeValidator(_none_as_empty_dict)] = Field(
        {},
        description="Hours by day (YYYY-MM-DD), for the timesheets: the month's hours are their sum",
        examples=[
            {
                "2021-03-01": 8,
                "2021-03-02": {"actions": {"1": 4, "2": 3}, "ordinary": 1},
            }
        ],
    )
    cost_components: CostComponents | None = Field(
        None,
        description="The components of annual_gross_cost, for the hourly-cost statement",
    )
    approved: Money | None = Field(
        None,
        description="The cost the Region's review approved (at most the cost)",
        examples=["9500.00"],
    )
    approved_note: Text | None = Field(None, examples=["ore di agosto senza timesheet firmato"])

    def month_path(self, month: str) -> tuple[str, ...]:
        """The path, inside the entry, of where its hours of ``month`` are written: the month
        under ``hours``, else its first day under ``days``."""
        if month in self.hours or not self.days:
            return ("hours", month)
        for day in sorted(self.days):
            if f"{day.year:04d}-{day.month:02d}" == month:
                return ("days", day.isoformat())
        return ("hours", month)


class Payment(_Model):
    """One payment (quietanza) of an invoice."""

    date: Date
    amount: Money = Field(description="Amount paid, VAT included when the invoice has VAT")
    method: Text = Field(description="bank_transfer | card | pagopa | direct_debit | other_traceable")
    reference: Text | None = Field(None, description="Transfer CRO/TRN or similar")


class Attachment(_Model):
    """A file that supports an expense (the invoice, a payment's receipt), relative to the report."""

    file: Text = Field(
        description="Path of the file, relative to the cost report",
        examples=["fatture/ft-77.pdf"],
    )
    sha256: Sha256 | None = Field(None, description="The file's SHA-256, checked when given (CB241)")
    kind: Literal["invoice", "payment", "other"] | None = Field(
        None, description="invoice | payment | other", examples=["invoice"]
    )


def _attachment_ref(value: Any) -> Any:
    return {"file": value} if isinstance(value, str) else value


AttachmentRef = Annotated[
    Attachment,
    BeforeValidator(_attachment_ref),
    _Schema(
        {
            "anyOf": [
                {
                    "type": "string",
                    "description": "Path of the file, relative to the cost report",
                },
                {
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "string",
                            "description": "Path of the file, relative to the cost report",
                        },
                        "sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
                        "kind": {"enum": ["invoice", "payment", "other"]},
                    },
                    "required": ["file"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]
"""An attachment as written: a path, or ``{file, sha256, kind}``; always an :class:`Attachment` once read."""


class Expense(_Model):
    """An invoice (or other document) claimed in the period, or a part of one."""

    date: Date
    item: Text
    description: Text
    supplier: Text
    supplier_vat: Text | None = None
    document: Text
    amount: Money = Field(description="Taxable amount charged on this line, VAT excluded")
    invoice_amount: Money | None = Field(
        None,
        description="The invoice's whole taxable amount, when this line charges only part of it "
        "(to another item, or part now and part in a later period); default: amount",
        examples=["2500.00"],
    )
    vat: Money | None = None
    eligible_share: Rate | None = None
    paid: Date | None = None
    payment: Text | None = None
    payment_ref: Text | None = None
    payments: list[Payment] | None = Field(
        None,
        description="Several payments; instead of paid/payment/payment_ref",
        examples=[
            [
                {
                    "date": "2021-11-20",
                    "amount": "2100.00",
                    "method": "bank_transfer",
                    "reference": "TRN 1",
                },
                {
                    "date": "2021-12-10",
                    "amount": "2100.00",
                    "method": "bank_transfer",
                    "reference": "TRN 2",
                },
            ]
        ],
    )
    action: ActionRefs = ()
    note: Text | None = None
    claimed: Bool = Field(
        True,
        description="false: kept on record, not claimed (give a reason)",
        examples=[False],
    )
    reason: Text | None = Field(
        None,
        description="Why an expense is not claimed",
        examples=["pagato in contanti, non tracciabile"],
    )
    approved: Money | None = Field(
        None,
        description="The eligible amount the Region's review approved (at most the eligible amount)",
        examples=["800.00"],
    )
    approved_note: Text | None = Field(None, examples=["quota non pertinente al progetto"])
    # A factory, not a default of []: pydantic deep-copies a mutable default for every
    # expense that leaves it out (a copy.deepcopy call each: 6% of validate's time at 20,000).
    attachments: Annotated[list[AttachmentRef], BeforeValidator(_none_as_empty_list)] = Field(
        default_factory=list,
        json_schema_extra={"default": []},
        description="The expense's files (invoice, receipts), relative to the report: a path, or "
        "{file, sha256, kind}; a missing file is CB240, a different SHA-256 CB241",
        examples=[
            [
                "fatture/ft-77-2023.pdf",
                {"file": "quietanze/cro-1234.pdf", "kind": "payment"},
            ]
        ],
    )
    awaiting_payment: Bool = Field(
        False,
        description="true: an invoice brought in before it is paid (import-invoices): kept on record, "
        "not claimed, until a payment (paid: or payments:) is added",
        examples=[True],
    )

    @model_validator(mode="before")
    @classmethod
    def _awaiting_payment(cls, data: Any) -> Any:
        # An invoice awaiting payment is kept on record until its payment is written: then it
        # is a claim like any other (the flag no longer matters).
        if (
            isinstance(data, dict)
            and data.get("awaiting_payment") is True
            and data.get("paid") is None
            and data.get("payments") is None
            and "claimed" not in data
        ):
            return {
                **data,
                "claimed": False,
                "reason": data.get("reason") or AWAITING_PAYMENT,
            }
        return data

    @model_validator(mode="after")
    def _one_payment_form(self) -> "Expense":
        if self.payments is not None and (
            self.paid is not None or self.payment is not None or self.payment_ref is not None
        ):
            raise _fail(
                msg("give either paid/payment/payment_ref (one payment) or payments (a list), not both")
            )
        if not self.claimed and self.reason is None:
            raise _fail(msg("an expense with claimed: false needs a reason:"))
        return self


class CostReport(_Model):
    """What was spent in one reporting period (`budget` at the top)."""

    clustbudget: FormatVersion
    budget: Text = Field(description="Path of the budget file, relative to this file")
    period: Period
    staff: Annotated[list[StaffEntry], BeforeValidator(_none_as_empty_list)] = []  # noqa: RUF012 (pydantic copies it)
    expenses: Annotated[list[Expense], BeforeValidator(_none_as_empty_list)] = []  # noqa: RUF012
