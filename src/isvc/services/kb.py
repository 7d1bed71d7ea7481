"""Knowledge-base use cases: writing articles (every version kept), reading them (each
read counted), searching, suggesting articles before a request is filed, linking the
article that solved a request, and what the KB did over a period.

Who may write: an admin; for an article of team T, the members of T (adding it, editing it,
moving an article into T, retiring it); for an article without a team, anyone who belongs
to a team (a provider). Everyone may read and search.
"""

from __future__ import annotations

from isvc.domain import kb as rules
from isvc.domain.kb import Article, Hit, Version
from isvc.errors import InvalidInput, NotFound, PermissionDenied
from isvc.services.desk import Desk
from isvc.store import kb as store
from isvc.store.db import write

SUGGESTIONS = 3
CANDIDATES = 20  # the best matches checked for strength (rules.strong_match) before filing


# -- helpers -------------------------------------------------------------------------------

def can_write(desk: Desk, team: str | None = None) -> bool:
    """An admin; for team ``team``'s articles its members; for team-less ones any member
    of a team."""
    if desk.is_admin():
        return True
    mine = desk.teams_of()
    return team in mine if team else bool(mine)


def _require_writer(desk: Desk, team: str | None, what: str) -> None:
    if not can_write(desk, team):
        who = f"members of team {team}" if team else "members of a team"
        raise PermissionDenied(f"only {who} or an admin may {what}; you are {desk.actor}")


def _row(desk: Desk, article_id: int) -> dict:
    row = store.get_article(desk.conn, article_id)
    if row is None:
        raise NotFound(f"no KB article #{article_id}; see `isvc kb list --all`")
    return row


def _article(row: dict, version: dict | None = None) -> Article:
    shown = version or row
    return Article(
        id=row["id"], title=shown["title"], body=shown["body"], team=shown["team"],
        tags=rules.split_tags(shown["tags"]), version=shown["version"],
        latest_version=row["version"], active=bool(row["active"]), author=row["author"],
        created_at=row["created_at"], updated_at=row["updated_at"],
        editor=version["editor"] if version else None,
        edited_at=version["edited_at"] if version else None,
    )


def _team(desk: Desk, team: str | None) -> str | None:
    from isvc.services.directory import require_team

    return require_team(desk, team) if team else None


def _current(desk: Desk, row: dict) -> Article:
    return _article(row, store.get_version(desk.conn, row["id"], row["version"]))


# -- writing -----------------------------------------------------------------------------------

def add(desk: Desk, title: str, body: str, team: str | None = None, tags=()) -> Article:
    title, body = rules.clean_title(title), rules.clean_body(body)
    clean_tags = rules.join_tags(rules.clean_tag(t) for t in tags)
    with write(desk.conn):
        team = _team(desk, team)
        what = f"add KB articles to team {team}" if team else "add KB articles"
        _require_writer(desk, team, what)
        desk.ensure_actor()
        article_id = store.insert_article(desk.conn, title=title, body=body, team=team,
                                          tags=clean_tags, author=desk.actor, at=desk.now_iso)
        row = _row(desk, article_id)
        store.insert_version(desk.conn, row, desk.actor, desk.now_iso)  # version 1 too
    return _current(desk, row)


def edit(desk: Desk, article_id: int, *, title: str | None = None, body: str | None = None,
         team: str | None = None, add_tags=(), remove_tags=()) -> Article:
    """A new version when anything changed; the previous one stays in kb_versions.
    ``team=""`` makes the article everyone's."""
    new: dict = {}
    if title is not None:
        new["title"] = rules.clean_title(title)
    if body is not None:
        new["body"] = rules.clean_body(body)
    added = [rules.clean_tag(t) for t in add_tags]
    removed = [rules.clean_tag(t) for t in remove_tags]
    with write(desk.conn):
        row = _row(desk, article_id)
        _require_writer(desk, row["team"], f"edit KB #{article_id}")
        if team is not None:
            new["team"] = _team(desk, team.strip())
            if new["team"] and new["team"] != row["team"]:
                _require_writer(desk, new["team"], f"move KB #{article_id} to team {new['team']}")
        if added or removed:
            tags = (set(rules.split_tags(row["tags"])) | set(added)) - set(removed)
            new["tags"] = rules.join_tags(tags)
        changed = {k: v for k, v in new.items() if v != row[k]}
        if not changed:
            raise InvalidInput(f"nothing changed on KB #{article_id}; give a new --title, --body, "
                               "--body-file, --team, --tag or --untag")
        desk.ensure_actor()
        changed |= {"version": row["version"] + 1, "updated_at": desk.now_iso}
        store.update_article(desk.conn, article_id, **changed)
        row = _row(desk, article_id)
        store.insert_version(desk.conn, row, desk.actor, desk.now_iso)
    return _current(desk, row)


def retire(desk: Desk, article_id: int) -> Article:
    """Out of search, suggestions and `kb list`; still readable with `kb show`."""
    from isvc.store.directory import audit

    with write(desk.conn):
        row = _row(desk, article_id)
        _require_writer(desk, row["team"], f"retire KB #{article_id}")
        if not row["active"]:
            raise InvalidInput(f"KB #{article_id} is already retired")
        desk.ensure_actor()
        store.update_article(desk.conn, article_id, active=0, updated_at=desk.now_iso)
        audit(desk.conn, desk.now_iso, desk.actor, "kb.retire", f"kb#{article_id}",
              {"title": row["title"], "version": row["version"]})
        row = _row(desk, article_id)
    return _current(desk, row)


# -- reading -----------------------------------------------------------------------------------

def show(desk: Desk, article_id: int, version: int | None = None) -> Article:
    """An article (or one of its versions); counts a view."""
    with write(desk.conn):
        row = _row(desk, article_id)
        shown = store.get_version(desk.conn, article_id, version or row["version"])
        if shown is None:
            raise NotFound(f"KB #{article_id} has no version {version}; it has "
                           f"{row['version']} (see `isvc kb history {article_id}`)")
        store.insert_event(desk.conn, "view", desk.now_iso, article=article_id, person=desk.actor)
    return _article(row, shown)


def list_articles(desk: Desk, team: str | None = None, tags=(), include_retired: bool = False) -> list[Article]:
    team = _team(desk, team)
    rows = store.list_articles(desk.conn, team, [rules.clean_tag(t) for t in tags], include_retired)
    return [_article(r) for r in rows]


def history(desk: Desk, article_id: int) -> list[Version]:
    _row(desk, article_id)
    out: list[Version] = []
    previous = None
    for v in store.versions(desk.conn, article_id):
        out.append(Version(article=article_id, version=v["version"], title=v["title"],
                           team=v["team"], tags=rules.split_tags(v["tags"]), editor=v["editor"],
                           edited_at=v["edited_at"], changes=rules.changes(previous, v)))
        previous = v
    return out


# -- searching ---------------------------------------------------------------------------------

def _hits(rows: list[dict]) -> list[Hit]:
    return [Hit(id=r["id"], title=r["title"], team=r["team"], tags=rules.split_tags(r["tags"]),
                version=r["version"], updated_at=r["updated_at"],
                score=round(-r["bm25"], 4) + 0.0, snippet=rules.one_line(r["snippet"] or ""),
                title_marked=r["title_marked"] or r["title"]) for r in rows]


def search(desk: Desk, text: str, team: str | None = None, limit: int = 10) -> list[Hit]:
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    match = rules.fts_query(text)
    team = _team(desk, team)
    return _hits(store.search(desk.conn, match, team=team, limit=limit))


def _strong(desk: Desk, rows: list[dict], found: list[str]) -> list[dict]:
    """The rows worth offering (rules.strong_match), best first."""
    matched = store.matched_terms(desk.conn, [r["id"] for r in rows], found)
    return [r for r in rows
            if rules.strong_match(len(matched[r["id"]][0]), len(matched[r["id"]][1]))]


def suggest(desk: Desk, title: str, body: str = "", team: str | None = None,
            limit: int = SUGGESTIONS) -> list[Hit]:
    """Articles that may answer a request about to be filed for ``team``: that team's and
    the team-less ones (every team's when ``team`` is None), matching the title's terms
    first, then the body's, and only strong matches (see ``rules.strong_match``). Nothing
    (and no error) when the text has no terms, the team is unknown (filing says so) or
    the KB has no articles."""
    from isvc.store.directory import team_exists

    if not store.any_active(desk.conn):
        return []
    found = rules.suggestion_terms(f"{title}\n{body}")
    if not found:
        return []
    if team is not None:
        team = team.strip().lstrip("+")
        if not team_exists(desk.conn, team):
            return []
    rows = store.search(desk.conn, rules.any_of(found), team=team or None, with_teamless=True,
                        limit=CANDIDATES)
    return _hits(_strong(desk, rows, found)[:limit])


def covered(desk: Desk, title: str) -> bool:
    """Whether an active article already answers requests titled ``title``: one of the
    best matches has two or more of the title's suggestion terms (or, for a title with a
    single term, has it in its own title). A title word found once in a body is not enough."""
    found = rules.suggestion_terms(title)
    if not found:
        return False
    rows = store.search(desk.conn, rules.any_of(found), team=None, limit=CANDIDATES)
    matched = store.matched_terms(desk.conn, [r["id"] for r in rows], found)
    return any(len(anywhere) >= 2 or (len(found) == 1 and in_title)
               for anywhere, in_title in matched.values())


def record_deflection(desk: Desk, article_id: int, query: str) -> None:
    """An article answered the question: nothing was filed."""
    with write(desk.conn):
        store.insert_event(desk.conn, "deflected", desk.now_iso, article=article_id,
                           person=desk.actor, query=query)


def record_suggested(desk: Desk, article_ids: list[int], number: int | None,
                     query: str) -> list[int]:
    """Articles shown before filing, each counted as "suggested" whatever happens next;
    ``number`` (the request filed) may follow with ``suggestions_filed``. The event ids."""
    with write(desk.conn):
        return [store.insert_event(desk.conn, "suggested", desk.now_iso, article=article_id,
                                   number=number, person=desk.actor, query=query)
                for article_id in article_ids]


def suggestions_filed(desk: Desk, event_ids: list[int], number: int) -> None:
    """The request filed after the suggestions ``event_ids`` were shown: none answered it."""
    with write(desk.conn):
        store.set_event_number(desk.conn, event_ids, number)


def link_article(desk: Desk, number: int, article_id: int) -> Article:
    """Record that article ``article_id`` solved request ``number``: a "linked" article
    event and a "link" event in the request's journal, in the caller's transaction when
    there is one (`request resolve --kb`). Linking the same pair twice records it once."""
    from isvc.services import access
    from isvc.store import requests as requests_store

    with write(desk.conn):
        req = requests_store.get_request(desk.conn, number)
        if req is None:
            raise NotFound(f"no request #{number}; see `isvc request list`")
        roles = access.roles_of(desk.actor, desk.teams_of(), desk.is_admin(), req)
        access.require("resolve", roles, req, desk.actor, "link a KB article to")
        row = _row(desk, article_id)
        desk.ensure_actor()
        if not store.linked(desk.conn, article_id, number):
            store.insert_event(desk.conn, "linked", desk.now_iso, article=article_id,
                               number=number, person=desk.actor)
            requests_store.insert_event(desk.conn, number, desk.now_iso, desk.actor, "link",
                                        field="kb", to_value=article_id,
                                        message=f"solved by KB #{article_id}: {row['title']}")
    return _article(row)


# -- stats -------------------------------------------------------------------------------------

def stats(desk: Desk, since: str = "90d", limit: int = 10) -> dict:
    """Per article since ``since``: views, suggested (times shown before filing, whether
    the person then filed or not), deflections, links; and the next articles to write:
    the most frequent request titles (by their significant words) among the requests of
    the period that no article solved, leaving out those an active article already
    covers (``covered`` on the group's latest title)."""
    from isvc.domain.timeutil import parse_since, to_iso

    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    since_iso = to_iso(parse_since(since, desk.now))
    articles = store.article_stats(desk.conn, since_iso)
    linked = store.linked_numbers(desk.conn)
    rows = [(n, t) for n, t in store.request_titles_since(desk.conn, since_iso) if n not in linked]
    topics = []
    for topic in rules.topics(rows, limit=None):
        if len(topics) == limit:
            break
        if not covered(desk, topic.example_title):
            topics.append(topic)
    return {"since": since_iso, "articles": articles, "topics": topics}
