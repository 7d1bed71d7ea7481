"""`isvc request edit` with --type, --team or --field checks the (new) team's catalog the way
`request new --type` does: one refusal listing every problem and nothing written, values
normalised; a team without a catalog keeps free-form types and fields."""

from __future__ import annotations

from testkit import expect_error

from .conftest import PO


def filed(cat) -> dict:
    """#1: a purchase order filed by mihai, and a second purchasing type, chairs."""
    cat("--as", "mihai", "request", "new", "Chairs", "--team", "purchasing", "--type", PO,
        "--field", "cost_centre=CC-12", "--field", "amount=1200 EUR")
    cat("--as", "pia", "type", "add", "purchasing/chairs", "--title", "Chairs",
        "--field", "seats:number:required", "--field", "colour:choice(red|blue)")
    return cat.json("request", "show", 1)


def edit(cat, *args, who="pia", **kw):
    return cat("--as", who, "request", "edit", "1", *args, **kw)


def refused(cat, db, args, code, message, who="pia") -> None:
    before, row = db.counts(), db.query("SELECT * FROM requests")
    expect_error(edit(cat, *args, who=who, code=None), code, message)
    assert db.counts() == before
    assert db.query("SELECT * FROM requests") == row


def test_bad_money_is_refused_and_nothing_changes(cat, db):
    filed(cat)
    refused(cat, db, ["--field", "amount=12 bananas", "--title", "Desks"], 2,
            f'type {PO} needs: amount "12 bananas" is not money (e.g. "1200 EUR"); '
            "correct them with --field name=value")
    assert cat.json("request", "show", 1)["fields"]["amount"] == "1200.00 EUR"


def test_a_choice_outside_the_values_is_refused_with_every_problem(cat, db):
    filed(cat)
    refused(cat, db, ["--field", "urgency=asap", "--field", "needed_by=2026-02-30",
                      "--field", "cost_centre="], 2,
            f"type {PO} needs: cost_centre (text, required) missing; "
            'needed_by "2026-02-30" is not a real date (use YYYY-MM-DD, e.g. 2026-12-01); '
            'urgency "asap" is not one of low, normal, high; add them with --field name=value')


def test_switching_to_a_type_with_missing_required_fields_lists_them(cat, db):
    filed(cat)
    refused(cat, db, ["--type", "purchasing/chairs"], 2,
            "type purchasing/chairs needs: seats (number, required) missing; "
            'unknown fields "amount", "cost_centre" (fields: seats, colour); '
            "add them with --field name=value")
    req = cat.json("--as", "pia", "request", "edit", "1", "--type", "chairs", "--field", "seats=4",
                   "--field", "cost_centre=", "--field", "amount=", "--field", "colour=RED")
    assert (req["type"], req["fields"]) == ("purchasing/chairs", {"seats": "4", "colour": "red"})


def test_a_type_of_another_team_is_refused_naming_its_team(cat, db):
    cat("--as", "jim", "type", "add", "it/laptop", "--title", "Laptop")
    filed(cat)
    refused(cat, db, ["--type", "it/laptop"], 2,
            "type it/laptop belongs to team it, not purchasing; file it with --team it")


def test_an_unknown_type_and_a_short_name_list_the_teams_keys(cat, db):
    filed(cat)
    keys = "purchasing/chairs, purchasing/purchase-order"
    refused(cat, db, ["--type", "purchasing/purchase-ordr"], 3,
            "team purchasing has no request type 'purchasing/purchase-ordr' (did you mean "
            f"'purchasing/purchase-order'?); its types: {keys}")
    refused(cat, db, ["--type", "laptop"], 3,
            f"team purchasing has no request type 'purchasing/laptop'; its types: {keys}")


def test_moving_a_typed_request_to_a_team_without_that_type_needs_a_type(cat, db):
    cat("--as", "jim", "type", "add", "it/laptop", "--title", "Laptop", "--field", "model:text")
    filed(cat)
    refused(cat, db, ["--team", "it"], 2,
            f"#1 is of type {PO}, which team it does not have; give --type too")
    req = cat.json("--as", "pia", "request", "edit", "1", "--team", "it", "--type", "laptop",
                   "--field", "cost_centre=", "--field", "amount=", "--field", "model=T14")
    assert (req["team"], req["type"], req["fields"]) == ("it", "it/laptop", {"model": "T14"})


def test_a_valid_edit_is_normalised_and_journaled(cat):
    filed(cat)
    req = cat.json("--as", "pia", "request", "edit", "1", "--field", "Amount=3,540 eur",
                   "--field", "urgency=HIGH")
    assert req["fields"] == {"cost_centre": "CC-12", "amount": "3540.00 EUR", "urgency": "high"}
    events = [e for e in cat.json("request", "show", 1)["events"] if e["kind"] == "edit"]
    assert [(e["field"], e["from"], e["to"]) for e in events] == [
        ("fields.amount", "1200.00 EUR", "3540.00 EUR"), ("fields.urgency", None, "high")]


def test_clearing_the_type_keeps_the_fields(cat):
    filed(cat)
    req = cat.json("--as", "pia", "request", "edit", "1", "--type", "")
    assert (req["type"], req["fields"]) == (None, {"cost_centre": "CC-12", "amount": "1200.00 EUR"})
    req = cat.json("--as", "pia", "request", "edit", "1", "--field", "colour=green")
    assert req["fields"]["colour"] == "green"  # untyped: free-form


def test_a_team_without_a_catalog_keeps_free_form_edits(cat):
    cat("--as", "mihai", "request", "new", "VPN", "--team", "it", "--type", "vpn",
        "--field", "asset=7731")
    req = cat.json("--as", "jim", "request", "edit", "1", "--type", "laptop",
                   "--field", "amount=12 bananas", "--field", "asset=")
    assert (req["type"], req["fields"]) == ("laptop", {"amount": "12 bananas"})
    filed_po = cat.json("--as", "mihai", "request", "new", "Chairs", "--team", "purchasing",
                        "--type", PO, "--field", "cost_centre=CC", "--field", "amount=5 EUR")
    req = cat.json("--as", "pia", "request", "edit", filed_po["number"], "--team", "sales")
    assert (req["team"], req["type"]) == ("sales", PO)  # sales keeps no catalog
