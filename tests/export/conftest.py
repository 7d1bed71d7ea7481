"""Export fixtures: the root conftest's desk (it: jim, alina, boss; payroll: ana; sales:
mihai; boss the only admin) with pat, who is in no team, an agreement for it, and a few
requests whose journals hold every kind of event export cares about."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite(f"{__package__}.helpers")

from .helpers import EARLY, MIDDLE  # noqa: E402  (after register_assert_rewrite)


@pytest.fixture
def xd(request, snapshot, isvc):
    """The export desk; numbers: 1 it (busy journal), 2 payroll, 3 it (tricky text)."""

    def build() -> None:
        request.getfixturevalue("desk")
        d = isvc
        d("--as", "boss", "person", "add", "pat", "--name", "Pat Requester")
        d("--as", "boss", "calendar", "add", "office", "--tz", "Europe/Bucharest",
          "--hours", "mon-fri 09:00-17:00")
        d("--as", "boss", "agreement", "add", "it-std", "--provider", "it", "--calendar",
          "office", "--response", "urgent=30m,high=1h,normal=4h,low=1d",
          "--resolution", "urgent=2h,high=1d,normal=2d,low=5d")
        early = {"ISVC_NOW": EARLY}
        d("--as", "ana", "request", "new", "VPN drops", "--team", "it", "--priority", "high",
          "--type", "it/network", "--body", "Since the update", "--field", "asset=7731",
          "--tag", "vpn", "--tag", "remote", "--watch", "mihai", env=early)
        d("--as", "jim", "request", "ack", "1", "-m", "On it", env={"ISVC_NOW": "2026-11-02T09:20:00Z"})
        d("--as", "jim", "request", "assign", "1", "alina", env=early)
        d("--as", "alina", "request", "comment", "1", "-m", "it-secret: check the gateway logs",
          "--internal", env={"ISVC_NOW": "2026-11-02T10:00:00Z"})
        d("--as", "alina", "request", "comment", "1", "-m", "my password is hunter2",
          env={"ISVC_NOW": "2026-11-02T10:05:00Z"})
        d("--as", "alina", "request", "resolve", "1", "-m", "Gateway timeout raised",
          env={"ISVC_NOW": "2026-11-02T15:00:00Z"})
        d("--as", "ana", "request", "new", "Payslip missing", "--team", "payroll",
          env={"ISVC_NOW": MIDDLE})
        d("--as", "ana", "request", "comment", "2", "-m", "payroll-secret: bank file late",
          "--internal", env={"ISVC_NOW": MIDDLE})
        d("--as", "mihai", "request", "new", "=1+1", "--team", "it", "--body", "\tx",
          "--field", "cmd=+cmd", "--tag", "sheet")
        d("--as", "boss", "kudos", "values", "set", "ownership", "teamwork")
        d("--as", "jim", "kudos", "send", "@ana", "Thanks for the payslip fix today",
          "--value", "ownership")
        d("--as", "ana", "kudos", "send", "@jim", "Thanks for the quiet VPN fix",
          "--value", "teamwork", "--private")
        d("--as", "mihai", "kudos", "send", "@ana", "Thanks for the quick bank file",
          "--value", "teamwork", "--private")
        d("--as", "mihai", "kudos", "send", "+it", "Thanks for sorting the printers out",
          "--value", "teamwork")
        reply = [e for e in d.json("--as", "boss", "request", "show", "1")["events"]
                 if e["message"] == "my password is hunter2"][0]
        d("--as", "boss", "request", "redact", "1", str(reply["id"]), "--reason", "a password")

    snapshot("export-desk", build)
    return isvc
