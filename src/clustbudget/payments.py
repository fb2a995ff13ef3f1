"""Payment methods: the report's names, and the words accountants use for them.

The call pack lists which methods are traceable (``expenses.payment_methods``); this module
only knows how people write them, in Italian and English, to translate a ledger's column and
to suggest the right name in a message.
"""

from __future__ import annotations

import re
import unicodedata

# Words that name a method, matched as whole words of the normalised text
# ("Bonifico SEPA" → bank_transfer, "Carta aziendale" → card).
PAYMENT_WORDS: dict[str, tuple[str, ...]] = {
    "bank_transfer": ("bonifico", "bonifici", "bank transfer", "transfer", "wire", "sepa", "sct"),
    "card": ("carta", "carte", "bancomat", "pos", "card", "credit card", "debit card"),
    "pagopa": ("pagopa", "pago pa"),
    "direct_debit": ("rid", "sdd", "addebito", "domiciliazione", "direct debit"),
    "other_traceable": (
        "riba",
        "ri ba",
        "ricevuta bancaria",
        "assegno",
        "cheque",
        "check",
        "f24",
        "paypal",
        "mav",
    ),
    "cash": ("contanti", "contante", "cassa", "cash"),
}


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: for matching words and headers."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def payment_method_of(text: str) -> str | None:
    """The method a payment description names (``"Bonifico SEPA"`` → ``bank_transfer``), if any;
    ``cash`` when it names cash at all (``"Contanti e bonifico"``)."""
    key = normalise(text)
    for method in PAYMENT_WORDS:
        if key == method.replace("_", " "):
            return method
    padded = f" {key} "
    # Cash named anywhere wins: "Contanti e bonifico" is not a traceable payment as a whole.
    # ("cassa" alone is cash, but "bonifico Cassa di Risparmio" names a bank: not here.)
    if any(f" {word} " in padded for word in PAYMENT_WORDS["cash"] if word != "cassa"):
        return "cash"
    for method, words in PAYMENT_WORDS.items():
        if any(f" {word} " in padded for word in words):
            return method
    return None
