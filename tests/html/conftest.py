"""The HTML report's desks, each built once per session and copied into every test's home."""

from __future__ import annotations

import pytest

from html_desks import build_demo, build_hostile


@pytest.fixture
def demo(snapshot, isvc, isvc_home):
    """The demo desk (300 requests over 8 weeks; alina is its admin)."""
    snapshot("html-demo", lambda: build_demo(isvc, isvc_home))
    return isvc


@pytest.fixture
def hostile_desk(snapshot, isvc, isvc_home):
    """The demo with hostile text in names, titles, comments, kudos, a KB title, a
    recurring group and a waiting chain; an internal note, a provider rating and a
    private kudos carrying markers that must never reach the page."""
    snapshot("html-hostile", lambda: build_hostile(isvc, isvc_home))
    return isvc
