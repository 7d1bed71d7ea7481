"""The one place that reads the wall clock.

Domain code never calls this: services receive ``now`` from the CLI. ``ISVC_NOW``
(an ISO-8601 instant with an offset) pins the clock, for tests and reproducible demos.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone


def now() -> datetime:
    pinned = os.environ.get("ISVC_NOW")
    if pinned:
        from isvc.domain.timeutil import parse_iso

        return parse_iso(pinned, what="ISVC_NOW")
    return datetime.now(timezone.utc).replace(microsecond=0)
