"""Where signing in (`/masuk?next=`) and choosing the language (`POST /bahasa`, field `next`) send
a person: a path of this site, or the inbox. Nothing a browser would read as another site (a tab
or line break it drops, a backslash it reads as a slash, `//`, a scheme), raw or percent-encoded,
sends anyone away, and a line break in `next` is no 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.core import Engine
from tests.conftest import FIXTURES, LEMPUR, set_up
from web import create_app
from web.redirects import same_site_path

ELSEWHERE = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    " //evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0D%0A/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5c/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "HTTPS:\\\\evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\u0085/evil.example",
    "/ok\r\nSet-Cookie: x=1",
]
HERE = ["/", "/tugas/abc", "/desa/15.01.01.2003?", "/audit/?q=Lempur%20Mudik", "/perancangan/akses/1"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_nothing_pointing_elsewhere_is_a_same_site_path(target: str) -> None:
    assert same_site_path(target) is None
    if "%" not in target:  # encoded once more, a "%" is only a "%": "/%2509/x" is a path here
        assert same_site_path(quote(target, safe="/")) is None


@pytest.mark.parametrize("target", HERE)
def test_paths_of_this_site_are_kept(target: str) -> None:
    assert same_site_path(target) == target


@pytest.fixture
def app(engine: Engine) -> Flask:
    set_up(engine, FIXTURES / "access" / "processes", [LEMPUR], [("pusat", "Fasilitator Pusat", None, None)])
    return create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}, engine=engine)


def sign_in(client: FlaskClient, query: str) -> str:
    answer = client.post("/masuk?" + query, data={"username": "pusat", "password": "rahasia-pusat"})
    assert answer.status_code == 302, answer.status_code
    return answer.headers["Location"]


def _encodings(target: str) -> list[str]:
    """`next=` as a query string: percent-encoded whole, and with only its control characters and
    backslashes encoded (as the finding sent it)."""
    light = "".join(quote(c) if ord(c) < 0x20 or c in "\\\x7f% " else c for c in target)
    return [quote(target, safe=""), light]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_signing_in_never_sends_anyone_elsewhere(app: Flask, target: str) -> None:
    for query in _encodings(target):
        client = app.test_client()
        location = sign_in(client, "next=" + query)
        assert location == "/", f"next={query} -> {location}"


def test_the_finding_itself(app: Flask) -> None:
    """`/masuk?next=/%09/evil.example` answered `Location: //evil.example`."""
    assert sign_in(app.test_client(), "next=/%09/evil.example") == "/"
    assert sign_in(app.test_client(), "next=/%0D%0A/evil.example") == "/"  # was a 500


@pytest.mark.parametrize("target", ELSEWHERE)
def test_choosing_the_language_never_sends_anyone_elsewhere(app: Flask, target: str) -> None:
    client = app.test_client()
    sign_in(client, "")
    encoded = [] if "%" in target else [quote(target, safe="/:")]  # "/%2509/x" is a path here
    for sent in (target, *encoded):
        answer = client.post("/bahasa", data={"language": "en", "next": sent})
        assert (answer.status_code, answer.headers["Location"]) == (302, "/"), repr(sent)


def test_a_page_asked_for_before_signing_in_is_where_signing_in_leads(app: Flask) -> None:
    client = app.test_client()
    asked = client.get(f"/desa/{LEMPUR}")
    assert asked.status_code == 302
    query = asked.headers["Location"].split("?", 1)[1]
    assert sign_in(client, query) == f"/desa/{LEMPUR}"
    assert client.post("/bahasa", data={"language": "id", "next": "/audit/?q=Lempur%20Mudik"}).headers[
        "Location"
    ] == ("/audit/?q=Lempur%20Mudik")
