"""Present: one module per output format of findings and figures.

``text`` (people, `file:line:col: CODE severity message`), ``json`` (scripts: a versioned
envelope, money as strings), ``github`` (workflow annotations) and ``junit`` (CI test reports).
"""

from __future__ import annotations

JSON_FORMAT_VERSION = 1
"""Version of every JSON envelope; bumped only with a note in the README's changelog."""
