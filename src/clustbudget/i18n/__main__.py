"""``python -m clustbudget.i18n pot|update LANG|check LANG``: keep the catalogues in step with the code.

- ``pot`` prints the template of every msgid (``.pot``), for Poedit, Weblate or ``msginit``;
- ``update LANG`` rewrites ``locale/LANG/LC_MESSAGES/clustbudget.po`` in the code's order: the
  translations kept, new msgids added untranslated, msgids no longer in the code dropped
  (what ``msgmerge`` does, without needing gettext's tools);
- ``check LANG`` lists what is untranslated or whose named fields differ; exit 1 if anything.
"""

from __future__ import annotations

import sys

from . import field_names
from .catalog import catalog, po_path
from .extract import HEADER, entries, po_entry


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("pot", "update", "check") or (argv[0] != "pot" and len(argv) != 2):
        sys.stderr.write(__doc__ or "")
        return 2
    found = entries()
    if argv[0] == "pot":
        sys.stdout.write(HEADER.format(lang="") + "".join("\n" + po_entry(e) for e in found))
        return 0
    lang = argv[1]
    cat = catalog(lang)
    if argv[0] == "update":
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        old = cat.entries if cat else {}
        text = HEADER.format(lang=lang) + "".join(
            "\n" + po_entry(e, old.get((e.context, e.msgid), ())) for e in found
        )
        path.write_text(text, encoding="utf-8")
        catalog.cache_clear()
        return 0
    problems = 0
    for e in found:
        forms = cat.entries.get((e.context, e.msgid), ()) if cat else ()
        if not forms or not all(forms):
            sys.stdout.write(f"{e.where}: untranslated: {e.msgid[:70]!r}\n")
            problems += 1
            continue
        want = field_names(e.msgid) | (field_names(e.plural) if e.plural else set())
        for form in forms:
            if field_names(form) != want:
                sys.stdout.write(
                    f"{e.where}: fields {sorted(field_names(form))} ≠ {sorted(want)}: {e.msgid[:60]!r}\n"
                )
                problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
