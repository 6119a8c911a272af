"""Separation of duties on every path a person acts by: the task page (completing and taking, in
Bahasa Indonesia and in English), the JSON API and `desa complete`/`desa claim`. The rule itself is
tested in tests/engine/test_duties.py."""

from __future__ import annotations

import html
import re

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.cli import main
from engine.core import Engine
from engine.runtime import actions as runtime
from engine.views import queries
from tests.conftest import LEMPUR, set_up
from tests.engine.test_duties import DUTIES, STAFF, do, open_tasks, written_up
from tests.web.test_api import Api
from web import create_app

ID_REFUSAL = (
    "Anda tidak dapat mengerjakan 'Setujui Laporan': tugas ini harus dikerjakan oleh orang yang berbeda "
    "dari yang mengerjakan 'Tulis Laporan', dan 'Tulis Laporan' Anda yang mengerjakan."
)
EN_REFUSAL = (
    "you may not do 'Setujui Laporan': it must be done by someone other than whoever did "
    "'Tulis Laporan', and you did 'Tulis Laporan'"
)


@pytest.fixture
def duties(engine: Engine) -> Engine:
    return set_up(engine, DUTIES, [LEMPUR], STAFF, admin=True)


def signed_in(engine: Engine, user: str) -> FlaskClient:
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test"}, engine=engine)
    client = app.test_client()
    response = client.post("/masuk", data={"username": user, "password": "rahasia-" + user})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def page_text(response: TestResponse) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_task_page_refuses_the_writer_in_their_language_and_lets_another_approve(duties: Engine) -> None:
    instance_id = written_up(duties)
    first, _ = open_tasks(duties, instance_id, "setujui")
    rina = signed_in(duties, "rina")

    page = page_text(rina.get(f"/tugas/{first}"))  # the page says why, and offers neither taking nor doing
    assert ID_REFUSAL in page
    assert f"/tugas/{first}/ambil" not in page and 'name="_kirim"' not in page
    offered = page_text(signed_in(duties, "tono").get(f"/tugas/{first}"))
    assert f"/tugas/{first}/ambil" in offered and 'name="_kirim"' in offered

    refused = rina.post(f"/tugas/{first}", data={"_kirim": "1"})
    assert refused.status_code == 403
    assert ID_REFUSAL in page_text(refused)
    taken = rina.post(f"/tugas/{first}/ambil")
    assert taken.status_code == 403 and ID_REFUSAL in page_text(taken)

    rina.post("/bahasa", data={"language": "en"})
    in_english = rina.post(f"/tugas/{first}", data={"_kirim": "1"})
    assert in_english.status_code == 403 and EN_REFUSAL in page_text(in_english)
    assert first in open_tasks(duties, instance_id, "setujui")  # nothing was completed

    tono = signed_in(duties, "tono")
    done = tono.post(f"/tugas/{first}", data={"_kirim": "1"})
    assert done.status_code == 302
    assert first not in open_tasks(duties, instance_id, "setujui")


def test_the_api_refuses_with_both_languages_and_lets_another_approve(duties: Engine) -> None:
    instance_id = written_up(duties)
    first, _ = open_tasks(duties, instance_id, "setujui")
    rina = Api(duties, "rina")
    view = rina.get(f"/tasks/{first}").get_json()
    assert view["may_act"] is False
    assert (view["separated"]["message"], view["separated"]["message_en"]) == (ID_REFUSAL, EN_REFUSAL)
    assert Api(duties, "tono").get(f"/tasks/{first}").get_json()["separated"] is None
    for path in (f"/tasks/{first}/complete", f"/tasks/{first}/claim"):
        refused = rina.post(path, json={})
        assert refused.status_code == 403
        error = refused.get_json()["error"]
        assert error["code"] == "forbidden" and error["message"] == EN_REFUSAL
        assert [(f["path"], f["message"], f["message_en"], f["code"]) for f in error["fields"]] == [
            ("(task)", ID_REFUSAL, EN_REFUSAL, "separate_from")
        ]
    assert Api(duties, "tono").post(f"/tasks/{first}/complete", json={}).status_code == 200


def test_the_api_task_list_says_which_tasks_are_kept_from_the_caller(duties: Engine) -> None:
    instance_id = written_up(duties)
    first, second = open_tasks(duties, instance_id, "setujui")

    def listed(name: str) -> dict[str, object]:
        return {row["id"]: row["kept_apart"] for row in Api(duties, name).get("/tasks").get_json()["tasks"]}

    wrote = {"earlier": "tulis", "earlier_name": "Tulis Laporan", "same_task": False}
    assert (listed("rina")[first], listed("rina")[second]) == (wrote, wrote)
    assert set(listed("tono").values()) == {None}
    runtime.complete(duties, first, "tono")
    assert listed("tono")[second] == {
        "earlier": "setujui",
        "earlier_name": "Setujui Laporan",
        "same_task": True,
    }
    assert listed("umi")[second] is None


def test_the_command_line_refuses_complete_and_claim(duties: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESA_PROCESSES_DIR", str(DUTIES))
    instance_id = written_up(duties)
    first, second = open_tasks(duties, instance_id, "setujui")
    runner = CliRunner()
    for command in (["complete", first, "--as", "rina"], ["claim", second, "--as", "rina"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 1
        assert result.stderr.strip() == f"error: {EN_REFUSAL}"
    assert runner.invoke(main, ["complete", first, "--as", "umi"]).exit_code == 0
    assert [t.claimed_by for t in queries.tasks(duties, instance_id=instance_id)] == [None]
    runtime.complete(duties, second, "tono")
    assert open_tasks(duties, instance_id, "tandatangani")


SAME_TASK = "Anda sudah mengerjakan salah satu tugas ini di desa ini; yang ini harus dikerjakan orang lain."


def _inbox_rows(client: FlaskClient) -> dict[str, tuple[bool, str]]:
    """The inbox's rows by task id: whether the row's checkbox may be ticked, and the row's text."""
    body = client.get("/").get_data(as_text=True)
    rows = {}
    for item in body.split('<li class="task')[1:]:
        item = item.split("</li>")[0]
        task_id = item.split('name="tugas" value="')[1].split('"')[0]
        checkbox = item.split('name="tugas"')[1].split(">")[0]
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", item.split(">", 1)[1])).split())
        rows[task_id] = ("disabled" not in checkbox, text)
    return rows


def test_the_inbox_marks_the_tasks_a_person_must_leave_to_someone_else(duties: Engine) -> None:
    """The inbox lists every task of the person's role; those separate_from keeps from them say so
    (and cannot be ticked to take), naming the earlier task, in the person's language."""
    instance_id = written_up(duties)
    first, second = open_tasks(duties, instance_id, "setujui")
    rina, tono, umi = (signed_in(duties, name) for name in ("rina", "tono", "umi"))

    wrote = _inbox_rows(rina)
    for task in (first, second):
        ticks, text = wrote[task]
        assert not ticks
        assert "Untuk orang lain" in text
        assert "Anda mengerjakan “Tulis Laporan” di desa ini; tugas ini harus dikerjakan orang lain." in text
    assert all(ticks and "orang lain" not in text for ticks, text in _inbox_rows(tono).values())
    notices = page_text(rina.get("/pemberitahuan"))  # the new tasks: the same mark, twice
    assert notices.count("Untuk orang lain") == 2 and notices.count("“Tulis Laporan”") == 2
    assert "orang lain" not in page_text(tono.get("/pemberitahuan"))
    rina.post("/bahasa", data={"language": "en"})
    ticks, text = _inbox_rows(rina)[first]
    assert "For someone else" in text
    assert "You did “Tulis Laporan” in this village; this task must be done by someone else." in text

    runtime.complete(duties, first, "tono")  # one approval: the other is someone else's
    duties.workflows.clear()  # read from the stored rows
    ticks, text = _inbox_rows(tono)[second]
    assert not ticks
    assert (
        "Anda sudah mengerjakan salah satu tugas ini di desa ini; yang ini harus dikerjakan orang lain."
        in text
    )
    assert _inbox_rows(umi)[second][0]
    runtime.complete(duties, second, "umi")

    do(duties, instance_id, "tandatangani", "umi")  # sequential: the second signature appears now
    (signature,) = open_tasks(duties, instance_id, "tandatangani")
    assert "orang lain" in _inbox_rows(umi)[signature][1]
    assert _inbox_rows(tono)[signature] == (True, _inbox_rows(tono)[signature][1])
    assert "orang lain" not in _inbox_rows(tono)[signature][1]
