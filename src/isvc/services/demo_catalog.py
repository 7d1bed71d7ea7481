"""The demo's self-service: request types with fields for each provider team, twenty
knowledge-base articles people actually need, and the desk's own canned replies, all
added through the services as a team lead would add them."""

from __future__ import annotations

from datetime import timedelta

# (key, title, field specs, default priority) — the types the generated requests use
TYPES = (
    ("it/hardware", "Hardware fault or replacement",
     ["asset:text:required:label=Asset tag", "location:text:required:label=Desk or room",
      "since:date:label=Broken since"], None),
    ("it/access", "Access to a system",
     ["system:text:required", "manager:person:required:label=Approving manager",
      "until:date:label=Needed until"], None),
    ("it/network", "VPN, Wi-Fi or network problem",
     ["where:choice(office|home|travel):required", "client:text:label=VPN client version"],
     None),
    ("facilities/access", "Badge or door access",
     ["badge:text:required:label=Badge number", "doors:text:required"], None),
    ("facilities/furniture", "Furniture request",
     ["item:text:required", "location:text:required:label=Desk or room",
      "cost_centre:text:required:label=Cost centre"], "low"),
    ("purchasing/order", "Purchase order",
     ["cost_centre:text:required:label=Cost centre", "amount:money:required",
      "supplier:text", "needed_by:date:label=Needed by"], None),
    ("payroll/payslip", "Payslip question",
     ["month:text:required:label=Payslip month", "amount:money:label=Amount in question"],
     None),
    ("hr/leave", "Leave request or question",
     ["kind:choice(annual|sick|parental|unpaid|other):required",
      "from:date:required", "until:date:required"], None),
    ("platform/access", "Cluster or repository access",
     ["resource:text:required", "role:choice(read|write|admin):required",
      "manager:person:required:label=Approving manager"], None),
)

# (team, title, tags, body) — what people ask most, answered once
ARTICLES = (
    ("it", "Reset your VPN password", "vpn password", """\
The VPN uses your directory password. If the VPN client says *authentication failed*:

1. Open **https://id.example.com** and choose *Forgot password*.
2. Follow the link sent to your phone; pick a password of 14+ characters.
3. Wait two minutes, then reconnect the VPN client.

Still failing after 10 minutes? File a request: `isvc request new "VPN login fails" --team it --type it/network`.
"""),
    ("it", "VPN drops every hour or when idle", "vpn network", """\
The gateway closes sessions idle for 60 minutes. Update the client to **5.2 or newer**
(Software Center → *GlobalConnect*), which sends keep-alives. On hotel Wi-Fi, switch the
client's protocol to *TCP 443* under Settings → Connection.
"""),
    ("it", "Set up multi-factor authentication on a new phone", "mfa phone security", """\
Before you wipe the old phone, open the authenticator app and choose *Transfer accounts*.
Lost the old phone? Call the service desk on 4357 from a desk phone: we verify you by your
manager and issue a one-time code, then you enrol the new phone at **https://id.example.com/mfa**.
"""),
    ("it", "External monitors stay black on the docking station", "docking monitor hardware", """\
1. Unplug the dock's power for 30 seconds.
2. Update the dock firmware: Software Center → *Dock firmware*.
3. Use the USB-C port with the lightning symbol.

Only one monitor works? The WD19 drives two monitors only over DisplayPort, not HDMI.
"""),
    ("it", "Share a mailbox or calendar with a colleague", "outlook mail calendar", """\
In Outlook: right-click the calendar → *Sharing permissions* → *Add*. Shared mailboxes need
an owner's approval: file `isvc request new "Access to shared mailbox X" --team it --type it/access`.
"""),
    ("it", "Outlook does not sync a shared calendar", "outlook calendar", """\
Remove the calendar (right-click → *Remove*), close Outlook, delete the file
`%LOCALAPPDATA%\\Microsoft\\Outlook\\*.ost` and start Outlook again. It downloads everything
once; give it ten minutes on the VPN.
"""),
    ("it", "Request software that is not in Software Center", "software licence", """\
Ask Purchasing for the licence first (`--type purchasing/order`), then file an IT request
with the licence number. Free tools need a security review: say what it is for.
"""),
    ("it", "Printer jams or prints blank pages", "printer hardware", """\
Open every tray and remove torn paper; check the fuser door at the back. Blank pages mean
an empty toner: replacements are in the supply room on each floor. Still jamming? File a
request with the printer's asset tag (sticker on the front).
"""),
    ("facilities", "Badge does not open a door", "badge access", """\
Badges are synchronised every 15 minutes: a new or changed access works after that. Hold
the badge flat for two seconds. A badge that opens no door at all needs re-encoding at
reception (ground floor, 08:00–18:00).
"""),
    ("facilities", "Book a meeting room or change a booking", "rooms booking", """\
Rooms are booked in Outlook (*New meeting* → *Room finder*). Rooms for more than 12 people
or with catering: file a Facilities request three business days ahead.
"""),
    ("facilities", "Too hot or too cold at your desk", "hvac", """\
Each zone has a thermostat by the lift; it allows ±2 °C. Outside that, file a request
with your desk number: the building team adjusts the zone within a business day.
"""),
    ("purchasing", "How to raise a purchase order", "purchase order supplier", """\
File `isvc request new "..." --team purchasing --type purchasing/order` with the cost
centre, the amount with its currency and the supplier's quote attached (reply to the
acknowledgement mail with the PDF). Orders over 5,000 EUR need the finance controller's
approval, which Purchasing asks for.
"""),
    ("purchasing", "Add a new supplier", "supplier", """\
New suppliers need their registration certificate, bank details on letterhead and a
signed code of conduct. Send them with your request; Purchasing checks them in 3–5
business days.
"""),
    ("payroll", "Read your payslip", "payslip salary", """\
Gross pay is at the top, then contributions (pension 25%, health 10%) and income tax
(10%). Overtime of the previous month appears as a separate line. Questions about a
specific amount: file a `payroll/payslip` request with the month.
"""),
    ("payroll", "When is salary paid?", "salary payday", """\
Salaries are paid on the 10th, or the business day before when the 10th falls on a
weekend or a public holiday. Bonuses are paid with the March salary.
"""),
    ("payroll", "Change the bank account for your salary", "bank salary", """\
Upload a bank statement showing the IBAN and your name, and file a Payroll request before
the 25th: the change applies to the next month's salary.
"""),
    ("hr", "Request annual leave", "leave holiday", """\
Ask your manager first, then file `--type hr/leave` with the dates. You have 21 days a
year plus public holidays; up to 5 unused days move to the next year and expire on 31 March.
"""),
    ("hr", "Get an employment certificate", "certificate letters", """\
Certificates for banks, embassies or rentals are ready in two business days: file an HR
request saying who it is for and whether it must show your salary.
"""),
    ("platform", "Get access to a Kubernetes namespace", "kubernetes access", """\
File `--type platform/access` with the namespace, the role (read, write, admin) and your
manager. Read access is granted the same day; write and admin need the owning team's
approval.
"""),
    ("platform", "A deploy fails with 'quota exceeded'", "kubernetes deploy capacity", """\
Each namespace has CPU and memory quotas. `kubectl describe quota -n NAMESPACE` shows the
usage. Ask for more with a Platform request saying what you deploy and its expected load.
"""),
)

# The desk's own replies, beside the built-in ack, need-info, working, resolved and
# closed-thanks
REPLIES = (
    ("vpn-steps", "The VPN password reset steps, for VPN login problems", """\
Hello {requester.first_name},

thanks for reporting this. The VPN uses your directory password: please reset it at
https://id.example.com (Forgot password), wait two minutes, then reconnect.
{message}
If it still fails, reply to this message and we take it from there.

Kind regards,
{agent.name}, {team.name}
"""),
)


def build_catalog(ctx) -> None:
    """Types, articles and replies, added by each team's lead a fortnight ago."""
    from isvc.config import DEFAULTS
    from isvc.services import catalog, kb, replies
    from isvc.services.demo import LEADS
    from isvc.services.desk import Desk

    at = (ctx.now - timedelta(days=14)).replace(microsecond=0)

    def lead(team: str) -> Desk:
        return Desk(conn=ctx.conn, actor=LEADS[team], now=at, config=dict(DEFAULTS))

    for key, title, specs, priority in TYPES:
        catalog.add_type(lead(key.split("/")[0]), key, title, specs, priority=priority)
    for team, title, tags, body in ARTICLES:
        kb.add(lead(team), title, body, team=team, tags=tags.split())
    for name, description, body in REPLIES:
        replies.add(lead("it"), name, body, description=description)
    ctx.facts["catalog"] = {"types": len(TYPES), "articles": len(ARTICLES),
                            "replies": [name for name, _, _ in REPLIES]}
