"""The catalog's pure code: field specs, every field kind's validation and normalisation, and
the one-message refusal (isvc.domain.catalog). Property tests for money, number and date."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isvc.domain import catalog as dom
from isvc.domain.catalog import FieldDef, RequestType
from isvc.errors import InvalidInput

PEOPLE = {"ana", "jim"}


def po() -> RequestType:
    return RequestType(
        key="purchasing/purchase-order", team="purchasing", name="purchase-order",
        title="Purchase order",
        fields=[dom.parse_field_spec(s) for s in (
            "cost_centre:text:required", "amount:money:required", "supplier:text",
            "needed_by:date")])


def one(kind: str, text: str, **kw) -> str:
    spec = {"choice": "f:choice(Low|Normal|High)"}.get(kind, f"f:{kind}")
    t = RequestType(key="t/x", team="t", name="x", title="X", fields=[dom.parse_field_spec(spec)])
    return dom.validate(t, {"f": text}, kw.get("people", PEOPLE))["f"]


# -- field specs ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec, expected", [
    ("amount:money:required", FieldDef("amount", "money", True)),
    ("supplier:text", FieldDef("supplier", "text", False)),
    ("urgency:choice(low|normal|high)", FieldDef("urgency", "choice", False, ["low", "normal", "high"])),
    ("urgency:choice( low | high ):required", FieldDef("urgency", "choice", True, ["low", "high"])),
    ("cost_centre:text:required:label=Cost centre", FieldDef("cost_centre", "text", True, [], "Cost centre")),
    ("note:text:label=Note: free", FieldDef("note", "text", False, [], "Note: free")),
    ("ok:bool:optional", FieldDef("ok", "bool", False)),
    ("who:PERSON", FieldDef("who", "person", False)),
])
def test_field_specs_parse(spec, expected):
    assert dom.parse_field_spec(spec) == expected
    assert dom.parse_field_spec(expected.spec) == expected  # and print back


@pytest.mark.parametrize("spec, why", [
    ("amount", "it must start with name:kind"),
    ("amount:", "it must start with name:kind"),
    ("Amount:money", "field name 'Amount' is not valid"),
    ("amount:cash", "unknown kind 'cash'"),
    ("urgency:choice", "a choice field lists its values"),
    ("urgency:text(a|b)", "only choice fields take values in (...)"),
    ("amount:money:requird", "unexpected 'requird'"),
    ("urgency:choice(a|A)", "choice value 'A' is listed twice"),
    ("urgency:choice(a||b)", "choice value '' is not valid"),
    ("x:text:label=", "label= needs a text"),
])
def test_a_bad_spec_is_refused_showing_the_syntax(spec, why):
    with pytest.raises(InvalidInput) as err:
        dom.parse_field_spec(spec)
    message = str(err.value)
    assert message.startswith(f"field spec {spec!r}: ")
    assert why in message
    assert message.endswith("; use " + dom.SPEC_SYNTAX)
    assert "\n" not in message


def test_spec_syntax_is_shown_for_parse_errors():
    with pytest.raises(InvalidInput, match=re.escape("use name:kind[:required][:label=Label]")):
        dom.parse_field_spec("amount")


@pytest.mark.parametrize("key, parsed", [
    ("purchasing/purchase-order", ("purchasing", "purchase-order")),
    ("  IT/Laptop ", ("it", "laptop")),
    ("+it/laptop", ("it", "laptop")),
])
def test_type_keys(key, parsed):
    assert dom.parse_key(key) == parsed


@pytest.mark.parametrize("key", ["laptop", "it/", "/laptop", "it/lap top", "it/lap_top", "it/1st", "a/b/c"])
def test_bad_type_keys(key):
    with pytest.raises(InvalidInput, match="must look like team/name"):
        dom.parse_key(key)


def test_a_bare_name_belongs_to_the_default_team():
    assert dom.parse_key("laptop", default_team="it") == ("it", "laptop")


# -- each kind ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind, text, value", [
    ("text", "  CC-12  ", "CC-12"),
    ("number", "12", "12"),
    ("number", "+007", "7"),
    ("number", "-3.50", "-3.5"),
    ("number", "1,234,567.25", "1234567.25"),
    ("number", ".5", "0.5"),
    ("number", "-0.0", "0"),
    ("money", "1200 EUR", "1200.00 EUR"),
    ("money", "EUR 1200", "1200.00 EUR"),
    ("money", "1,200.5 eur", "1200.50 EUR"),
    ("money", "usd1200.99", "1200.99 USD"),
    ("money", "0 RON", "0.00 RON"),
    ("date", "2026-12-01", "2026-12-01"),
    ("date", " 2028-02-29 ", "2028-02-29"),
    ("choice", "HIGH", "High"),
    ("choice", " normal ", "Normal"),
    ("person", "@ana", "ana"),
    ("person", "Jim", "jim"),
    ("bool", "Yes", "true"),
    ("bool", "1", "true"),
    ("bool", "FALSE", "false"),
    ("bool", "no", "false"),
    ("bool", "0", "false"),
])
def test_each_kind_normalises(kind, text, value):
    assert one(kind, text) == value
    assert one(kind, value) == value  # a normalised value validates to itself


@pytest.mark.parametrize("kind, text, why", [
    ("number", "twelve", "is not a number (e.g. 12 or 3.5)"),
    ("number", "1e3", "is not a number"),
    ("number", "nan", "is not a number"),
    ("number", "1,23", "is not a number"),
    ("number", "12,5", "is not a number"),
    ("money", "12 bananas", 'is not money (e.g. "1200 EUR")'),
    ("money", "1200", 'is not money (e.g. "1200 EUR")'),
    ("money", "-5 EUR", "must not be negative"),
    ("money", "1.005 EUR", "at most 2 decimals"),
    ("money", "1200,50 EUR", "is not money"),
    ("date", "01/12/2026", "is not a date (use YYYY-MM-DD, e.g. 2026-12-01)"),
    ("date", "2026-02-30", "is not a real date"),
    ("date", "2026-13-01", "is not a real date"),
    ("date", "20261201", "is not a date"),
    ("choice", "asap", "is not one of Low, Normal, High"),
    ("person", "zed", "is not a person on the desk"),
    ("person", "not a handle", "is not a person on the desk"),
    ("bool", "maybe", "is not yes or no"),
])
def test_each_kind_refuses_what_it_cannot_read(kind, text, why):
    with pytest.raises(InvalidInput) as err:
        one(kind, text)
    assert why in str(err.value)


def test_person_without_a_people_list_checks_the_handle_only():
    assert one("person", "@zed", people=None) == "zed"
    with pytest.raises(InvalidInput):
        one("person", "Zed Z", people=None)


def test_text_has_a_length_limit():
    with pytest.raises(InvalidInput, match="is too long"):
        one("text", "x" * (dom.MAX_TEXT + 1))


# -- the whole form -----------------------------------------------------------------------

def test_valid_fields_are_normalised_in_declared_order_and_empty_optional_ones_dropped():
    out = dom.validate(po(), {"amount": "EUR 1,200", "Cost_Centre": " CC-12 ", "supplier": ""}, PEOPLE)
    assert out == {"cost_centre": "CC-12", "amount": "1200.00 EUR"}
    assert list(out) == ["cost_centre", "amount"]


def test_one_message_lists_every_problem_and_the_fix():
    with pytest.raises(InvalidInput) as err:
        dom.validate(po(), {"amount": "12 bananas", "colour": "red", "needed_by": "2026-02-30"}, PEOPLE)
    assert str(err.value) == (
        'type purchasing/purchase-order needs: cost_centre (text, required) missing; '
        'amount "12 bananas" is not money (e.g. "1200 EUR"); '
        'needed_by "2026-02-30" is not a real date (use YYYY-MM-DD, e.g. 2026-12-01); '
        'unknown field "colour" (fields: cost_centre, amount, supplier, needed_by); '
        'add them with --field name=value')


def test_missing_fields_show_their_kind_and_choices():
    t = RequestType(key="t/x", team="t", name="x", title="X",
                    fields=[dom.parse_field_spec("urgency:choice(low|high):required")])
    with pytest.raises(InvalidInput) as err:
        dom.validate(t, {"urgency": "  "}, None)
    assert str(err.value) == ("type t/x needs: urgency (choice low|high, required) missing; "
                              "add them with --field name=value")


def test_only_bad_values_say_correct_them():
    with pytest.raises(InvalidInput) as err:
        dom.validate(po(), {"cost_centre": "C", "amount": "lots", "size": "L", "colour": "red"}, PEOPLE)
    assert str(err.value) == (
        'type purchasing/purchase-order needs: amount "lots" is not money (e.g. "1200 EUR"); '
        'unknown fields "size", "colour" (fields: cost_centre, amount, supplier, needed_by); '
        'correct them with --field name=value')


def test_a_type_without_fields_refuses_any_field():
    t = RequestType(key="t/x", team="t", name="x", title="X")
    assert dom.validate(t, {}, None) == {}
    with pytest.raises(InvalidInput, match=r'unknown field "a" \(fields: none\)'):
        dom.validate(t, {"a": "1"}, None)


def test_long_or_odd_values_are_quoted_safely_on_one_line():
    with pytest.raises(InvalidInput) as err:
        dom.validate(po(), {"cost_centre": "x", "amount": 'a "b"\n' + "c" * 80}, None)
    message = str(err.value)
    assert "\n" not in message and '"a \\"b\\"\\nccc' in message and '..."' in message


# -- property tests --------------------------------------------------------------------------

MONEY = FieldDef("amount", "money", True)
NUMBER = FieldDef("n", "number", True)
DATE = FieldDef("d", "date", True)


def norm(f: FieldDef, text: str) -> str:
    return dom.normalise_value(f, text, PEOPLE)


def _with_commas(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return ",".join([digits, *groups])


@given(st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), allow_nan=False,
                   allow_infinity=False, places=6),
       st.booleans())
def test_numbers_normalise_to_the_same_value_and_are_stable(value, commas):
    text = format(value, "f")
    if commas:
        sign = "-" if text.startswith("-") else ""
        whole, _, frac = text.lstrip("-").partition(".")
        text = sign + _with_commas(whole) + (f".{frac}" if frac else "")
    out = norm(NUMBER, text)
    assert Decimal(out) == value
    assert norm(NUMBER, out) == out
    assert re.fullmatch(r"-?(0|[1-9]\d*)(\.\d*[1-9])?", out)


@given(st.decimals(min_value=0, max_value=Decimal("1e12"), places=2),
       st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
       st.sampled_from(["{a} {c}", "{c} {a}", "{a}{c}", "{c}{a}", "  {a}  {c} "]),
       st.booleans())
def test_money_normalises_to_the_same_amount_and_is_stable(amount, currency, layout, commas):
    digits = format(amount, "f")
    if commas:
        whole, _, frac = digits.partition(".")
        digits = _with_commas(whole) + (f".{frac}" if frac else "")
    out = norm(MONEY, layout.format(a=digits, c=currency))
    assert re.fullmatch(r"(0|[1-9]\d*)\.\d\d [A-Z]{3}", out)
    number, cur = out.split(" ")
    assert Decimal(number) == amount and cur == currency.upper()
    assert norm(MONEY, out) == out


@given(st.dates())
def test_iso_dates_are_kept_and_stable(day):
    out = norm(DATE, day.isoformat())
    assert out == day.isoformat() and date.fromisoformat(out) == day
    assert norm(DATE, out) == out


GARBAGE = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789.,-+ eEUR$€", max_size=30),
    st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True),
    st.from_regex(r"[+-]?[\d,]{0,20}(\.\d{0,5})? ?[A-Za-z]{0,4}", fullmatch=True),
)


@settings(max_examples=300)
@given(st.sampled_from([FieldDef("f", k, True, ["a", "B"] if k == "choice" else [])
                        for k in dom.KINDS]), GARBAGE)
def test_garbage_never_raises_anything_but_invalid_input(f, text):
    try:
        out = norm(f, text)
    except InvalidInput as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(out, str)
    assert norm(f, out) == out  # whatever is accepted is stable


@settings(max_examples=200)
@given(st.dictionaries(st.text(max_size=12), st.text(max_size=30), max_size=6))
def test_a_whole_form_of_garbage_is_one_invalid_input_or_clean_values(given_fields):
    try:
        out = dom.validate(po(), given_fields, PEOPLE)
    except InvalidInput as exc:
        assert str(exc).startswith("type purchasing/purchase-order needs: ")
        return
    assert set(out) <= {"cost_centre", "amount", "supplier", "needed_by"}
    assert dom.validate(po(), out, PEOPLE) == out
