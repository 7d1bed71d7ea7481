"""Request catalog use cases: request types per team, typed filing, needs-info round-trips.

A team's request types say what a request must carry up front (PRODUCT idea 5, "good
customers"). `request needs-info` is the round-trip when it did not: the request waits on
the requester and a ``needs_info`` event is journaled, so ``needs_info_counts`` and
``type_stats`` show which forms need better fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches

from isvc.domain import catalog as dom
from isvc.domain.catalog import FieldDef, RequestType
from isvc.domain.models import Request, parse_priority
from isvc.errors import InvalidInput, NotFound, PermissionDenied
from isvc.services.desk import Desk
from isvc.services.directory import require_team
from isvc.store import catalog as store
from isvc.store import directory
from isvc.store.db import write


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# -- helpers ----------------------------------------------------------------------------

def _require_manager(desk: Desk, team: str, what: str) -> None:
    """Members of the type's team and desk admins manage its types."""
    if team in desk.teams_of() or desk.is_admin():
        return
    raise PermissionDenied(f"only members of team {team} or an admin may {what}; you are {desk.actor}")


def _priority(value: str | None) -> str | None:
    if value is None or not value.strip() or value.strip().lower() in ("none", "default"):
        return None
    return parse_priority(value).value


def _description(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return text or None


def _key(desk: Desk, key: str) -> tuple[str, str, str]:
    """(key, team, name) of an existing team's key."""
    team, name = dom.parse_key(key)
    team = require_team(desk, team)
    return f"{team}/{name}", team, name


def require_type(desk: Desk, key: str) -> RequestType:
    """A type by key (retired ones too), or NotFound with a suggestion."""
    try:
        team, name = dom.parse_key(key)
        found = store.get_type(desk.conn, f"{team}/{name}")
    except InvalidInput:
        found = None
    if found is None:
        keys = [t.key for t in store.list_types(desk.conn, include_retired=True)]
        close = get_close_matches((key or "").strip().lower(), keys, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise NotFound(f"no request type {key!r}{hint}; see `isvc type list`")
    return found


def _people(desk: Desk, rtype: RequestType) -> set[str] | None:
    if any(f.kind == "person" for f in rtype.fields):
        return set(directory.person_handles(desk.conn))
    return None


def _audit(desk: Desk, action: str, t: RequestType, **extra) -> None:
    directory.audit(desk.conn, desk.now_iso, desk.actor, action, t.key,
                    {"title": t.title, "priority": t.priority,
                     "fields": [f.spec for f in t.fields], **extra})


# -- managing types ----------------------------------------------------------------------

def add_type(desk: Desk, key: str, title: str, specs: list[str] = (), *,
             priority: str | None = None, description: str | None = None) -> RequestType:
    fields = dom.check_fields([dom.parse_field_spec(s) for s in specs], f"type {key}")
    prio = _priority(priority)
    with write(desk.conn):
        key, team, name = _key(desk, key)
        _require_manager(desk, team, f"add request types for team {team}")
        title = dom.clean_title(title, key)
        old = store.get_type(desk.conn, key)
        if old is not None:
            state = "a retired type" if not old.active else "a type"
            raise InvalidInput(f"{key} is already {state}; change it with `isvc type edit {key}`")
        desk.ensure_actor()
        t = RequestType(key=key, team=team, name=name, title=title,
                        description=_description(description), priority=prio, fields=fields,
                        created_at=desk.now_iso, updated_at=desk.now_iso)
        store.insert_type(desk.conn, t)
        _audit(desk, "type.add", t)
    return store.get_type(desk.conn, key)


def edit_type(desk: Desk, key: str, *, title: str | None = None, description: str | None = None,
              priority: str | None = None, set_fields: list[str] = (),
              remove_fields: list[str] = ()) -> RequestType:
    """``set_fields``: specs that add a field or replace the one of that name;
    ``remove_fields``: names. Retired types can be edited (and stay retired)."""
    new_fields = [dom.parse_field_spec(s) for s in set_fields]
    with write(desk.conn):
        old = require_type(desk, key)
        _require_manager(desk, old.team, f"edit request types of team {old.team}")
        fields = list(old.fields)
        for name in remove_fields:
            name = name.strip().lower()
            if name in {f.name for f in new_fields}:
                raise InvalidInput(f"field {name!r} is both set with --field and removed with --remove-field")
            if old.field(name) is None:
                names = ", ".join(f.name for f in old.fields) or "none"
                raise InvalidInput(f"type {old.key} has no field {name!r} (fields: {names})")
            fields = [f for f in fields if f.name != name]
        dom.check_fields(new_fields, f"type {old.key}")
        for f in new_fields:
            at = next((i for i, g in enumerate(fields) if g.name == f.name), None)
            if at is None:
                fields.append(f)
            else:
                fields[at] = f
        dom.check_fields(fields, f"type {old.key}")
        new = RequestType(
            key=old.key, team=old.team, name=old.name,
            title=dom.clean_title(title, old.key) if title is not None else old.title,
            description=_description(description) if description is not None else old.description,
            priority=_priority(priority) if priority is not None else old.priority,
            fields=fields, active=old.active, created_at=old.created_at, updated_at=desk.now_iso)
        if _same(old, new):
            raise InvalidInput(f"nothing changed on type {old.key}; give --title, --description, "
                               "--priority, --field or --remove-field")
        desk.ensure_actor()
        store.update_type(desk.conn, new)
        _audit(desk, "type.edit", new)
    return store.get_type(desk.conn, old.key)


def _same(a: RequestType, b: RequestType) -> bool:
    return (a.title, a.description, a.priority, [f.to_dict() for f in a.fields], a.active) == (
        b.title, b.description, b.priority, [f.to_dict() for f in b.fields], b.active)


def retire_type(desk: Desk, key: str) -> RequestType:
    """A retired type takes no new requests; requests of that type keep it."""
    with write(desk.conn):
        t = require_type(desk, key)
        _require_manager(desk, t.team, f"retire request types of team {t.team}")
        if not t.active:
            raise InvalidInput(f"type {t.key} is already retired")
        desk.ensure_actor()
        t.active = False
        t.updated_at = desk.now_iso
        store.update_type(desk.conn, t)
        directory.audit(desk.conn, desk.now_iso, desk.actor, "type.retire", t.key, None)
    return store.get_type(desk.conn, t.key)


def get_type(desk: Desk, key: str) -> RequestType:
    return require_type(desk, key)


def list_types(desk: Desk, team: str | None = None, include_retired: bool = False) -> list[RequestType]:
    if team:
        team = require_team(desk, team)
    return store.list_types(desk.conn, team, include_retired)


# -- import / export ------------------------------------------------------------------

_TYPE_KEYS = {"key", "title", "description", "priority", "fields"}


def _from_toml(item, where: str) -> tuple[str, str, str, dict]:
    """A ``[[types]]`` table checked for shape: (key, team, name, values)."""
    if not isinstance(item, dict):
        raise InvalidInput(f"{where}: each type is a [[types]] table")
    unknown = sorted(set(item) - _TYPE_KEYS)
    if unknown:
        raise InvalidInput(f"{where}: unknown key {unknown[0]!r} "
                           f"(keys: key, title, description, priority, fields)")
    if not isinstance(item.get("key"), str):
        raise InvalidInput(f"{where}: needs key = \"team/name\"")
    team, name = dom.parse_key(item["key"])
    key = f"{team}/{name}"
    where = f"{where} ({key})"
    for text in ("title", "description", "priority"):
        if text in item and not isinstance(item[text], str):
            raise InvalidInput(f"{where}: {text} must be a string")
    raw_fields = item.get("fields", [])
    if not isinstance(raw_fields, list):
        raise InvalidInput(f"{where}: fields are [[types.fields]] tables")
    fields = dom.check_fields(
        [dom.field_from_dict(f, f"{where} field {i}") for i, f in enumerate(raw_fields, 1)], where)
    try:
        values = {"title": dom.clean_title(item.get("title", ""), key),
                  "description": _description(item.get("description")),
                  "priority": _priority(item.get("priority")), "fields": fields}
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from None
    return key, team, name, values


def import_types(desk: Desk, path: str) -> ImportResult:
    """Every [[types]] table of a TOML file, checked first, saved together or not at all;
    existing keys are updated (and a retired one is active again)."""
    from isvc.tomlfiles import read_toml

    data = read_toml(path, "type file")
    unknown = sorted(set(data) - {"types"})
    if unknown:
        raise InvalidInput(f"{path}: unknown table {unknown[0]!r}; put each type in a [[types]] table")
    items = data.get("types")
    if not isinstance(items, list):
        raise InvalidInput(f"{path}: no [[types]] tables; see `isvc type export` for the format")
    parsed = []
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        key, team, name, values = _from_toml(item, f"{path}: types[{i}]")
        if key in seen:
            raise InvalidInput(f"{path}: type {key} is listed twice")
        seen.add(key)
        parsed.append((key, team, name, values))
    result = ImportResult()
    with write(desk.conn):
        for key, team, name, _ in parsed:
            try:
                require_team(desk, team)
            except NotFound as exc:
                raise NotFound(f"{path}: type {key}: {exc}") from None
            _require_manager(desk, team, f"import request types for team {team}")
        if parsed:
            desk.ensure_actor()
        for key, team, name, values in parsed:
            old = store.get_type(desk.conn, key)
            new = RequestType(key=key, team=team, name=name, active=True,
                              created_at=old.created_at if old else desk.now_iso,
                              updated_at=desk.now_iso, **values)
            if old is None:
                store.insert_type(desk.conn, new)
                result.added.append(key)
            elif _same(old, new):
                result.unchanged.append(key)
                continue
            else:
                store.update_type(desk.conn, new)
                result.updated.append(key)
            _audit(desk, "type.import", new, file=str(path))
    return result


def export_types(desk: Desk, team: str | None = None, include_retired: bool = False) -> str:
    """The TOML `type import` reads: one [[types]] table per type."""
    import tomli_w

    types = list_types(desk, team, include_retired)
    head = "# isvc request types: edit, then `isvc type import FILE`\n"
    if not types:
        return head + "types = []\n"
    return head + "\n" + tomli_w.dumps({"types": [dom.type_to_toml(t) for t in types]})


# -- filing typed requests ----------------------------------------------------------------

def resolve_for_filing(desk: Desk, team: str, type_key: str) -> RequestType | None:
    """The active type ``type_key`` of ``team`` (a bare name means the team's own), or a
    refusal; None when the team keeps no catalog at all and the type stays free-form text,
    as before the catalog existed."""
    team = require_team(desk, team)
    try:
        t_team, name = dom.parse_key(type_key, default_team=team)
    except InvalidInput:
        if not store.team_has_types(desk.conn, team):
            return None
        raise
    key = f"{t_team}/{name}"
    rtype = store.get_type(desk.conn, key)
    if rtype is not None and rtype.team != team:
        raise InvalidInput(f"type {key} belongs to team {rtype.team}, not {team}; "
                           f"file it with --team {rtype.team}")
    if rtype is None and not store.team_has_types(desk.conn, team):
        return None
    if rtype is None or not rtype.active:
        active = store.list_types(desk.conn, team)
        listed = ", ".join(t.key for t in active) if active else "none active"
        if rtype is None:
            close = get_close_matches(name, [t.name for t in active], n=1)
            hint = f" (did you mean '{team}/{close[0]}'?)" if close else ""
            raise NotFound(f"team {team} has no request type {key!r}{hint}; its types: {listed}")
        raise InvalidInput(f"type {key} is retired; team {team}'s types: {listed}")
    return rtype


def typed_fields(desk: Desk, team: str, type_key: str,
                 given: dict[str, str]) -> tuple[str, dict[str, str], RequestType | None]:
    """For `request new --type`: (the type to store, the fields to store, the type or None).
    A catalog type's fields are validated and normalised (one refusal listing every
    problem); a free-form type keeps the fields as given."""
    rtype = resolve_for_filing(desk, team, type_key)
    if rtype is None:
        return type_key, dict(given), None
    return rtype.key, dom.validate(rtype, given, _people(desk, rtype)), rtype


def typed_edit(desk: Desk, req: Request, team: str, type_key: str | None,
               given: dict[str, str]) -> tuple[str, dict[str, str]] | None:
    """For `request edit` changing --type, --team or --field: (the type to store, all the
    fields to store) checked as `request new --type` checks them, or a refusal; None when
    the catalog does not apply (no type, a cleared type, or a team without a catalog) and
    the edit stays free-form. ``team``: the request's (new) team; ``type_key``: the --type
    given (None: not given); ``given``: the --field values (an empty value removes one)."""
    new_type = req.type if type_key is None else (type_key.strip() or None)
    if new_type is None or not store.team_has_types(desk.conn, team):
        return None
    if type_key is None and team != req.team:
        try:
            t_team, name = dom.parse_key(new_type, default_team=team)
            found = store.get_type(desk.conn, f"{t_team}/{name}")
        except InvalidInput:
            found = None
        if found is None or found.team != team:
            raise InvalidInput(f"#{req.number} is of type {req.type}, which team {team} "
                               "does not have; give --type too")
    rtype = resolve_for_filing(desk, team, new_type)
    merged = dict(req.fields)
    for key, value in given.items():
        key = key.strip().lower()
        if value:
            merged[key] = value
        else:
            merged.pop(key, None)
    return rtype.key, dom.validate(rtype, merged, _people(desk, rtype))


def check_value(desk: Desk, f: FieldDef, text: str) -> str:
    """One field's value normalised (for prompts), or InvalidInput saying why not."""
    people = set(directory.person_handles(desk.conn)) if f.kind == "person" else None
    return dom.normalise_value(f, text, people)


def field_labels(desk: Desk, req: Request) -> dict[str, str]:
    """name -> label of a typed request's fields, in the type's order ({} when untyped)."""
    if not req.type:
        return {}
    rtype = store.get_type(desk.conn, req.type)
    if rtype is None or rtype.team != req.team:
        return {}
    return {f.name: f.display for f in rtype.fields}


# -- needs-info round-trips -------------------------------------------------------------

def needs_info(desk: Desk, number: int, message: str) -> tuple[Request, int]:
    """Wait on the requester for missing information (the `wait` transition: its access
    rule, its notice to the requester) and journal the round-trip as a ``needs_info``
    event in the same transaction. Returns the request and which round-trip this is."""
    from isvc.services import requests
    from isvc.store import requests as rq

    if message is None or not message.strip():
        raise InvalidInput('say what is missing: -m "Which cost centre?"')
    with write(desk.conn):
        requests.transition(desk, number, "wait", message)
        asked = store.needs_info_events(desk.conn, number) + 1
        rq.insert_event(desk.conn, number, desk.now_iso, desk.actor, "needs_info",
                        to_value=asked)
    return rq.get_request(desk.conn, number), asked


def _tally() -> dict:
    return {"requests": 0, "needs_info": 0, "needs_info_requests": 0}


def _add(into: dict, row) -> None:
    into["requests"] += row["requests"]
    into["needs_info"] += row["needs_info"]
    into["needs_info_requests"] += row["needs_info_requests"]


def needs_info_counts(conn, since_iso: str | None) -> dict:
    """Requests filed since ``since_iso`` (None: all) and their needs-info round-trips:

    {"by_type": {type or None: counts}, "by_team": {requester's primary team or None: counts},
     "by_requester": {handle: counts}}, counts = {"requests": n, "needs_info": k,
    "needs_info_requests": m} (k round-trips; m requests that needed at least one).
    """
    out: dict[str, dict] = {"by_type": {}, "by_team": {}, "by_requester": {}}
    for row in store.needs_info_rows(conn, since_iso):
        _add(out["by_type"].setdefault(row["type"], _tally()), row)
        _add(out["by_team"].setdefault(row["customer_team"], _tally()), row)
        _add(out["by_requester"].setdefault(row["requester"], _tally()), row)
    return out


def type_stats(desk: Desk, since: str = "90d", team: str | None = None) -> list[dict]:
    """Per type and provider team: requests filed since, needs-info round-trips, and the
    share of requests that needed one. Catalog types with no requests are listed too;
    untyped requests are a row with type None. Worst share first."""
    from isvc.domain.timeutil import parse_since, to_iso

    since_iso = to_iso(parse_since(since, desk.now))
    if team:
        team = require_team(desk, team)
    rows: dict[tuple, dict] = {}
    catalog = {t.key: t for t in store.list_types(desk.conn, team, include_retired=True)}
    for t in catalog.values():
        if t.active:
            rows[(t.key, t.team)] = _tally()
    for row in store.needs_info_rows(desk.conn, since_iso, team):
        _add(rows.setdefault((row["type"], row["team"]), _tally()), row)
    out = []
    for (key, provider), counts in rows.items():
        t = catalog.get(key) if key else None
        n = counts["requests"]
        out.append({
            "type": key, "team": provider, "title": t.title if t and t.team == provider else None,
            "active": t.active if t and t.team == provider else None,
            **counts, "share": round(counts["needs_info_requests"] / n, 3) if n else None,
        })
    out.sort(key=lambda r: (-(r["share"] or 0), r["share"] is None, -r["requests"],
                            r["type"] is None, r["type"] or "", r["team"] or ""))
    return out
