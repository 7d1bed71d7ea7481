"""The request catalog: request types, their fields, and validating what a requester gives.

A request type is ``team/name`` with a title, a default priority and a list of fields.
Each field has a kind that says what a value must look like and how it is normalised:

    text    any text, stripped                       "  CC-12 " -> "CC-12"
    number  an integer or a decimal                  "1,200.50" -> "1200.5"
    money   an amount and a 3-letter currency        "EUR 1,200" -> "1200.00 EUR"
    date    an ISO date                              "2026-12-01"
    choice  one of the declared values, any case     "HIGH" -> "high"
    person  a person's handle, with or without @     "@ana" -> "ana"
    bool    yes/no/true/false/1/0                    "Yes" -> "true"

Fields are declared with a small spec language: ``name:kind[:required][:label=Label]``,
choice values as ``choice(a|b|c)``. Pure code: no clock, no files, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from isvc.errors import InvalidInput

KINDS = ("text", "number", "money", "date", "choice", "person", "bool")

SPEC_SYNTAX = ('name:kind[:required][:label=Label], kind one of text, number, money, date, '
               'choice(a|b|c), person, bool; e.g. "amount:money:required" or '
               '"urgency:choice(low|normal|high)"')

KIND_EXAMPLES = {
    "text": "some text",
    "number": "12 or 3.5",
    "money": '"1200 EUR"',
    "date": "YYYY-MM-DD, e.g. 2026-12-01",
    "choice": "one of the values",
    "person": "a person's handle, e.g. @ana",
    "bool": "yes or no",
}

MAX_TEXT = 2000
MAX_DIGITS = 30
MAX_FIELDS = 50
MAX_CHOICES = 100
MAX_TITLE = 120

_FIELD_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_TYPE_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
_TEAM = re.compile(r"[a-z][a-z0-9._-]{0,31}")
_HANDLE = re.compile(r"[a-z][a-z0-9._-]{0,31}")

FIELD_NAME_HELP = "lower-case letters, digits, '_' or '-', starting with a letter"
TYPE_NAME_HELP = "lower-case letters, digits and '-', starting with a letter"


@dataclass
class FieldDef:
    name: str
    kind: str
    required: bool = False
    choices: list[str] = field(default_factory=list)
    label: str | None = None

    @property
    def display(self) -> str:
        """The label a human sees: the declared one, else the name in words."""
        return self.label or self.name.replace("_", " ").replace("-", " ").capitalize()

    @property
    def kind_text(self) -> str:
        """``choice low|normal|high``, ``money``."""
        return f"choice {'|'.join(self.choices)}" if self.kind == "choice" else self.kind

    @property
    def spec(self) -> str:
        """The field back in the spec language (parse_field_spec(f.spec) == f)."""
        kind = f"choice({'|'.join(self.choices)})" if self.kind == "choice" else self.kind
        text = f"{self.name}:{kind}" + (":required" if self.required else "")
        return text + (f":label={self.label}" if self.label else "")

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "required": self.required,
                "choices": list(self.choices), "label": self.label}


@dataclass
class RequestType:
    key: str
    team: str
    name: str
    title: str
    description: str | None = None
    priority: str | None = None
    fields: list[FieldDef] = field(default_factory=list)
    active: bool = True
    created_at: str = ""
    updated_at: str = ""

    def field(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def required(self) -> list[FieldDef]:
        return [f for f in self.fields if f.required]


# -- keys, field specs, type definitions ---------------------------------------------------

def parse_key(key: str, default_team: str | None = None) -> tuple[str, str]:
    """``team/name`` -> (team, name); a bare ``name`` belongs to ``default_team`` if given."""
    text = (key or "").strip().lower()
    if "/" not in text and default_team:
        text = f"{default_team}/{text}"
    team, sep, name = text.partition("/")
    if not sep or not _TEAM.fullmatch(team.lstrip("+")) or not _TYPE_NAME.fullmatch(name):
        raise InvalidInput(
            f"type key {key!r} must look like team/name, e.g. purchasing/purchase-order "
            f"(name: {TYPE_NAME_HELP})")
    return team.lstrip("+"), name


def _spec_error(spec: str, why: str) -> InvalidInput:
    return InvalidInput(f"field spec {spec!r}: {why}; use {SPEC_SYNTAX}")


_SPEC = re.compile(r"(?P<name>[^:]*):(?P<kind>[a-zA-Z]+)\s*(?:\((?P<choices>[^()]*)\))?(?P<rest>.*)",
                   re.S)


def parse_field_spec(spec: str) -> FieldDef:
    """``amount:money:required``, ``urgency:choice(low|normal|high)``,
    ``cost_centre:text:required:label=Cost centre``."""
    text = (spec or "").strip()
    match = _SPEC.fullmatch(text)
    if not match:
        raise _spec_error(spec, "it must start with name:kind")
    name = match["name"].strip()
    if not _FIELD_NAME.fullmatch(name):
        raise _spec_error(spec, f"field name {name!r} is not valid ({FIELD_NAME_HELP})")
    kind = match["kind"].lower()
    if kind not in KINDS:
        raise _spec_error(spec, f"unknown kind {match['kind']!r}")
    choices: list[str] = []
    if match["choices"] is not None:
        if kind != "choice":
            raise _spec_error(spec, f"only choice fields take values in (...), not {kind}")
        choices = [c.strip() for c in match["choices"].split("|")]
    elif kind == "choice":
        raise _spec_error(spec, "a choice field lists its values, e.g. choice(low|normal|high)")
    required, label = False, None
    rest = match["rest"]
    if rest:
        if not rest.startswith(":"):
            raise _spec_error(spec, f"unexpected {rest!r} after the kind")
        parts = rest[1:].split(":", 1)
        head = parts[0].strip()
        if head.lower() in ("required", "optional"):
            required = head.lower() == "required"
            tail = parts[1] if len(parts) > 1 else None
        else:
            tail = rest[1:]
        if tail is not None:
            key, sep, value = tail.partition("=")
            if key.strip().lower() != "label" or not sep:
                raise _spec_error(spec, f"unexpected {tail!r} (after the kind: required, then label=...)")
            label = value.strip()
            if not label:
                raise _spec_error(spec, "label= needs a text")
    try:
        return check_field(FieldDef(name=name, kind=kind, required=required, choices=choices,
                                    label=label), where=f"field spec {spec!r}")
    except InvalidInput as exc:
        raise InvalidInput(f"{exc}; use {SPEC_SYNTAX}") from None


def check_field(f: FieldDef, where: str = "field") -> FieldDef:
    """A field definition from any source (spec, TOML, the database), checked."""
    def bad(why: str) -> InvalidInput:
        return InvalidInput(f"{where}: {why}")

    if not isinstance(f.name, str) or not _FIELD_NAME.fullmatch(f.name):
        raise bad(f"field name {f.name!r} is not valid ({FIELD_NAME_HELP})")
    if f.kind not in KINDS:
        raise bad(f"field {f.name}: unknown kind {f.kind!r}; use one of: {', '.join(KINDS)}")
    if not isinstance(f.required, bool):
        raise bad(f"field {f.name}: required must be true or false")
    if f.label is not None and (not isinstance(f.label, str) or not f.label.strip()
                                or len(f.label) > 80 or "\n" in f.label):
        raise bad(f"field {f.name}: label must be a line of text (at most 80 characters)")
    if f.kind == "choice":
        if not isinstance(f.choices, list) or not f.choices:
            raise bad(f"field {f.name}: a choice field needs values, e.g. choice(low|normal|high)")
        seen: set[str] = set()
        for value in f.choices:
            if (not isinstance(value, str) or not value.strip() or value != value.strip()
                    or any(c in value for c in "|()\n")):
                raise bad(f"field {f.name}: choice value {value!r} is not valid "
                          "(non-empty, no '|', '(' or ')')")
            if value.lower() in seen:
                raise bad(f"field {f.name}: choice value {value!r} is listed twice")
            seen.add(value.lower())
        if len(f.choices) > MAX_CHOICES:
            raise bad(f"field {f.name}: at most {MAX_CHOICES} choice values")
    elif f.choices:
        raise bad(f"field {f.name}: only choice fields have choices, not {f.kind}")
    return f


def check_fields(fields: list[FieldDef], where: str) -> list[FieldDef]:
    names = [f.name for f in fields]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InvalidInput(f"{where}: field {dupes[0]!r} is declared twice")
    if len(fields) > MAX_FIELDS:
        raise InvalidInput(f"{where}: at most {MAX_FIELDS} fields")
    return fields


def clean_title(title: str, key: str) -> str:
    text = " ".join((title or "").split())
    if not text:
        raise InvalidInput(f'type {key} needs a title, e.g. --title "Purchase order"')
    if len(text) > MAX_TITLE:
        raise InvalidInput(f"type {key}: the title is {len(text)} characters; keep it under {MAX_TITLE}")
    return text


def field_from_dict(data, where: str) -> FieldDef:
    """One ``[[types.fields]]`` table (or a stored JSON object)."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: each field is a table with name and kind")
    unknown = sorted(set(data) - {"name", "kind", "required", "choices", "label"})
    if unknown:
        raise InvalidInput(f"{where}: unknown key {unknown[0]!r} in a field "
                           "(keys: name, kind, required, choices, label)")
    if "name" not in data or "kind" not in data:
        raise InvalidInput(f"{where}: each field needs a name and a kind")
    kind = data["kind"]
    return check_field(FieldDef(
        name=data["name"], kind=kind.strip().lower() if isinstance(kind, str) else kind,
        required=data.get("required", False), choices=data.get("choices") or [],
        label=data.get("label")), where=where)


def type_to_dict(t: RequestType) -> dict:
    """The JSON type object."""
    return {
        "key": t.key, "team": t.team, "name": t.name, "title": t.title,
        "description": t.description, "priority": t.priority,
        "fields": [f.to_dict() for f in t.fields], "active": t.active,
        "created_at": t.created_at, "updated_at": t.updated_at,
    }


def type_to_toml(t: RequestType) -> dict:
    """One ``[[types]]`` table: TOML has no null, so absent values are left out."""
    out: dict = {"key": t.key, "title": t.title}
    if t.description:
        out["description"] = t.description
    if t.priority:
        out["priority"] = t.priority
    fields = []
    for f in t.fields:
        item: dict = {"name": f.name, "kind": f.kind, "required": f.required}
        if f.kind == "choice":
            item["choices"] = list(f.choices)
        if f.label:
            item["label"] = f.label
        fields.append(item)
    out["fields"] = fields
    return out


# -- validating values ------------------------------------------------------------------

class _Bad(Exception):
    """A value that does not fit its field: the problem in words."""


_PLAIN = re.compile(r"(?P<sign>[+-]?)(?P<int>\d*)(?:\.(?P<frac>\d*))?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def _decimal_parts(text: str) -> tuple[str, str, str] | None:
    """(sign, integer digits, fraction digits) of a plain decimal, commas as thousands."""
    text = text.strip()
    if "," in text:
        if not _THOUSANDS.fullmatch(text):
            return None
        text = text.replace(",", "")
    match = _PLAIN.fullmatch(text)
    if not match or not (match["int"] or match["frac"]):
        return None
    integer = match["int"].lstrip("0") or "0"
    frac = match["frac"] or ""
    if len(integer) + len(frac) > MAX_DIGITS:
        return None
    return match["sign"], integer, frac


def normalise_number(text: str) -> str:
    parts = _decimal_parts(text)
    if parts is None:
        raise _Bad("is not a number (e.g. 12 or 3.5)")
    sign, integer, frac = parts
    frac = frac.rstrip("0")
    out = integer + (f".{frac}" if frac else "")
    return "0" if out == "0" else ("-" if sign == "-" else "") + out


_MONEY_AFTER = re.compile(r"(?P<amount>[0-9.,+-]+)\s*(?P<cur>[A-Za-z]{3})")
_MONEY_BEFORE = re.compile(r"(?P<cur>[A-Za-z]{3})\s*(?P<amount>[0-9.,+-]+)")


def normalise_money(text: str) -> str:
    value = text.strip()
    match = _MONEY_AFTER.fullmatch(value) or _MONEY_BEFORE.fullmatch(value)
    parts = _decimal_parts(match["amount"]) if match else None
    if parts is None:
        raise _Bad('is not money (e.g. "1200 EUR")')
    sign, integer, frac = parts
    if sign == "-":
        raise _Bad('is not money: the amount must not be negative (e.g. "1200 EUR")')
    if len(frac.rstrip("0")) > 2:
        raise _Bad('is not money: at most 2 decimals (e.g. "1200.50 EUR")')
    cents = (frac + "00")[:2]
    return f"{integer}.{cents} {match['cur'].upper()}"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def normalise_date(text: str) -> str:
    value = text.strip()
    if not _ISO_DATE.fullmatch(value):
        raise _Bad("is not a date (use YYYY-MM-DD, e.g. 2026-12-01)")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise _Bad("is not a real date (use YYYY-MM-DD, e.g. 2026-12-01)") from None


_BOOLS = {"yes": "true", "true": "true", "1": "true", "no": "false", "false": "false", "0": "false"}


def normalise_value(f: FieldDef, text: str, people: set[str] | None = None) -> str:
    """One non-empty value for field ``f``, normalised; raises InvalidInput saying why not."""
    try:
        return _normalise(f, text, people)
    except _Bad as exc:
        raise InvalidInput(f"{f.name} {_quote(text)} {exc}") from None


def _normalise(f: FieldDef, text: str, people: set[str] | None) -> str:
    value = text.strip()
    if f.kind == "text":
        if len(value) > MAX_TEXT:
            raise _Bad(f"is too long (at most {MAX_TEXT} characters)")
        return value
    if f.kind == "number":
        return normalise_number(value)
    if f.kind == "money":
        return normalise_money(value)
    if f.kind == "date":
        return normalise_date(value)
    if f.kind == "choice":
        for choice in f.choices:
            if choice.lower() == value.lower():
                return choice
        raise _Bad(f"is not one of {', '.join(f.choices)}")
    if f.kind == "person":
        handle = value.lstrip("@").lower()
        if not _HANDLE.fullmatch(handle) or (people is not None and handle not in people):
            raise _Bad("is not a person on the desk (see `isvc person list`)")
        return handle
    if f.kind == "bool":
        try:
            return _BOOLS[value.lower()]
        except KeyError:
            raise _Bad("is not yes or no (yes/no, true/false, 1/0)") from None
    raise _Bad(f"has an unknown kind {f.kind}")  # pragma: no cover (check_field refuses it)


def _quote(text: str) -> str:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return '"' + shown.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def validate(type_def: RequestType, given: dict[str, str], people: set[str] | None) -> dict[str, str]:
    """The values ``given`` for a request of ``type_def``, normalised, in declared order
    (empty optional ones left out); or one InvalidInput listing every problem and the fix.

    ``people``: the desk's handles, for person fields (None: only the handle's shape).
    """
    by_name = {f.name: f for f in type_def.fields}
    values: dict[str, str] = {}
    for key, value in given.items():
        values[key.strip().lower()] = "" if value is None else str(value)
    problems: list[str] = []
    missing = False
    out: dict[str, str] = {}
    for f in type_def.fields:
        text = values.get(f.name, "")
        if not text.strip():
            if f.required:
                problems.append(f"{f.name} ({f.kind_text}, required) missing")
                missing = True
            continue
        try:
            out[f.name] = _normalise(f, text, people)
        except _Bad as exc:
            problems.append(f"{f.name} {_quote(text)} {exc}")
    unknown = [k for k in values if k not in by_name]
    if unknown:
        names = ", ".join(f.name for f in type_def.fields) or "none"
        listed = ", ".join(_quote(k) for k in unknown)
        word = "field" if len(unknown) == 1 else "fields"
        problems.append(f"unknown {word} {listed} (fields: {names})")
    if problems:
        fix = "add them" if missing else "correct them"
        raise InvalidInput(f"type {type_def.key} needs: " + "; ".join(problems)
                           + f"; {fix} with --field name=value")
    return out
