"""CB2xx/CB3xx: rules on cost reports and across the reports of one project."""

from __future__ import annotations
