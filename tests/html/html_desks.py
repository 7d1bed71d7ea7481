"""Desks for the HTML report's tests (conftest's fixtures build each once per session and
copy it per test): the demo, and the demo with hostile text in every field a person can
type, plus an internal note, a provider-side rating and a private kudos that must never
reach the page."""

from __future__ import annotations

from html_sample import PAYLOADS

ADMIN = "alina"  # the demo's admin, in IT
INTERNAL_MARKER = "internal-note-7f3a9c"
PRIVATE_MARKER = "private-kudos-91c2e4"
PROVIDER_MARKER = "provider-rating-55d1b8"
TITLE = "Printer {p} jams on floor 9"
GROUP_SIZE = 9  # larger than the demo's groups: the first recurring problem


def as_admin(isvc, *args, **kw):
    return isvc("--as", ADMIN, *args, **kw)


def build_demo(isvc, isvc_home) -> None:
    """The demo desk (300 requests over 8 weeks), its admin alina."""
    isvc("demo", "--db", isvc_home / "isvc.db", "-q")


def build_hostile(isvc, isvc_home) -> None:
    build_demo(isvc, isvc_home)
    p = PAYLOADS
    a = lambda *args: as_admin(isvc, *args)  # noqa: E731
    a("team", "add", "evil", "--name", f"Team {p[0]}")
    a("person", "add", "mallory", "--name", f"Mallory {p[1]}", "--team", "evil",
      "--email", "mallory@example.com")
    a("person", "add", "trudy", "--name", p[2], "--team", "evil")
    a("kb", "add", "--title", f"Printer jams on floor 9 {p[4]} {p[3]}", "--team", "it",
      "--body", "Open tray 2 and pull the sheet out.")
    numbers = []
    for i in range(GROUP_SIZE):
        payload = p[i % len(p)]
        out = isvc("--as", "mallory", "request", "new", TITLE.format(p=p[0]), "--team", "it",
                   "--body", f"It jams again {payload}").stdout
        numbers.append(int(out.strip()))
    for i, n in enumerate(numbers[:4]):
        a("request", "ack", n, "-m", f"Looking at it {p[5]}")
        a("request", "comment", n, "-m", f"{INTERNAL_MARKER} {p[i]}", "--internal")
        if i < 3:
            a("request", "resolve", n, "-m", f"Cleared {p[6]}")
            isvc("--as", "mallory", "request", "rate", n, str(2 + i), "-m", f"Comment {p[i]}")
    a("request", "rate", numbers[0], "--as-provider", "2", "-m", PROVIDER_MARKER)
    a("kudos", "send", "@mallory", f"Thanks {p[6]} for the printer report",
      "--value", "teamwork")
    a("kudos", "send", "+evil", f"Thanks team {p[7]} for the quick answers", "--value", "craft")
    isvc("--as", "mallory", "kudos", "send", "@trudy", f"{PRIVATE_MARKER} thanks for covering",
         "--value", "teamwork", "--private")
    blocked = int(isvc("--as", "mallory", "request", "new", f"Waiting {p[1]}", "--team",
                       "facilities").stdout)
    blocker = int(isvc("--as", "mallory", "request", "new", f"Blocking {p[2]}", "--team",
                       "purchasing").stdout)
    first = int(isvc("--as", "mallory", "request", "new", f"First {p[5]}", "--team", "it").stdout)
    a("request", "link", blocked, "--blocked-by", blocker)
    a("request", "link", blocker, "--blocked-by", first)
