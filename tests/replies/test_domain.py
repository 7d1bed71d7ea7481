"""Canned replies, pure: names, placeholder validation, rendering, values, the built-ins."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isvc.domain import replies as r
from isvc.errors import InvalidInput

KNOWN = ("{requester.first_name}, {requester.name}, {requester.handle}, {request.number}, "
         "{request.title}, {request.priority}, {request.status}, {team.name}, {agent.name}, "
         "{agent.first_name}, {due.first_response}, {due.resolution}, {desk.name}, {message}")


def refused(body: str) -> str:
    with pytest.raises(InvalidInput) as exc:
        r.validate_body(body)
    return str(exc.value)


# -- names -------------------------------------------------------------------------------

def test_names_are_lower_case_words_with_hyphens():
    assert r.check_name(" Need-Info ") == "need-info"
    for bad in ("", "1st", "need info", "need_info", "ack!", "x" * 41):
        with pytest.raises(InvalidInput, match="is not valid; names are lower-case"):
            r.check_name(bad)


def test_descriptions_are_one_line_and_short():
    assert r.clean_description("  What   we\nneed ") == "What we need"
    assert r.clean_description("   ") is None
    with pytest.raises(InvalidInput, match="keep it under 200"):
        r.clean_description("x" * 201)


# -- validation --------------------------------------------------------------------------

def test_every_known_placeholder_is_accepted():
    body = " ".join("{" + name + "}" for name in r.PLACEHOLDERS)
    assert r.validate_body(body) == body
    assert r.known_list() == KNOWN


def test_unknown_placeholders_are_refused_with_the_known_list():
    assert refused("Hi {requester.nickname} and {foo}, {foo}") == (
        f"unknown placeholders {{requester.nickname}}, {{foo}}; known placeholders: {KNOWN} "
        "(write {{ and }} for literal braces)")
    assert refused("Hi {Requester.Name}").startswith("unknown placeholder {Requester.Name}; known")


@pytest.mark.parametrize("body, message", [
    ("Hi {requester.name", "an unclosed { at line 1, column 4; close it with } or write {{ for a literal brace"),
    ("ok\nthen } here", "a lone } at line 2, column 6; write }} for a literal brace"),
    ("a {} b", "an empty placeholder {} at line 1, column 3; known placeholders: " + KNOWN),
    ("a {  } b", "an empty placeholder {  } at line 1, column 3; known placeholders: " + KNOWN),
    ("{request.title\n}", "an unclosed { at line 1, column 1; close it with } or write {{ for a literal brace"),
])
def test_malformed_braces_are_refused_saying_where(body, message):
    assert refused(body) == message


def test_escaped_braces_are_literal():
    body = 'Use {{"vpn": true}} in {{config}} for {request.number}'
    assert r.validate_body(body) == body
    assert r.placeholders_in(body) == ["request.number"]
    assert r.render(body, {"request.number": "7"}) == 'Use {"vpn": true} in {config} for 7'
    # three braces: a literal one around a placeholder, as in Python's str.format
    assert r.render("{{{request.number}}}", {"request.number": "7"}) == "{7}"


def test_spaces_inside_braces_are_forgiven():
    assert r.render("#{ request.number }", {"request.number": "7"}) == "#7"


def test_empty_and_huge_bodies_are_refused():
    assert refused(" \n\n ") == 'a reply needs text: --body "..." or --body-file FILE (- for stdin)'
    assert refused("x" * 10_001) == "the reply is 10001 characters; keep it under 10000"


def test_outer_blank_lines_are_trimmed_inner_layout_kept():
    assert r.validate_body("\n\n  Hello\r\n\n  there  \n\n") == "  Hello\n\n  there"


@given(st.text())
def test_validation_never_raises_anything_but_invalid_input(text):
    try:
        r.validate_body(text)
    except InvalidInput:
        pass


brace_soup = st.lists(st.one_of(
    st.sampled_from(["{", "}", "{{", "}}", "\n", " ", "x", "."]),
    st.sampled_from(["{" + name + "}" for name in r.PLACEHOLDERS] + ["{nope}", "{ a.b }"]),
)).map("".join)


@given(brace_soup)
def test_validation_and_rendering_of_brace_soup(text):
    try:
        r.validate_body(text)
    except InvalidInput:
        pass
    assert isinstance(r.render(text, {}), str)  # rendering never fails


no_braces = st.text(alphabet=st.characters(blacklist_characters="{}"))


@given(no_braces)
def test_rendering_text_without_placeholders_returns_it_unchanged(text):
    assert r.render(text, {"message": "", "request.number": "1"}) == text


@given(st.text())
def test_escaped_text_renders_back_to_itself(text):
    assert r.render(r.escape(text), {"request.title": "x"}) == text


# -- rendering -------------------------------------------------------------------------

def test_missing_values_render_empty_and_unknown_placeholders_stay():
    assert r.render("a{request.title}b {nope} {", {}) == "ab {nope} {"


def test_a_line_of_empty_placeholders_is_dropped_with_its_blank_line():
    body = "Hello,\n\n{message}\n\nBye"
    assert r.render(body, {"message": ""}) == "Hello,\n\nBye"
    assert r.render(body, {"message": "Line one\nLine two"}) == "Hello,\n\nLine one\nLine two\n\nBye"
    assert r.render("{message}\n\nBye", {}) == "Bye"
    assert r.render("Hi\n\n{message}", {}) == "Hi\n"
    # a line with text around an empty value stays
    assert r.render("Note: {message}\nBye", {}) == "Note: \nBye"


def test_compose_puts_m_in_the_message_slot_or_after_the_reply():
    assert r.compose("Hi\n\n{message}\n\nBye", {}, "  Try 5.2.  ") == "Hi\n\nTry 5.2.\n\nBye"
    assert r.compose("Hi\n\nBye", {}, "Try 5.2.") == "Hi\n\nBye\n\nTry 5.2."
    assert r.compose("Hi\n\n{message}\n\nBye", {}, None) == "Hi\n\nBye"


# -- the values of a request ---------------------------------------------------------------

MON = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)


def facts(**kw) -> r.RequestFacts:
    base = dict(number=412, title="VPN drops", priority="high", status="in progress", team="it",
                team_name="IT Service Desk", requester=r.Party("ana", "Ana Maria Pop"),
                agent=r.Party("jim", "Jim Ionescu"))
    return r.RequestFacts(**(base | kw))


def test_values_with_an_agreement():
    values = r.values_for(facts(
        first_response_due=datetime(2026, 11, 23, 10, 30, tzinfo=timezone.utc),
        resolution_due=datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc),
        first_response_target=True, resolution_target=True, calendar_tz="Europe/Bucharest",
        desk_address='"IT Service Desk" <helpdesk@example.com>'))
    assert values == {
        "requester.first_name": "Ana", "requester.name": "Ana Maria Pop",
        "requester.handle": "ana", "request.number": "412", "request.title": "VPN drops",
        "request.priority": "high", "request.status": "in progress",
        "team.name": "IT Service Desk", "agent.name": "Jim Ionescu", "agent.first_name": "Jim",
        "due.first_response": "Mon 23 Nov 12:30", "due.resolution": "Wed 25 Nov 11:30",
        "desk.name": "IT Service Desk",
    }
    assert set(values) | {"message"} == set(r.PLACEHOLDERS)


def test_values_without_an_agreement_or_names_fall_back_sensibly():
    values = r.values_for(facts(requester=r.Party("ana", None), agent=r.Party("newbie", " "),
                                team_name=None, desk_address="helpdesk@example.com"))
    assert values["requester.first_name"] == "ana" and values["requester.name"] == "ana"
    assert values["agent.first_name"] == "newbie" and values["agent.name"] == "newbie"
    assert values["team.name"] == "it"
    assert values["due.first_response"] == values["due.resolution"] == "no agreed time"
    assert values["desk.name"] == "the service desk"


def test_a_paused_clock_and_an_unknown_zone():
    values = r.values_for(facts(resolution_target=True, resolution_due=None,
                                first_response_target=True, first_response_due=MON,
                                calendar_tz="Not/AZone"))
    assert values["due.resolution"] == "paused while it waits"
    assert values["due.first_response"] == "Mon 23 Nov 09:30"  # as given, not a failure


@pytest.mark.parametrize("address, name", [
    ("IT Service Desk <helpdesk@example.com>", "IT Service Desk"),
    ('"Payroll" <pay@example.com>', "Payroll"),
    ("<helpdesk@example.com>", "the service desk"),
    ("helpdesk@example.com", "the service desk"),
    ("", "the service desk"),
    (None, "the service desk"),
    ("Evil\nBcc: x <a@b.c>", "Evil Bcc: x"),
])
def test_desk_name_is_the_display_name_of_mail_address(address, name):
    assert r.desk_name(address) == name


# -- the built-ins ----------------------------------------------------------------------------

def test_built_ins_are_valid_and_have_all_three_phases():
    defaults = r.built_ins()
    assert list(defaults) == ["ack", "need-info", "working", "resolved", "closed-thanks"]
    values = r.values_for(facts())
    for name, reply in defaults.items():
        assert reply.source == r.BUILT_IN and reply.description
        assert r.validate_body(reply.body) == reply.body
        text = r.compose(reply.body, values)
        lines = text.splitlines()
        assert lines[0] == "Hello Ana,", name  # start
        assert "#412" in text and "VPN drops" in text, name  # what it is about
        assert lines[-1] == "Jim from the service desk", name  # closure, signed
        assert lines[-2].endswith(","), name  # a polite sign-off
        assert "{" not in text and "}" not in text and "\n\n\n" not in text, name
        assert len(text) < 700, name  # short


def test_merge_lets_a_desk_reply_override_a_built_in():
    own = r.Reply(name="ack", body="Got it.", description=None, source=r.DESK, author="jim")
    extra = r.Reply(name="vpn", body="Try 5.2.", description="VPN", source=r.DESK, author="jim")
    merged = {reply.name: reply for reply in r.merge([own, extra])}
    assert [n for n in merged] == sorted(merged)
    assert merged["ack"].body == "Got it." and merged["ack"].overrides
    assert merged["vpn"].source == r.DESK and not merged["vpn"].overrides
    assert merged["resolved"].source == r.BUILT_IN
