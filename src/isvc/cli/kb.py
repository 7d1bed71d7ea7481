"""`isvc kb`: the knowledge base; and the articles `request new` offers before filing.

Importing this module is cheap (Typer only): `request new` imports it to call
``offer_articles``, which loads the rest only on a terminal and when the KB has articles.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt, read_body
from isvc.render.output import info

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Knowledge base: articles that answer frequent questions before a request "
                  "is filed; searched, versioned, counted.")

SQLITE_MAX_INT = 2**63 - 1
IdArg = Annotated[int, typer.Argument(help="Article id (see `isvc kb list`).", min=1, max=SQLITE_MAX_INT)]
TitleOpt = Annotated[Optional[str], typer.Option("--title", help="The question it answers, in a line.")]
BodyOpt = Annotated[Optional[str], typer.Option("--body", "-b", help="The answer, in Markdown.")]
BodyFileOpt = Annotated[Optional[str], typer.Option("--body-file", help="Read the Markdown from a file (- for stdin).")]
TeamOpt = Annotated[Optional[str], typer.Option("--team", "-t", help="The team it belongs to.")]


# -- writing ------------------------------------------------------------------------------

@app.command("add", epilog='Example: isvc kb add --title "Reset your VPN password" --body-file vpn-reset.md --team it --tag vpn')
def kb_add(
    title: Annotated[str, typer.Option("--title", help="The question it answers, in a line.")],
    body: BodyOpt = None,
    body_file: BodyFileOpt = None,
    team: TeamOpt = None,
    tag: Annotated[list[str], typer.Option("--tag", help="A tag (repeat); tags are searched too.")] = [],
    json_: JsonOpt = False,
) -> None:
    """Write an article (members of its team, any team member for a team-less one, admins). Prints its id (the article with --json)."""
    from isvc.services import kb as svc

    article = svc.add(desk(), title, read_body(body, body_file), team, tag)
    info(f"Added KB #{article.id}: {article.title}.")
    _print_article(article, json_)


@app.command("edit", epilog="Example: isvc kb edit 12 --body-file vpn-reset.md --tag mfa --untag legacy")
def kb_edit(
    article_id: IdArg,
    title: TitleOpt = None,
    body: BodyOpt = None,
    body_file: BodyFileOpt = None,
    team: Annotated[Optional[str], typer.Option("--team", "-t", help='Move it to this team ("" for every team).')] = None,
    tag: Annotated[list[str], typer.Option("--tag", help="Add a tag (repeat).")] = [],
    untag: Annotated[list[str], typer.Option("--untag", help="Remove a tag (repeat).")] = [],
    json_: JsonOpt = False,
) -> None:
    """Change an article (members of its team, any team member for a team-less one, admins): a new version; the previous one is kept (`kb history`)."""
    from isvc.services import kb as svc

    text = read_body(body, body_file) if body is not None or body_file is not None else None
    article = svc.edit(desk(), article_id, title=title, body=text, team=team, add_tags=tag,
                       remove_tags=untag)
    info(f"Updated KB #{article.id} to version {article.version}.")
    _print_article(article, json_)


@app.command("retire", epilog="Example: isvc kb retire 12")
def kb_retire(article_id: IdArg, json_: JsonOpt = False) -> None:
    """Retire an article (whoever may edit it): out of search, suggestions and `kb list`; `kb show` still reads it."""
    from isvc.services import kb as svc

    article = svc.retire(desk(), article_id)
    info(f"Retired KB #{article.id}: {article.title}.")
    _print_article(article, json_, quiet=True)


def no_match(query: str) -> str:
    """The message for a search without hits: a long query is cut to 60 characters."""
    from isvc.domain.kb import shorten

    return f"No article matches {shorten(query)!r}."


def _print_article(article, json_: bool, quiet: bool = False) -> None:
    if json_:
        from isvc.render.kb_views import article_dict
        from isvc.render.output import dump_json

        print(dump_json(article_dict(article)))
    elif not quiet:
        print(article.id)


# -- reading ------------------------------------------------------------------------------

@app.command("show", epilog="Example: isvc kb show 12   ·   isvc kb show 12 --version 1   ·   isvc kb show 12 > vpn-reset.md")
def kb_show(
    article_id: IdArg,
    version: Annotated[Optional[int], typer.Option("--version", help="An earlier version (see `isvc kb history`).", min=1, max=SQLITE_MAX_INT)] = None,
    json_: JsonOpt = False,
) -> None:
    """An article: rendered on a terminal, its raw Markdown body on a pipe (counts a view)."""
    from isvc.services import kb as svc

    d = desk()
    article = svc.show(d, article_id, version)
    output = fmt(json_, None)
    if output == "json":
        from isvc.render.kb_views import article_dict
        from isvc.render.output import dump_json

        print(dump_json(article_dict(article)))
    elif output == "table":
        from isvc.cli._common import viewer_tz
        from isvc.render.kb_views import article_view

        article_view(article, viewer_tz())
    else:
        sys.stdout.write(article.body + "\n")


@app.command("list", epilog="Example: isvc kb list --team it --tag vpn   ·   isvc kb list --all --json")
def kb_list(
    team: TeamOpt = None,
    tag: Annotated[list[str], typer.Option("--tag", help="Has this tag (repeat: all of them).")] = [],
    all_: Annotated[bool, typer.Option("--all", help="Retired articles too.")] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """The articles, oldest first (retired ones with --all)."""
    from isvc.render.kb_views import ARTICLE_COLUMNS, article_row, articles_table
    from isvc.render.output import emit_rows
    from isvc.services import kb as svc

    articles = svc.list_articles(desk(), team, tag, all_)
    emit_rows([article_row(a) for a in articles], fmt(json_, format_), ARTICLE_COLUMNS,
              lambda: articles_table(articles))


@app.command("history", epilog="Example: isvc kb history 12")
def kb_history(article_id: IdArg, json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """An article's versions: who changed what, when."""
    from isvc.render.kb_views import VERSION_COLUMNS, history_table, version_dict
    from isvc.render.output import emit_rows
    from isvc.services import kb as svc

    d = desk()
    versions = svc.history(d, article_id)

    def table() -> None:
        from isvc.cli._common import viewer_tz

        history_table(article_id, versions, viewer_tz())

    emit_rows([version_dict(v) for v in versions], fmt(json_, format_), VERSION_COLUMNS, table)


@app.command("search", epilog='Example: isvc kb search "vpn password reset" --team it --limit 5')
def kb_search(
    query: Annotated[str, typer.Argument(help="Words to look for (any syntax is taken as plain words).")],
    team: TeamOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many.", min=1, max=1000)] = 10,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Search the active articles, best first (a word in the title counts most). Matched words are bold on a terminal and «between these marks» in TSV and JSON."""
    from isvc.render.kb_views import HIT_COLUMNS, hit_dict, hits_table
    from isvc.render.output import emit_rows
    from isvc.services import kb as svc

    hits = svc.search(desk(), query, team, limit)
    output = fmt(json_, format_)
    if not hits and output not in ("json", "ndjson", "table"):
        info(no_match(query))
    emit_rows([hit_dict(h, i) for i, h in enumerate(hits, 1)], output, HIT_COLUMNS,
              lambda: hits_table(hits, query))


@app.command("stats", epilog="Example: isvc kb stats --since 90d   ·   isvc kb stats --json")
def kb_stats(
    since: Annotated[str, typer.Option("--since", help="The period: 90d, 4w, 12h or a date.")] = "90d",
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many next articles.", min=1, max=1000)] = 10,
    json_: JsonOpt = False,
) -> None:
    """What the articles did (views; suggested: times `request new` offered them; deflected; linked) and the next articles to write: the most frequent request titles that no article solved or already answers. On a pipe: TSV lines led by `article` or `next`."""
    from isvc.render.kb_views import stats_dict, stats_tables, stats_tsv
    from isvc.services import kb as svc

    data = stats_dict(svc.stats(desk(), since, limit))
    output = fmt(json_, None)
    if output == "json":
        from isvc.render.output import dump_json

        print(dump_json(data))
    elif output == "table":
        stats_tables(data, f"since {data['since'][:10]}")
    else:
        stats_tsv(data)


# -- before a request is filed -----------------------------------------------------------------

def prompt_allowed() -> bool:
    """The deflection question needs a person at a terminal: stdin and stderr (where the
    suggestions and the question go). stdout may be a pipe: `N=$(isvc request new ...)`."""
    from isvc.cli._common import can_ask

    return can_ask()


def _yes(question: str) -> bool:
    """A y/N question on stderr; Enter or end of input is no."""
    from isvc.cli._common import read_answer

    while True:
        answer = read_answer(question)
        if answer is None or answer.lower() in ("", "n", "no"):
            return False
        if answer.lower() in ("y", "yes"):
            return True
        sys.stderr.write("Please answer y or n.\n")


def _which(count: int) -> int:
    """Which of ``count`` articles answered it, on stderr like ``_yes``: Enter or end of
    input is the first; anything else but 1..count is asked again."""
    from isvc.cli._common import read_answer

    while True:
        answer = read_answer(f"Which one? [1-{count}] ")
        if answer is None or not answer.lstrip("#"):
            return 1
        answer = answer.lstrip("#")
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= count:
            return int(answer)
        sys.stderr.write(f"Please answer a number from 1 to {count}.\n")


@dataclass
class Offer:
    """What `request new` offered: ``deflected`` means an article answered the question and
    nothing is to be filed; otherwise ``filed(number)`` ties the articles shown (already
    counted as suggested, ``events``) to the request filed."""

    desk: object = None
    query: str = ""
    shown: list[int] = field(default_factory=list)
    deflected: bool = False
    events: list[int] = field(default_factory=list)

    def filed(self, number: int) -> None:
        if self.events:
            from isvc.services import kb as svc

            svc.suggestions_filed(self.desk, self.events, number)


def offer_articles(d, title: str, body: str | None, body_file: str | None,
                   no_suggest: bool = False, team: str | None = None) -> Offer:
    """On a terminal, show the best articles for a request about to be filed for ``team``
    (its articles and the team-less ones) and ask
    whether one answered it. Every article shown counts as suggested; a yes asks which one
    when several were shown, and counts it as deflected. Off a terminal, or with
    --no-suggest, nothing at all happens (no query, no output): cron and scripts see
    exactly what they saw before."""
    if no_suggest or not prompt_allowed():
        return Offer()
    from isvc.store.kb import any_active

    if not any_active(d.conn):
        return Offer()
    from isvc.render.kb_views import suggestions
    from isvc.services import kb as svc

    hits = svc.suggest(d, title, read_body(body, body_file), team)
    if not hits:
        return Offer()
    suggestions(hits)
    query = " ".join(title.split())
    shown = [h.id for h in hits]
    events = svc.record_suggested(d, shown, None, query)
    if _yes("Did one of these answer your question? [y/N]: "):
        chosen = hits[_which(len(hits)) - 1] if len(hits) > 1 else hits[0]
        svc.record_deflection(d, chosen.id, query)
        info("Glad it helped: nothing was filed.")
        return Offer(d, query, shown, deflected=True, events=events)
    return Offer(d, query, shown, events=events)
