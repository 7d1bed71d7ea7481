"""`isvc type add|list|show|edit|retire|import|export`: the catalog through the CLI, who may
change it, the audit trail, and the TOML round trip."""

from __future__ import annotations

import json

import pytest

from testkit import expect_error

from .conftest import PO, PO_FIELDS

ANA_ONLY = "only members of team purchasing or an admin may {what}; you are {who}"


def types(isvc, *args) -> list[dict]:
    return isvc.json("type", "list", *args)


# -- add -------------------------------------------------------------------------------------

def test_add_prints_the_type_object(cat):
    data = cat.json("--as", "pia", "type", "add", "purchasing/laptop", "--title", "  New   laptop ",
                    "--field", "model:choice(13in|15in):required", "--field", "approver:person",
                    "--description", "A laptop for a new hire", "--priority", "LOW")
    assert data == {
        "key": "purchasing/laptop", "team": "purchasing", "name": "laptop", "title": "New laptop",
        "description": "A laptop for a new hire", "priority": "low",
        "fields": [
            {"name": "model", "kind": "choice", "required": True, "choices": ["13in", "15in"], "label": None},
            {"name": "approver", "kind": "person", "required": False, "choices": [], "label": None},
        ],
        "active": True, "created_at": "2026-11-23T09:30:00Z", "updated_at": "2026-11-23T09:30:00Z",
    }


def test_add_says_what_it_did_and_is_audited(cat, db):
    result = cat("--as", "pia", "type", "add", "purchasing/travel", "--title", "Travel")
    assert result.stderr == "Added type purchasing/travel (Travel) with 0 field(s).\n"
    assert result.stdout == ""
    row = db.query("SELECT actor, action, subject, detail FROM audit_log WHERE action LIKE 'type.%' "
                   "ORDER BY id DESC LIMIT 1")[0]
    assert row[:3] == ("pia", "type.add", "purchasing/travel")
    assert json.loads(row[3]) == {"title": "Travel", "priority": None, "fields": []}


def test_the_fixture_type(cat):
    (po,) = types(cat)
    assert po["key"] == PO and po["priority"] == "high"
    assert [f["name"] for f in po["fields"]] == ["cost_centre", "amount", "supplier", "needed_by", "urgency"]
    assert po["fields"][0]["label"] == "Cost centre"


@pytest.mark.parametrize("args, code, message", [
    (["purchasing/po"], 2, None),  # --title missing: a usage error
    (["nope/po", "--title", "X"], 3, "no team 'nope'; see `isvc team list`"),
    (["purchasing", "--title", "X"], 2, "type key 'purchasing' must look like team/name, e.g. "
     "purchasing/purchase-order (name: lower-case letters, digits and '-', starting with a letter)"),
    (["purchasing/po", "--title", " "], 2, 'type purchasing/po needs a title, e.g. --title "Purchase order"'),
    (["purchasing/po", "--title", "X", "--priority", "asap"], 2,
     "unknown priority 'asap'; use one of: low, normal, high, urgent"),
    ([PO, "--title", "X"], 2, f"{PO} is already a type; change it with `isvc type edit {PO}`"),
    (["purchasing/po", "--title", "X", "--field", "a:text", "--field", "a:number"], 2,
     "type purchasing/po: field 'a' is declared twice"),
])
def test_add_refusals(cat, db, args, code, message):
    before = db.count("request_types")
    result = cat("--as", "pia", "type", "add", *args, code=None)
    if message is None:
        assert result.exit_code == code
    else:
        expect_error(result, code, message)
    assert db.count("request_types") == before


def test_a_bad_field_spec_shows_the_syntax(cat):
    result = cat("--as", "pia", "type", "add", "purchasing/po", "--title", "X", "--field", "amount=money", code=None)
    expect_error(result, 2, "field spec 'amount=money': it must start with name:kind; use "
                 "name:kind[:required][:label=Label], kind one of text, number, money, date, "
                 'choice(a|b|c), person, bool; e.g. "amount:money:required" or '
                 '"urgency:choice(low|normal|high)"')


# -- permissions -------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["mihai", "ana", "jim"])
def test_only_team_members_and_admins_manage_a_teams_types(cat, db, who):
    before = db.counts() | {"request_types": db.count("request_types")}
    expect_error(cat("--as", who, "type", "add", "purchasing/x", "--title", "X", code=None), 2,
                 ANA_ONLY.format(what="add request types for team purchasing", who=who))
    expect_error(cat("--as", who, "type", "edit", PO, "--title", "X", code=None), 2,
                 ANA_ONLY.format(what="edit request types of team purchasing", who=who))
    expect_error(cat("--as", who, "type", "retire", PO, code=None), 2,
                 ANA_ONLY.format(what="retire request types of team purchasing", who=who))
    assert db.counts() | {"request_types": db.count("request_types")} == before


def test_an_admin_manages_any_teams_types_and_members_their_own(cat):
    cat("--as", "boss", "type", "add", "purchasing/x", "--title", "X")  # boss: admin, not in purchasing
    cat("--as", "ana", "type", "add", "payroll/payslip", "--title", "Payslip question")
    cat("--as", "boss", "type", "retire", "payroll/payslip")
    assert [t["key"] for t in types(cat)] == [PO, "purchasing/x"]


# -- list / show -------------------------------------------------------------------------------

def test_list_filters_by_team_and_hides_retired_unless_all(cat):
    cat("--as", "ana", "type", "add", "payroll/payslip", "--title", "Payslip question")
    cat("--as", "ana", "type", "add", "payroll/old", "--title", "Old")
    cat("--as", "ana", "type", "retire", "payroll/old")
    assert [t["key"] for t in types(cat)] == ["payroll/payslip", PO]
    assert [t["key"] for t in types(cat, "--team", "payroll")] == ["payroll/payslip"]
    assert [(t["key"], t["active"]) for t in types(cat, "--team", "payroll", "--all")] == [
        ("payroll/old", False), ("payroll/payslip", True)]
    expect_error(cat("type", "list", "--team", "nope", code=None), 3, "no team 'nope'; see `isvc team list`")


def test_list_tsv_has_the_fields_as_specs(cat):
    out = cat("type", "list").stdout
    assert out == "\t".join([PO, "purchasing", "Purchase order", "high", "true",
                             " ".join(PO_FIELDS)]) + "\n"


def test_list_table(cat):
    out = cat("type", "list", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "150", "NO_COLOR": "1"}).stdout
    assert "cost_centre*, amount*, supplier, needed_by, urgency" in out


def test_show(cat):
    data = cat.json("type", "show", "Purchasing/Purchase-Order")
    assert data["key"] == PO and data["active"] is True
    out = cat("type", "show", PO, env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "120", "NO_COLOR": "1"}).stdout
    for text in ("purchasing/purchase-order", "Purchase order", "Cost centre", "Needed by",
                 "choice low|normal|high"):
        assert text in out


def test_show_unknown_suggests(cat):
    expect_error(cat("type", "show", "purchasing/purchase-ordr", code=None), 3,
                 "no request type 'purchasing/purchase-ordr' (did you mean "
                 "'purchasing/purchase-order'?); see `isvc type list`")


# -- edit / retire -------------------------------------------------------------------------------

def test_edit_adds_replaces_and_removes_fields(cat, db):
    data = cat.json("--as", "pia", "type", "edit", PO, "--field", "supplier:text:required",
                    "--field", "vat:bool", "--remove-field", "urgency", "--priority", "default",
                    "--description", "Buying things", "--title", "PO",
                    env={"ISVC_NOW": "2026-11-24T08:00:00Z"})
    assert [(f["name"], f["kind"], f["required"]) for f in data["fields"]] == [
        ("cost_centre", "text", True), ("amount", "money", True), ("supplier", "text", True),
        ("needed_by", "date", False), ("vat", "bool", False)]
    assert (data["title"], data["priority"], data["description"]) == ("PO", None, "Buying things")
    assert (data["created_at"], data["updated_at"]) == ("2026-11-23T09:30:00Z", "2026-11-24T08:00:00Z")
    assert db.query("SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1") == [("pia", "type.edit")]


@pytest.mark.parametrize("args, message", [
    ([], f"nothing changed on type {PO}; give --title, --description, --priority, --field or --remove-field"),
    (["--title", "Purchase order"], f"nothing changed on type {PO}; give --title, --description, "
     "--priority, --field or --remove-field"),
    (["--remove-field", "colour"], f"type {PO} has no field 'colour' (fields: cost_centre, amount, "
     "supplier, needed_by, urgency)"),
    (["--remove-field", "vat", "--field", "vat:bool"],
     "field 'vat' is both set with --field and removed with --remove-field"),
])
def test_edit_refusals(cat, args, message):
    expect_error(cat("--as", "pia", "type", "edit", PO, *args, code=None), 2, message)


def test_retire(cat, db):
    data = cat.json("--as", "pia", "type", "retire", PO)
    assert data["active"] is False
    assert types(cat) == []
    assert db.query("SELECT action, subject FROM audit_log ORDER BY id DESC LIMIT 1") == [("type.retire", PO)]
    expect_error(cat("--as", "pia", "type", "retire", PO, code=None), 2, f"type {PO} is already retired")


# -- import / export ---------------------------------------------------------------------------

def test_export_is_toml_with_one_table_per_type(cat):
    out = cat("type", "export").stdout
    assert out.startswith("# isvc request types")
    assert '[[types]]\nkey = "purchasing/purchase-order"\ntitle = "Purchase order"\npriority = "high"\n' in out
    assert out.count("[[types.fields]]") == 5
    assert 'label = "Cost centre"' in out


def test_export_then_import_gives_the_same_types(cat, tmp_path, db):
    cat("--as", "ana", "type", "add", "payroll/payslip", "--title", "Payslip question",
        "--description", 'Say "which month"', "--field", "month:date:required", "--field", "net:money")
    before = types(cat, "--all")
    path = tmp_path / "types.toml"
    path.write_text(cat("type", "export").stdout, encoding="utf-8")
    # change both, retire one: the import puts them back as exported
    cat("--as", "boss", "type", "edit", PO, "--remove-field", "supplier", "--title", "Changed")
    cat("--as", "boss", "type", "retire", "payroll/payslip")
    result = cat("--as", "boss", "type", "import", str(path), env={"ISVC_NOW": "2026-11-25T08:00:00Z"})
    assert result.stderr == f"Imported 2 type(s): updated payroll/payslip, {PO}.\n"
    after = types(cat, "--all")
    strip = lambda rows: [{k: v for k, v in t.items() if k != "updated_at"} for t in rows]  # noqa: E731
    assert strip(after) == strip(before)
    assert cat("type", "export").stdout == path.read_text(encoding="utf-8")
    # importing the same again changes nothing
    result = cat("--as", "boss", "type", "import", str(path))
    assert result.stderr == f"Imported 2 type(s): unchanged payroll/payslip, {PO}.\n"


def test_import_into_a_fresh_desk_adds(cat, tmp_path):
    path = tmp_path / "types.toml"
    path.write_text(cat("type", "export").stdout, encoding="utf-8")
    exported = types(cat)
    fresh = tmp_path / "fresh.db"
    cat("--db", fresh, "--as", "boss", "team", "add", "purchasing")
    result = cat("--db", fresh, "--as", "boss", "type", "import", str(path))
    assert result.stderr == f"Imported 1 type(s): added {PO}.\n"
    got = cat.json("--db", fresh, "type", "list")
    strip = lambda rows: [{k: v for k, v in t.items() if k not in ("created_at", "updated_at")} for t in rows]  # noqa: E731
    assert strip(got) == strip(exported)


GOOD = """
[[types]]
key = "purchasing/chairs"
title = "Chairs"

[[types.fields]]
name = "count"
kind = "number"
required = true
"""


@pytest.mark.parametrize("extra, code, message", [
    ('\n[[types]]\nkey = "purchasing/desks"\ntitle = "Desks"\n[[types.fields]]\nname = "size"\nkind = "colour"\n',
     2, "{path}: types[2] (purchasing/desks) field 1: field size: unknown kind 'colour'; use one of: "
        "text, number, money, date, choice, person, bool"),
    ('\n[[types]]\nkey = "purchasing/desks"\ntitle = "Desks"\ncolour = "red"\n',
     2, "{path}: types[2]: unknown key 'colour' (keys: key, title, description, priority, fields)"),
    ('\n[[types]]\nkey = "purchasing/chairs"\ntitle = "Chairs again"\n',
     2, "{path}: type purchasing/chairs is listed twice"),
    ('\n[[types]]\nkey = "nope/desks"\ntitle = "Desks"\n',
     3, "{path}: type nope/desks: no team 'nope'; see `isvc team list`"),
    ('\n[[types]]\nkey = "purchasing/desks"\n',
     2, '{path}: types[2] (purchasing/desks): type purchasing/desks needs a title, e.g. --title "Purchase order"'),
    ('\n[[types]]\nkey = "purchasing/desks"\ntitle = "Desks"\npriority = "asap"\n',
     2, "{path}: types[2] (purchasing/desks): unknown priority 'asap'; use one of: low, normal, high, urgent"),
    ('\n[[types]]\nkey = "purchasing/desks"\ntitle = "Desks"\n[[types.fields]]\nname = "c"\nkind = "choice"\n',
     2, "{path}: types[2] (purchasing/desks) field 1: field c: a choice field needs values, e.g. "
        "choice(low|normal|high)"),
    ('\n[oops]\n', 2, "{path}: unknown table 'oops'; put each type in a [[types]] table"),
    ('\n[[types]]\ntitle = "Desks"\n', 2, '{path}: types[2]: needs key = "team/name"'),
    ("\n[[types]\n", 2, None),  # not TOML
])
def test_import_is_all_or_nothing(cat, tmp_path, db, extra, code, message):
    path = tmp_path / "types.toml"
    path.write_text(GOOD + extra, encoding="utf-8")
    before = (db.count("request_types"), db.count("audit_log"))
    result = cat("--as", "boss", "type", "import", str(path), code=None)
    if message is None:
        assert result.exit_code == code and result.stderr.startswith(f"Error: {path}: not valid TOML")
    else:
        expect_error(result, code, message.format(path=path))
    assert (db.count("request_types"), db.count("audit_log")) == before


def test_import_needs_permission_for_every_team_in_the_file(cat, tmp_path, db):
    path = tmp_path / "types.toml"
    path.write_text(GOOD + '\n[[types]]\nkey = "payroll/payslip"\ntitle = "Payslip"\n', encoding="utf-8")
    expect_error(cat("--as", "ana", "type", "import", str(path), code=None), 2,
                 ANA_ONLY.format(what="import request types for team purchasing", who="ana"))
    assert db.count("request_types") == 1
    expect_error(cat("--as", "pia", "type", "import", str(path), code=None), 2,
                 "only members of team payroll or an admin may import request types for team "
                 "payroll; you are pia")
    assert db.count("request_types") == 1


def test_import_a_missing_file(cat, tmp_path):
    result = cat("--as", "boss", "type", "import", str(tmp_path / "nope.toml"), code=None)
    expect_error(result, 2, f"cannot read type file {tmp_path / 'nope.toml'}: No such file or directory")
