"""Knowledge base: JSON shapes, Rich views (Markdown, search hits with the matched words in
bold), and the plain suggestion list `request new` prints on stderr.

Matched words: bold on a terminal; «…» in JSON, TSV and CSV (and on stderr when colour is
off), so scripts see where the match is without escape codes.
"""

from __future__ import annotations

import os
import sys

from isvc.domain.kb import (Article, Hit, Version, marked_parts, plain_marks, shorten,
                            strip_emphasis)
from isvc.render.console import console

ARTICLE_COLUMNS = ["id", "title", "team", "tags", "version", "active", "author", "updated_at"]
HIT_COLUMNS = ["id", "title", "team", "score", "snippet"]
VERSION_COLUMNS = ["version", "editor", "edited_at", "changes", "title"]
ARTICLE_STATS_COLUMNS = ["id", "title", "team", "active", "views", "suggested", "deflected", "linked"]
TOPIC_COLUMNS = ["count", "example", "words", "example_title"]


def article_dict(a: Article) -> dict:
    return {
        "id": a.id,
        "title": a.title,
        "body": a.body,
        "team": a.team,
        "tags": a.tags,
        "version": a.version,
        "latest_version": a.latest_version,
        "active": a.active,
        "author": a.author,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "editor": a.editor,
        "edited_at": a.edited_at,
    }


def article_row(a: Article) -> dict:
    """`kb list`: the article without its body."""
    return {k: v for k, v in article_dict(a).items() if k not in ("body", "editor", "edited_at")}


def hit_dict(h: Hit, rank: int) -> dict:
    return {
        "rank": rank,
        "id": h.id,
        "title": h.title,
        "team": h.team,
        "tags": h.tags,
        "version": h.version,
        "updated_at": h.updated_at,
        "score": h.score,
        "snippet": plain_marks(h.snippet),
    }


def version_dict(v: Version) -> dict:
    return {
        "article": v.article,
        "version": v.version,
        "title": v.title,
        "team": v.team,
        "tags": v.tags,
        "editor": v.editor,
        "edited_at": v.edited_at,
        "changes": v.changes,
    }


def topic_dict(t) -> dict:
    return {"words": list(t.words), "count": t.count, "example": t.example,
            "example_title": t.example_title, "numbers": t.numbers}


def stats_dict(data: dict) -> dict:
    return {
        "since": data["since"],
        "articles": [{**r, "active": bool(r["active"])} for r in data["articles"]],
        "next_articles": [topic_dict(t) for t in data["topics"]],
    }


# -- Rich views (imports inside: Rich is slow to import) ---------------------------------

def _marked_text(text: str, base: str = ""):
    from rich.text import Text

    out = Text(style=base)
    for piece, hot in marked_parts(text):
        out.append(piece, style="bold" if hot else "")
    return out


def article_view(a: Article, tz) -> None:
    from rich.markdown import Markdown
    from rich.rule import Rule
    from rich.text import Text

    from isvc.render.humanize import local

    con = console()
    con.print(Text.assemble((f"KB #{a.id}", "bold"), "  ", (a.title, "bold")))
    facts = [f"version {a.version}" + ("" if a.version == a.latest_version else f" of {a.latest_version}"),
             f"team {a.team}" if a.team else "every team"]
    if a.tags:
        facts.append(" ".join(f"#{t}" for t in a.tags))
    when = a.edited_at or a.updated_at
    facts.append(f"by {a.editor or a.author}, {local(when, tz, with_year=True)}")
    if not a.active:
        facts.append("retired")
    con.print(" · ".join(facts), style="dim", markup=False)
    con.print(Rule(style="dim"))
    con.print(Markdown(a.body))


def hits_table(hits: list[Hit], query: str) -> None:
    from rich import box
    from rich.table import Table

    con = console()
    if not hits:
        con.print(f"No article matches {shorten(query)!r}.", style="dim", markup=False)
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("title")
    table.add_column("team")
    table.add_column("snippet", ratio=1)
    for h in hits:
        table.add_row(str(h.id), _marked_text(h.title_marked), h.team or "—",
                      _marked_text(h.snippet, "dim"))
    con.print(table)


def articles_table(articles: list[Article]) -> None:
    from rich import box
    from rich.table import Table

    con = console()
    if not articles:
        con.print('No articles yet. Write one: isvc kb add --title "..." --body-file answer.md',
                  style="dim", markup=False)
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name, justify in (("#", "right"), ("title", "left"), ("team", "left"), ("tags", "left"),
                          ("v", "right"), ("updated", "left")):
        table.add_column(name, justify=justify)
    from rich.text import Text

    for a in articles:  # user text as Text: never read as Rich markup
        table.add_row(str(a.id), Text(a.title + ("" if a.active else " (retired)")),
                      Text(a.team or "—"), Text(" ".join(a.tags)), str(a.version),
                      a.updated_at[:10], style="" if a.active else "dim")
    con.print(table)


def history_table(article: int, versions: list[Version], tz) -> None:
    from rich import box
    from rich.table import Table

    from isvc.render.humanize import local

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  title=f"KB #{article}: versions", title_justify="left", title_style="bold")
    for name in ("v", "when", "who", "changed", "title"):
        table.add_column(name, justify="right" if name == "v" else "left")
    from rich.text import Text

    for v in versions:  # user text as Text: never read as Rich markup
        table.add_row(str(v.version), local(v.edited_at, tz, with_year=True), Text(v.editor),
                      ", ".join(v.changes), Text(v.title))
    console().print(table)


def stats_tables(data: dict, since_words: str) -> None:
    from rich import box
    from rich.table import Table

    con = console()
    articles = data["articles"]
    if articles:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                      title=f"Articles · {since_words}", title_justify="left", title_style="bold")
        table.add_column("#", justify="right", style="dim")
        table.add_column("title")
        for name in ("views", "suggested", "deflected", "linked"):
            table.add_column(name, justify="right")
        from rich.text import Text

        for r in articles:  # user text as Text: never read as Rich markup
            table.add_row(str(r["id"]), Text(r["title"] + ("" if r["active"] else " (retired)")),
                          str(r["views"]), str(r["suggested"]), str(r["deflected"]),
                          str(r["linked"]), style="" if r["active"] else "dim")
        con.print(table)
    else:
        con.print("No articles yet.", style="dim")
    topics = data["next_articles"]
    if not topics:
        con.print(f"No repeated request titles without an article {since_words}.", style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  title="The next articles to write", title_justify="left", title_style="bold")
    table.add_column("requests", justify="right")
    table.add_column("words")
    table.add_column("e.g.")
    from rich.text import Text

    for t in topics:  # user text as Text: never read as Rich markup
        table.add_row(str(t["count"]), Text(" ".join(t["words"])),
                      Text(f"#{t['example']} {t['example_title']}"))
    con.print(table)


def stats_tsv(data: dict) -> None:
    """One line per row, led by its section: `article` or `next` (grep-friendly)."""
    from isvc.render.output import _tsv_cell

    out = sys.stdout
    for r in data["articles"]:
        out.write("\t".join(_tsv_cell(v) for v in
                            ["article", *(r[c] for c in ARTICLE_STATS_COLUMNS)]) + "\n")
    for t in data["next_articles"]:
        out.write("\t".join(_tsv_cell(v) for v in
                            ["next", t["count"], t["example"], " ".join(t["words"]),
                             t["example_title"]]) + "\n")


# -- the suggestions `request new` shows on stderr --------------------------------------

def _bold_on_stderr() -> bool:
    return sys.stderr.isatty() and not os.environ.get("NO_COLOR")


def suggestions(hits: list[Hit]) -> None:
    """Plain text on stderr (no Rich: filing stays fast): bold matches on a colour terminal;
    snippets without Markdown emphasis markers (*, _, `)."""
    bold = _bold_on_stderr()

    def marks(text: str) -> str:
        if not bold:
            return plain_marks(text)
        return "".join(f"\x1b[1m{p}\x1b[22m" if hot else p for p, hot in marked_parts(text))

    lines = ["These articles may answer it already:"]
    for i, h in enumerate(hits, 1):
        lines.append(f"  {i}. {marks(h.title_marked)}  (isvc kb show {h.id})")
        if h.snippet:
            lines.append(f"     {marks(strip_emphasis(h.snippet))}")
    sys.stderr.write("\n".join(lines) + "\n")
