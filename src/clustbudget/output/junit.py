"""JUnit XML: one test case per file; errors (and warnings under --strict) are failures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from ..findings import Severity
from ..i18n import nmsg, render
from ..pipeline import RunResult
from .text import finding_line

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text XML 1.0 can carry: control characters a YAML string may hold become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def write(run: RunResult, out: TextIO, *, strict: bool = False, lang: str = "en") -> None:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    suite = ET.Element("testsuite", name="clustbudget validate", tests=str(len(run.files)))
    failures = errors = 0
    for fr in run.files:
        case = ET.SubElement(suite, "testcase", classname="clustbudget.validate", name=_xml_text(fr.display))
        fatal = [f for f in fr.findings if f.fatal]
        bad = [f for f in fr.findings if f.severity in failing and not f.fatal]
        if fatal:
            errors += 1
            el = ET.SubElement(
                case, "error", message=_xml_text(render(fatal[0].message, lang)), type=fatal[0].code
            )
            el.text = "\n".join(_xml_text(finding_line(f, lang=lang)) for f in fatal)
        elif bad:
            failures += 1
            count = nmsg("{n} finding", "{n} findings", len(bad)).render(lang)
            el = ET.SubElement(case, "failure", message=count, type=bad[0].code)
            el.text = "\n".join(_xml_text(finding_line(f, lang=lang)) for f in bad)
        rest = [f for f in fr.findings if f not in fatal and f not in bad]
        if rest:
            ET.SubElement(case, "system-out").text = "\n".join(
                _xml_text(finding_line(f, lang=lang)) for f in rest
            )
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    out.write(ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n")
