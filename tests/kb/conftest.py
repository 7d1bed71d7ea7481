"""Knowledge-base fixtures: the root conftest's desk (it: jim, alina, boss; payroll: ana;
sales: mihai; boss the only admin) with six articles, built once per session.

    1  Reset your VPN password     it       network   (VPN in the title)
    2  Printer jams on floor 3     it       printer   (VPN only in the body)
    3  Résumé templates            payroll  hr
    4  Payslip corrections         payroll
    5  New laptop request          (none)
    6  Meeting room booking        (none)
"""

from __future__ import annotations


import pytest

ARTICLES = [
    ("jim", "Reset your VPN password",
     "Open the self-service **portal** and choose *Reset*.\n\nPasswords expire every 90 days.",
     "it", ["network"]),
    ("alina", "Printer jams on floor 3",
     "Open tray 2 and remove the paper. If the VPN is down the printer still prints locally.",
     "it", ["printer"]),
    ("ana", "Résumé templates", "HR keeps the résumé template on the intranet, under Forms.",
     "payroll", ["hr"]),
    ("ana", "Payslip corrections", "Send the corrected hours before the 20th of the month.",
     "payroll", []),
    ("boss", "New laptop request", "Order laptops through purchasing; delivery takes a week.",
     None, []),
    ("boss", "Meeting room booking", "Book rooms in the shared calendar, at most a week ahead.",
     None, []),
]


def add_article(isvc, who, title, body, team=None, tags=()) -> int:
    args = ["--as", who, "kb", "add", "--title", title, "--body", body]
    if team:
        args += ["--team", team]
    for tag in tags:
        args += ["--tag", tag]
    return int(isvc(*args).stdout)


@pytest.fixture
def kb(request, snapshot, isvc):
    """The quick desk with the six articles above."""

    def build():
        request.getfixturevalue("desk")
        for who, title, body, team, tags in ARTICLES:
            add_article(isvc, who, title, body, team, tags)

    snapshot("kb", build)
    return isvc


