"""`isvc ripple`: the tree of who waits on whom, the team's ranking, and their JSON."""

from __future__ import annotations

from isvc.render.console import console
from isvc.render.humanize import business_duration, plural

MARK = "▶"
# SLA state -> style (red breached, amber at risk, green on track, dim paused or done)
STYLE = {"breached": "bold red", "at_risk": "yellow", "on_track": "green", "paused": "dim"}
NODE_KEYS = ("number", "title", "team", "assignee", "status", "priority", "requester", "state",
             "due_at", "remaining_business_minutes")
# TSV/CSV of `ripple N`: one line per request shown
ROW_COLUMNS = ["direction", "depth", "number", "title", "team", "assignee", "status",
               "state", "remaining_business_minutes", "due_at", "via", "critical"]
TEAM_TABLE_COLUMNS = ["number", "title", "status", "assignee", "blocked_open", "people_waiting",
                      "chain_length", "remaining_business_minutes", "state"]


def time_left(f: dict) -> tuple[str, str]:
    """("overdue 2h", style) for one request's resolution clock, in business time."""
    if not f["visible"]:
        return "", "dim"
    if not f["open"]:
        return f["status"].replace("_", " "), "dim"
    state, left = f["state"], f["remaining_business_minutes"]
    if state is None or left is None:
        return "no agreement", "dim"
    day = f.get("day_minutes") or 480
    if state == "paused":
        return "paused", STYLE["paused"]
    if state == "breached":
        return f"overdue {business_duration(max(0, -left), day)}", STYLE["breached"]
    words = f"{business_duration(left, day)} left"
    if state == "at_risk":
        words = "at risk, " + words
    return words, STYLE.get(state, "")


# -- JSON ----------------------------------------------------------------------------------

def _node_dict(view, node) -> dict:
    f = view.facts[node.number]
    return {k: f[k] for k in NODE_KEYS} | {
        "depth": node.depth, "via": node.via,
        "children": [_node_dict(view, c) for c in node.children], "more": node.more}


def ripple_dict(view) -> dict:
    f = view.facts[view.number]
    # its children are listed in upstream and downstream: its more counts the ones left out
    root = {k: f[k] for k in NODE_KEYS} | {"depth": 0, "via": None, "children": [],
                                           "more": view.upstream_more + view.downstream_more}
    return {
        "number": view.number,
        "request": root,
        "upstream": [_node_dict(view, n) for n in view.upstream],
        "downstream": [_node_dict(view, n) for n in view.downstream],
        "critical_path": list(view.critical_path),
        "waiting_people": list(view.waiting_people),
        "counts": dict(view.counts),
        "limits": list(view.limits),
    }


def ripple_rows(view):
    """One flat row per request shown (TSV/CSV), the request itself first."""
    critical = set(view.critical_path)

    def row(direction: str, number: int, depth: int, via: str | None) -> dict:
        f = view.facts[number]
        return {"direction": direction, "depth": depth, "number": number, "title": f["title"],
                "team": f["team"], "assignee": f["assignee"], "status": f["status"],
                "state": f["state"], "remaining_business_minutes": f["remaining_business_minutes"],
                "due_at": f["due_at"], "via": via, "critical": number in critical}

    yield row("request", view.number, 0, None)

    def walk(direction: str, nodes):
        for n in nodes:
            yield row(direction, n.number, n.depth, n.via)
            yield from walk(direction, n.children)

    yield from walk("upstream", view.upstream)
    yield from walk("downstream", view.downstream)


# -- the tree ------------------------------------------------------------------------------

def _label(view, number: int, *, people: bool, critical: set[int], root: bool = False):
    from rich.text import Text

    f = view.facts[number]
    on_path = number in critical
    words, style = time_left(f)
    done = not f["open"] or f["state"] == "paused"
    label = Text(style="dim" if done and not root else "")
    if on_path:
        label.append(f"{MARK} ", style="bold")
    number_style = STYLE.get(f["state"], "") if f["open"] and f["visible"] else ""
    if not f["visible"]:   # the title reads "#N (not visible to you)"
        label.append(Text(f["title"], style="dim"))
        return label
    label.append(f"#{number}", style=("bold " + number_style).strip())
    label.append(" ")
    label.append(Text(f["title"], style="bold" if on_path or root else ""))
    details = [f["team"], f["assignee"] or "—", f["status"].replace("_", " ")]
    label.append("  " + " · ".join(details), style="" if not done else "dim")
    if words:
        label.append(" · ")
        label.append(words, style=style)
    if people and f["open"]:
        who = [f["requester"]] + [w for w in f["watchers"] if w != f["requester"]]
        label.append(" · for " + ", ".join(who), style="dim")
    return label


def _add(view, branch, nodes, more: int, *, people: bool, critical: set[int]) -> None:
    from rich.text import Text

    for node in nodes:
        child = branch.add(_label(view, node.number, people=people, critical=critical),
                           guide_style="dim")
        _add(view, child, node.children, node.more, people=people, critical=critical)
    if more:
        branch.add(Text(f"… and {more} more", style="dim italic"))


def ripple_tree(view) -> None:
    from rich.text import Text
    from rich.tree import Tree

    con = console()
    n = view.number
    critical = set(view.critical_path)
    tree = Tree(_label(view, n, people=False, critical=critical, root=True), guide_style="dim")
    counts = view.counts
    if view.upstream:
        up = tree.add(Text(f"#{n} waits on", style="bold"), guide_style="dim")
        _add(view, up, view.upstream, view.upstream_more, people=False, critical=critical)
    else:
        tree.add(Text(f"#{n} waits on nothing", style="dim"))
    if view.downstream:
        down = tree.add(Text(f"waiting on #{n}", style="bold"), guide_style="dim")
        _add(view, down, view.downstream, view.downstream_more, people=True, critical=critical)
    else:
        tree.add(Text(f"nothing waits on #{n}", style="dim"))
    con.print(tree)
    if view.critical_path:
        path = " → ".join(f"#{x}" for x in view.critical_path)
        con.print(Text.assemble((f"{MARK} critical path", "bold"),
                                f" (the longest chain through #{n}, "
                                f"{plural(len(view.critical_path), 'request')}): {path}"))
    for note in view.limits:
        con.print(Text(f"Not shown: {note}.", style="dim"))
    up = "at least " if "upstream" in view.partial else ""
    down = "at least " if "downstream" in view.partial else ""
    footer = (f"#{n} waits on {up}{plural(counts['upstream'], 'request')} "
              f"({counts['upstream_open']:,} open) · "
              f"{down}{plural(counts['downstream_open'], 'request')} and "
              f"{down}{plural(counts['people'], 'person', 'people')} wait on #{n}")
    con.print(Text(footer, style="dim"))


# -- `ripple --team T` -----------------------------------------------------------------------

def team_table(rows: list[dict], team_name: str) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    con.print(Text.assemble((f" {team_name}", "bold"),
                            " · the open requests others wait on, most waited on first"))
    if not rows:
        con.print("  Nothing of this team's blocks another open request.", style="green")
        return
    cells = []
    for r in rows:
        words, style = time_left({"visible": True, "open": True, "status": r["status"],
                                  "state": r["state"], "day_minutes": r.get("day_minutes"),
                                  "remaining_business_minutes": r["remaining_business_minutes"]})
        cells.append([str(r["number"]), Text(r["title"]), r["status"].replace("_", " "),
                      Text(r["assignee"] or "—"), str(r["blocked_open"]),
                      str(r["people_waiting"]), str(r["chain_length"]), Text(words, style=style)])
    headers = ["#", "title", "status", "assignee", "blocks", "people", "chain", "time left"]
    widths = [max(len(h), *(len(c if isinstance(c, str) else c.plain) for c in (row[i] for row in cells)))
              for i, h in enumerate(headers)]
    widths[3] = min(widths[3], 10)
    # every column keeps its natural width and the title gives way; on a terminal too
    # narrow even for that, the least needed columns go (never the number or the counts)
    for droppable in ("assignee", "chain", "status"):
        others = sum(w for i, w in enumerate(widths) if i != 1) + 3 * (len(headers) - 1)
        if con.width - others >= 12:
            break
        at = headers.index(droppable)
        for seq in (headers, widths, *cells):
            del seq[at]
    others = sum(w for i, w in enumerate(widths) if i != 1) + 3 * (len(headers) - 1)
    widths[1] = max(10, min(widths[1], con.width - others))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for header, width in zip(headers, widths):
        table.add_column(header, no_wrap=True, overflow="ellipsis", width=width,
                         justify="right" if header in ("#", "blocks", "people", "chain") else "left",
                         style="bold" if header == "#" else None)
    for row in cells:
        table.add_row(*row)
    con.print(table)
    con.print(Text(" blocks: open requests waiting on it, directly or through others · people: "
                   "their requesters and watchers · chain: the longest through it · "
                   "isvc ripple N shows it", style="dim"))
