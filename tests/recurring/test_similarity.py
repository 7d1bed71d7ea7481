"""The pure grouping of similar requests (isvc.domain.similarity): words, similarity,
groups, and that candidate pairs come from the inverted index, never from all pairs."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isvc.domain import similarity as sim
from isvc.domain.similarity import Item, group, similarity, text_of, words


def groups_of(items) -> list[list[int]]:
    return [g.numbers for g in group(items).groups]


def together(items, a: int, b: int) -> bool:
    return any(a in g and b in g for g in groups_of(items))


# -- words ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("VPN drops every hour", {"vpn", "drop", "hour"}),
    ("VPN keeps dropping every hour since the update", {"vpn", "drop", "hour", "updat"}),
    ("Printer on floor 3 jams", {"printer", "floor", "jam"}),
    ("Résumé templates", {"resum", "templat"}),
    ("RESUME TEMPLATE", {"resum", "templat"}),
    ("Ticket INC0042 re: v5.2.1 crashed 3rd time", {"ticket", "crash", "tim"}),
    ("Follow-up: Laptop won't boot", {"laptop", "boot"}),
    ("Mail from jim@example.com about https://example.com/x?id=7", {"mail"}),
    ("Office supplies", {"offic", "supply"}),
    ("The speed is slow", {"speed", "slow"}),
])
def test_words_are_folded_stemmed_and_stripped_of_numbers_and_filler(text, expected):
    assert words(text) == frozenset(expected)


def test_a_mail_body_loses_its_greeting_quotes_and_signature():
    body = ("Hi IT Service Desk,\n\nSince the update my VPN drops every hour.\n\n"
            "Thanks,\nMihai Stan\nSales\n> earlier message about printers\n")
    assert sim.strip_mail(body) == "Since the update my VPN drops every hour."
    assert text_of("VPN", body).body == frozenset({"updat", "vpn", "drop", "hour"})


# -- similarity ------------------------------------------------------------------------

def test_near_duplicate_titles_are_similar_and_unrelated_ones_are_not():
    a, b = text_of("VPN drops every hour"), text_of("VPN keeps dropping every hour since update")
    assert similarity(a, b) == pytest.approx(0.75)
    assert similarity(a, b) >= sim.THRESHOLD
    assert similarity(text_of("Printer jam floor 3"), text_of("VPN drops")) == 0


def test_the_title_outweighs_the_body():
    same_title = similarity(text_of("Laptop won't boot", "black screen after the logo"),
                            text_of("Laptop won't boot", "fan noise then nothing at all"))
    same_body = similarity(text_of("Laptop won't boot", "black screen after the logo"),
                           text_of("Printer offline", "black screen after the logo"))
    assert same_title == pytest.approx(sim.TITLE_WEIGHT)
    assert same_body == pytest.approx(1 - sim.TITLE_WEIGHT)
    assert same_title >= sim.THRESHOLD > same_body


def test_a_request_without_a_body_is_compared_on_titles():
    assert similarity(text_of("Laptop won't boot"),
                      text_of("Laptop won't boot", "long story about the fan")) == 1.0


# -- groups: examples ---------------------------------------------------------------------

def test_realistic_near_duplicates_group_and_unrelated_requests_do_not():
    items = [Item(1, "VPN drops every hour"),
             Item(2, "VPN keeps dropping every hour since update"),
             Item(3, "Printer jam floor 3"), Item(4, "VPN drops"),
             Item(5, "Printer jams on floor 3"),
             Item(6, "Payslip for October is missing")]
    assert groups_of(items) == [[1, 2, 4], [3, 5], [6]]
    assert not together(items, 3, 4)


def test_identical_titles_collapse_before_anything_is_compared():
    items = [Item(n, "Account locked after password change", f"body {n}") for n in range(1, 301)]
    result = group(items)
    assert [g.numbers for g in result.groups] == [list(range(1, 301))]
    assert result.distinct == 1 and result.comparisons == 0


def test_different_types_never_group_untyped_requests_join_either():
    items = [Item(1, "VPN drops every hour", type="it/network"),
             Item(2, "VPN drops every hour", type="it/access"),
             Item(3, "VPN drops every hour", type="it/network"),
             Item(4, "VPN drops every hour")]
    grouped = group(items).groups
    assert [g.numbers for g in grouped] == [[1, 3, 4], [2]]
    assert [g.type for g in grouped] == ["it/network", "it/access"]


def test_members_must_be_similar_to_the_representative_not_to_each_other():
    # "a b c d" is the representative; "c d e f" is only 1/3 similar to it, although it is
    # close to "b c d e" (a member): single-link chaining would have pulled it in.
    items = [Item(1, "alpha bravo charlie delta"), Item(2, "alpha bravo charlie delta"),
             Item(3, "bravo charlie delta echo"), Item(4, "charlie delta echo foxtrot")]
    assert groups_of(items) == [[1, 2, 3], [4]]


def test_the_group_id_is_its_earliest_request():
    items = [Item(40, "VPN drops every hour"), Item(7, "VPN drops every hour"),
             Item(12, "vpn drops every hour!")]
    (only,) = group(items).groups
    assert only.id == 7 and only.numbers == [7, 12, 40]


def test_texts_without_any_word_group_only_when_equal():
    items = [Item(1, "12345"), Item(2, "12345"), Item(3, "999"), Item(4, "???")]
    assert groups_of(items) == [[1, 2], [3], [4]]


def test_a_word_in_too_many_texts_finds_no_candidates():
    vocabulary = consonant_words(400)
    items = [Item(n, f"shared {vocabulary[n]}") for n in range(200)]
    result = group(items)
    assert result.comparisons == 0
    assert all(g.size == 1 for g in result.groups)


# -- candidates come from the index: the work grows with n, not n² -------------------------

def consonant_words(n: int, seed: int = 0) -> list[str]:
    """Distinct words that survive normalisation unchanged (no vowels, no s: no stemming,
    never a common word)."""
    rnd = random.Random(seed)
    letters = "bcdfghjklmnpqrtvwxz"
    found: dict[str, None] = {}
    while len(found) < n:
        found["".join(rnd.choice(letters) for _ in range(rnd.randint(5, 9)))] = None
    return list(found)


def test_two_thousand_distinct_texts_need_far_fewer_comparisons_than_all_pairs():
    rnd = random.Random(7)
    vocabulary = consonant_words(4000, seed=7)
    topics = [vocabulary[i * 6:(i + 1) * 6] for i in range(200)]  # 200 topics of 6 words
    noise = vocabulary[1200:]
    texts: dict[str, None] = {}
    while len(texts) < 2000:
        topic = rnd.choice(topics)
        title = topic[:4] + rnd.sample(noise, 1)
        body = topic[2:5] + rnd.sample(noise, 3)
        texts[" ".join(title) + "|" + " ".join(body)] = None
    items = [Item(n, t.split("|")[0], t.split("|")[1]) for n, t in enumerate(texts, 1)]
    result = group(items)
    n = len(items)
    assert result.distinct == n == 2000
    assert result.comparisons < n * 40  # all pairs would be n²/2 = 2,000,000
    assert result.comparisons < n * n / 2 / 50
    sizes = sorted((g.size for g in result.groups), reverse=True)
    assert len(result.groups) == 200 and sizes[0] > 5  # the topics were found


# -- properties --------------------------------------------------------------------------

WORDS = ["vpn", "drops", "hour", "printer", "jam", "floor", "payslip", "missing", "laptop",
         "boot", "screen", "black", "badge", "door", "monitor", "flicker", "outlook", "calendar",
         "sync", "password", "locked", "account", "update", "office", "chair", "broken"]
TYPES = [None, "it/network", "it/hardware"]

phrase = st.lists(st.sampled_from(WORDS + ["the", "3", "again", "INC42"]), min_size=0,
                  max_size=6).map(" ".join)
item_texts = st.lists(st.tuples(phrase, phrase, st.sampled_from(TYPES)), min_size=1,
                      max_size=40)


def items_from(texts) -> list[Item]:
    return [Item(n, title or "x", body, kind) for n, (title, body, kind) in enumerate(texts, 1)]


def shape(result) -> list[tuple]:
    return [(g.representative.key, g.numbers, g.type) for g in result.groups]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item_texts, st.randoms(use_true_random=False))
def test_grouping_is_deterministic_and_independent_of_input_order(texts, rnd):
    items = items_from(texts)
    shuffled = items[:]
    rnd.shuffle(shuffled)
    assert shape(group(items)) == shape(group(shuffled)) == shape(group(items))


@settings(max_examples=200, deadline=None)
@given(item_texts)
def test_every_request_lands_in_exactly_one_group(texts):
    items = items_from(texts)
    numbers = [n for g in group(items).groups for n in g.numbers]
    assert sorted(numbers) == [i.number for i in items]


@settings(max_examples=200, deadline=None)
@given(item_texts, st.integers(min_value=0, max_value=39), st.integers(min_value=1, max_value=5))
def test_identical_texts_always_group(texts, which, copies):
    items = items_from(texts)
    original = items[which % len(items)]
    extra = [Item(1000 + k, original.title, original.body, original.type) for k in range(copies)]
    grouped = group(items + extra).groups
    home = [g for g in grouped if original.number in g.numbers]
    assert len(home) == 1 and all(e.number in home[0].numbers for e in extra)


@settings(max_examples=200, deadline=None)
@given(item_texts)
def test_every_member_is_similar_to_its_representative_and_types_never_mix(texts):
    for g in group(items_from(texts)).groups:
        for text, score in zip(g.texts, g.scores):
            assert similarity(text, g.representative) >= sim.THRESHOLD
            assert score == pytest.approx(similarity(text, g.representative))
        kinds = {t.type for t in g.texts} - {None}
        assert len(kinds) <= 1 and (g.type in kinds or (not kinds and g.type is None))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 4), st.sampled_from(TYPES)),
                min_size=2, max_size=30))
def test_texts_with_nothing_in_common_never_group(shapes):
    vocabulary = iter(consonant_words(400, seed=3))
    items = []
    for n, (title_words, body_words, kind) in enumerate(shapes, 1):
        title = " ".join(next(vocabulary) for _ in range(title_words))
        body = " ".join(next(vocabulary) for _ in range(body_words))
        items.append(Item(n, title, body, kind))
    assert all(len(g) == 1 for g in groups_of(items))


def test_a_text_is_compared_with_at_most_max_candidates_representatives(monkeypatch):
    vocabulary = consonant_words(100, seed=5)
    items = [Item(n, f"anchor {vocabulary[2 * n]} {vocabulary[2 * n + 1]}") for n in range(40)]
    assert group(items).comparisons == sum(range(40))  # each text meets every earlier one
    monkeypatch.setattr(sim, "MAX_CANDIDATES", 5)
    result = group(items)
    assert result.comparisons == sum(min(i, 5) for i in range(40))
    assert all(g.size == 1 for g in result.groups)
