"""`isvc request new --type`: a catalog type's fields validated and normalised before anything
is written, its default priority, the refusals, and the prompt on a terminal."""

from __future__ import annotations

import pytest

from isvc.cli import _common
from testkit import expect_error

from .conftest import PO

REFUSAL = ('type purchasing/purchase-order needs: cost_centre (text, required) missing; '
           'amount (money, required) missing; add them with --field name=value')


def new(isvc, *args, who="mihai", **kw):
    return isvc("--as", who, "request", "new", "Chairs", "--team", "purchasing", *args, **kw)


def test_a_typed_request_is_filed_with_normalised_fields_and_the_types_priority(cat):
    data = new(cat, "--type", PO, "--field", "cost_centre= CC-12 ", "--field", "amount=EUR 1,200",
               "--field", "Needed_By=2026-12-01", "--field", "urgency=HIGH", "--json").stdout
    import json

    req = json.loads(data)
    assert req["type"] == PO
    assert req["fields"] == {"cost_centre": "CC-12", "amount": "1200.00 EUR",
                             "needed_by": "2026-12-01", "urgency": "high"}
    assert req["priority"] == "high"  # the type's default


def test_a_bare_type_name_means_the_teams_type_and_priority_wins_when_given(cat):
    result = new(cat, "--type", "purchase-order", "--priority", "low", "--field", "cost_centre=CC",
                 "--field", "amount=5 eur")
    assert result.stdout == "1\n"
    data = cat.json("request", "show", 1)
    assert (data["type"], data["priority"]) == (PO, "low")


def test_off_a_terminal_missing_fields_are_one_refusal_and_nothing_is_written(cat, db):
    before = db.counts()
    expect_error(new(cat, "--type", PO, code=None), 2, REFUSAL)
    assert db.counts() == before


def test_every_problem_in_one_message(cat, db):
    result = new(cat, "--type", PO, "--field", "amount=12 bananas", "--field", "colour=red",
                 "--field", "needed_by=2026-02-30", "--field", "urgency=asap", code=None)
    expect_error(result, 2,
                 'type purchasing/purchase-order needs: cost_centre (text, required) missing; '
                 'amount "12 bananas" is not money (e.g. "1200 EUR"); '
                 'needed_by "2026-02-30" is not a real date (use YYYY-MM-DD, e.g. 2026-12-01); '
                 'urgency "asap" is not one of low, normal, high; '
                 'unknown field "colour" (fields: cost_centre, amount, supplier, needed_by, urgency); '
                 'add them with --field name=value')
    assert db.count("requests") == 0


def test_a_type_of_another_team_is_refused_naming_its_team(cat, db):
    result = cat("--as", "mihai", "request", "new", "Chairs", "--team", "it", "--type", PO,
                 "--field", "cost_centre=CC", "--field", "amount=5 EUR", code=None)
    expect_error(result, 2, f"type {PO} belongs to team purchasing, not it; file it with --team purchasing")
    assert db.count("requests") == 0


def test_an_unknown_type_lists_the_teams_types(cat, db):
    cat("--as", "pia", "type", "add", "purchasing/chairs", "--title", "Chairs")
    expect_error(new(cat, "--type", "purchasing/purchase-ordr", code=None), 3,
                 "team purchasing has no request type 'purchasing/purchase-ordr' (did you mean "
                 "'purchasing/purchase-order'?); its types: purchasing/chairs, purchasing/purchase-order")
    expect_error(new(cat, "--type", "desks", code=None), 3,
                 "team purchasing has no request type 'purchasing/desks'; its types: "
                 "purchasing/chairs, purchasing/purchase-order")
    expect_error(new(cat, "--type", "no such", code=None), 2,
                 "type key 'no such' must look like team/name, e.g. purchasing/purchase-order "
                 "(name: lower-case letters, digits and '-', starting with a letter)")
    assert db.count("requests") == 0


def test_a_retired_type_takes_no_new_requests(cat, db):
    cat("--as", "pia", "type", "retire", PO)
    expect_error(new(cat, "--type", PO, "--field", "cost_centre=CC", "--field", "amount=5 EUR", code=None),
                 2, f"type {PO} is retired; team purchasing's types: none active")
    assert db.count("requests") == 0


def test_person_fields_must_name_someone_on_the_desk(cat):
    cat("--as", "pia", "type", "add", "purchasing/approval", "--title", "Approval",
        "--field", "approver:person:required")
    expect_error(new(cat, "--type", "purchasing/approval", "--field", "approver=zed", code=None), 2,
                 'type purchasing/approval needs: approver "zed" is not a person on the desk '
                 "(see `isvc person list`); correct them with --field name=value")
    new(cat, "--type", "purchasing/approval", "--field", "approver=@Ana")
    assert cat.json("request", "show", 1)["fields"] == {"approver": "ana"}


def test_without_type_or_for_a_team_without_catalog_fields_stay_free_form(cat):
    new(cat, "--field", "colour=red")
    cat("--as", "mihai", "request", "new", "VPN", "--team", "it", "--type", "it/network",
        "--field", "asset=7731", "--field", "site = Cluj")
    assert cat.json("request", "show", 1)["fields"] == {"colour": "red"}
    data = cat.json("request", "show", 2)
    assert (data["type"], data["fields"]) == ("it/network", {"asset": "7731", "site": "Cluj"})


def test_request_show_labels_a_typed_requests_fields(cat):
    new(cat, "--type", PO, "--field", "amount=1200 EUR", "--field", "cost_centre=CC-12",
        "--field", "needed_by=2026-12-01")
    out = cat("request", "show", 1, env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "160", "NO_COLOR": "1"}).stdout
    assert "Cost centre: CC-12 · Amount: 1200.00 EUR · Needed by: 2026-12-01" in out


# -- the prompt ---------------------------------------------------------------------------------

@pytest.fixture
def terminal(monkeypatch):
    """Both ends a terminal, as `can_ask()` sees it."""
    monkeypatch.setattr(_common, "can_ask", lambda: True)


def test_on_a_terminal_the_required_fields_are_asked_for_one_by_one(cat, terminal, db):
    result = new(cat, "--type", PO, input="CC-12\n12 bananas\n1,200 eur\n")
    assert result.stdout.splitlines()[-1] == "1"  # (CliRunner echoes the typed input on stdout)
    assert "Purchase order (purchasing/purchase-order) needs 2 field(s):" in result.stderr
    assert "Cost centre (text):" in result.stderr and "Amount (money):" in result.stderr
    assert 'amount "12 bananas" is not money (e.g. "1200 EUR"); try again' in result.stderr
    assert result.stderr.count("Amount (money):") == 2  # asked again
    assert cat.json("request", "show", 1)["fields"] == {"cost_centre": "CC-12", "amount": "1200.00 EUR"}


def test_the_prompt_shows_a_choices_values(cat, terminal):
    cat("--as", "pia", "type", "add", "purchasing/chairs", "--title", "Chairs",
        "--field", "colour:choice(Red|Blue):required:label=Colour")
    result = new(cat, "--type", "purchasing/chairs", input="green\nBLUE\n")
    assert "Colour (choice Red|Blue):" in result.stderr
    assert 'colour "green" is not one of Red, Blue; try again' in result.stderr
    assert cat.json("request", "show", 1)["fields"] == {"colour": "Blue"}


def test_no_prompt_when_any_field_is_given(cat, terminal, db):
    result = new(cat, "--type", PO, "--field", "supplier=IKEA", input="CC\n5 EUR\n", code=None)
    expect_error(result, 2, 'type purchasing/purchase-order needs: cost_centre (text, required) missing; '
                            'amount (money, required) missing; add them with --field name=value')
    assert db.count("requests") == 0


def test_no_prompt_for_a_free_form_or_unknown_type(cat, terminal):
    assert cat("--as", "mihai", "request", "new", "VPN", "--team", "it", "--type", "it/network",
               input="").stdout == "1\n"  # nothing asked
    expect_error(new(cat, "--type", "purchasing/nope", input="", code=None), 3,
                 "team purchasing has no request type 'purchasing/nope'; its types: purchasing/purchase-order")


def test_without_a_terminal_there_is_no_prompt_even_with_input_waiting(cat, db):
    result = new(cat, "--type", PO, input="CC-12\n1200 EUR\n", code=None)
    expect_error(result, 2, REFUSAL)
    assert db.count("requests") == 0
