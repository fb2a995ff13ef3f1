"""CB25x: what came in through an import and is not a claim yet (e-invoices awaiting payment)."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..i18n import msg
from . import Hit, rule
from .costreport import ReportContext


@rule(
    "CB250",
    "awaiting-payment",
    Severity.INFO,
    "An invoice brought in before it is paid: kept on record, not claimed yet.",
    "Reg. (UE) 1303/2013 art. 65(2) (costs incurred and paid); README 'import-invoices'",
    "report",
)
def awaiting_payment(ctx: ReportContext) -> Iterator[Hit]:
    """
    What it checks: each expense marked `awaiting_payment: true` that has no payment yet
    (no `paid:`, no `payments:`) is listed: it is kept on record, counted nowhere, and not
    claimed in this period.

    Why: an e-invoice is often brought in (`clustbudget import-invoices`) before it is paid;
    a cost is eligible only once it is paid, so the invoice waits in the report until its
    payment is recorded, and the accountant should see what is still waiting.

    Fix: record the payment (`paid:` and `payment:`, or `payments:`) — by hand, or with
    `clustbudget import-expenses` from a ledger that has the invoice's supplier and number and
    its payment date — and the invoice becomes a claim; or move it to the period it is paid in.
    """
    for i, exp in enumerate(ctx.report.expenses):
        if exp.awaiting_payment and exp.paid is None and exp.payments is None:
            yield Hit(
                ("expenses", i, "awaiting_payment"),
                msg(
                    "invoice {document} of {supplier} is awaiting payment: kept on record, not claimed "
                    "until its payment is recorded",
                    document=exp.document,
                    supplier=exp.supplier,
                ),
            )
