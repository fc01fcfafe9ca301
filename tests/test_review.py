"""Human review: statuses, edits that keep the event's id, the append-only audit log, reviewers' tokens, and the
API's writes (authentication, body limit, rate limit) and safety (security headers, strict parameters, CSV cells
that a spreadsheet would run, no server path leaving the server). Store tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from midan import api
from midan.api import create_app, read_token_file
from midan.cli import main
from midan.errors import InputError
from midan.review import EDITABLE
from midan.store import EventFilter, open_store
from tests.test_store import make_article, make_event, store  # noqa: F401 (the sqlite/postgres store fixture)

ARTICLE = "RSF units stormed a sit-in in Ed Daein on Wednesday, killing three protesters, witnesses said."


def ids(events) -> list[str]:
    return [e.event_id_cnty for e in events]


@pytest.fixture()
def filled(store):  # noqa: F811
    store.add_batch([(make_article("a1", ARTICLE), [
        make_event("SDN-1", "2025-11-12", fatalities=3, confidence=0.9),
        make_event("SDN-2", "2025-11-13", fatalities=7, confidence=0.4),
        make_event("SDN-3", "2025-11-14", fatalities=1, confidence=0.4),
    ])])
    return store


def test_accepting_and_rejecting_set_the_status_and_log_who_and_when(filled):
    filled.review("SDN-1", "accepted", "amina")
    filled.review("SDN-2", "rejected", "amina")
    assert filled.reviews_of(["SDN-1", "SDN-2", "SDN-3"]).keys() == {"SDN-1", "SDN-2"}
    # rejected events leave the default selection; a status filter picks any set of them
    assert ids(filled.events()) == ["SDN-1", "SDN-3"]
    assert ids(filled.events(where=EventFilter(status=("rejected",)))) == ["SDN-2"]
    assert ids(filled.events(where=EventFilter.parse({"status": "accepted|unreviewed"}))) == ["SDN-1", "SDN-3"]
    assert filled.count(where=EventFilter.parse({"status": "any"})) == 3
    log = filled.audit_log()
    assert [(e["event_id_cnty"], e["field"], e["old"], e["new"], e["reviewer"]) for e in log] == [
        ("SDN-1", "review_status", "unreviewed", "accepted", "amina"),
        ("SDN-2", "review_status", "unreviewed", "rejected", "amina")]
    with pytest.raises(InputError, match="invalid status"):
        filled.review("SDN-1", "edited", "amina")
    with pytest.raises(LookupError):
        filled.review("SDN-404", "accepted", "amina")


def test_an_edit_keeps_the_id_logs_every_field_and_survives_a_new_report(filled):
    fixed = filled.edit("SDN-2", {"fatalities": 2, "sub_event_type": "Peaceful protest",
                                  "event_date": "2025-11-12"}, "omar")
    assert fixed.event_id_cnty == "SDN-2" and fixed.fatalities == 2 and fixed.event_type == "Protests"
    assert fixed.disorder_type == "Demonstrations" and fixed.fatalities_high == 2
    stored = filled.get_event("SDN-2")
    assert (stored.sub_event_type, stored.event_date, stored.year) == ("Peaceful protest", "2025-11-12", 2025)
    assert filled.reviews_of(["SDN-2"])["SDN-2"]["status"] == "edited"
    changes = {e["field"]: (e["old"], e["new"]) for e in filled.audit_log(event_id="SDN-2")}
    assert changes["fatalities"] == (7, 2) and changes["sub_event_type"] == (
        "Excessive force against protesters", "Peaceful protest")
    assert changes["review_status"] == ("unreviewed", "edited")
    # another outlet reports the same event: its article and source join, the person's values stay
    again = make_event("SDN-2", "2025-11-13", fatalities=40, source="Darfur Daily", article="a2")
    filled.add_batch([(make_article("a2", "A second report of the raid."), [again])])
    merged = filled.get_event("SDN-2")
    assert merged.fatalities == 2 and merged.event_date == "2025-11-12"
    assert merged.article_ids == ["a1", "a2"] and "Darfur Daily" in merged.source
    # a bad value changes nothing
    with pytest.raises(InputError, match="invalid fatalities"):
        filled.edit("SDN-2", {"fatalities": -1, "notes": "x"}, "omar")
    with pytest.raises(InputError, match="cannot be edited"):
        filled.edit("SDN-2", {"event_id_cnty": "SDN-9"}, "omar")
    # values of the wrong shape (the API's fuzz test sent these) are refused, not a crash of the server
    for wrong in ({"inter1": {}}, {"sub_event_type": ["Attack"]}, {"fatalities": 10**30},
                  {"geonames_id": 2**40}):
        with pytest.raises(InputError, match="invalid"):
            filled.edit("SDN-2", wrong, "omar")
    assert filled.get_event("SDN-2").notes == merged.notes


def test_the_queue_puts_the_least_confident_then_the_deadliest_first(filled):
    assert ids(filled.queue()) == ["SDN-2", "SDN-3", "SDN-1"]
    filled.review("SDN-2", "accepted", "amina")
    assert ids(filled.queue(limit=1)) == ["SDN-3"]


def test_reviewer_tokens_are_stored_hashed_and_checked(filled):
    token = filled.add_user("amina")
    assert len(token) >= 40 and filled.user_for_token(token) == "amina"
    assert filled.user_for_token(token + "x") is None and filled.user_names() == ["amina"]
    with pytest.raises(InputError, match="exists"):
        filled.add_user("amina")
    with pytest.raises(InputError, match="invalid user name"):
        filled.add_user("no spaces please")
    assert filled.remove_user("amina") and filled.user_for_token(token) is None


# --- the API ---------------------------------------------------------------------------------------------------


@pytest.fixture()
def sqlite_store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'review.db'}")
    article = make_article("a1", ARTICLE)
    article.origin = str(tmp_path / "private" / "reports" / "news.jsonl")
    opened.add_batch([(article, [make_event("SDN-1", confidence=0.6),
                                 make_event("SDN-2", "2025-11-13", confidence=0.5)])])
    yield opened
    opened.close()


def test_writes_need_a_token_and_are_logged_under_the_reviewers_name(sqlite_store):
    client = TestClient(create_app(store=sqlite_store))
    # no reviewer and no token file: writing is off, and says how to turn it on
    refused = client.post("/api/events/SDN-1/review", json={"status": "accepted"})
    assert refused.status_code == 403 and "midan users add" in refused.json()["error"]
    token = sqlite_store.add_user("amina")
    assert client.post("/api/events/SDN-1/review", json={"status": "accepted"}).status_code == 401
    bad = client.post("/api/events/SDN-1/review", json={"status": "accepted"},
                      headers={"Authorization": "Bearer not-the-token"})
    assert bad.status_code == 401 and bad.json()["ok"] is False
    auth = {"Authorization": f"Bearer {token}"}
    done = client.post("/api/events/SDN-1/review", json={"status": "accepted"}, headers=auth).json()
    assert done["event"]["review"]["status"] == "accepted" and done["event"]["review"]["reviewer"] == "amina"
    edited = client.patch("/api/events/SDN-2", json={"fields": {"fatalities": 1}}, headers=auth).json()
    assert edited["event"]["fatalities"] == 1 and edited["event"]["review"]["status"] == "edited"
    assert client.patch("/api/events/SDN-2", json={"fields": {"fatalities": "many"}},
                        headers=auth).status_code == 400
    assert client.patch("/api/events/SDN-9", json={"fields": {"fatalities": 1}}, headers=auth).status_code == 404
    trail = client.get("/api/events/SDN-2/audit").json()["rows"]
    assert [(r["field"], r["old"], r["new"], r["reviewer"]) for r in trail][:1] == [("fatalities", 3, 1, "amina")]
    # accepted; fatalities with the low and high ends of its range; edited
    assert len(client.get("/api/audit").json()["rows"]) == 5
    # reading stays open, and shows each row's review
    listed = client.get("/api/events", params={"status": "accepted|edited"}).json()["rows"]
    assert [(r["event_id_cnty"], r["review"]["status"]) for r in listed] == [("SDN-1", "accepted"),
                                                                            ("SDN-2", "edited")]


def test_a_token_file_names_its_writers_and_private_reading_needs_one(sqlite_store, tmp_path):
    path = tmp_path / "tokens.txt"
    path.write_text("# reviewers\nsara:0123456789abcdef0123\n", encoding="utf-8")
    tokens = read_token_file(path)
    assert tokens == {"0123456789abcdef0123": "sara"}
    client = TestClient(create_app(store=sqlite_store, tokens=tokens, private=True))
    assert client.get("/api/events").status_code == 401
    auth = {"Authorization": "Bearer 0123456789abcdef0123"}
    assert client.get("/api/events", headers=auth).json()["total"] == 2
    body = client.post("/api/events/SDN-1/review", json={"status": "rejected"}, headers=auth).json()
    assert body["event"]["review"]["reviewer"] == "sara"
    (tmp_path / "short.txt").write_text("abc\n", encoding="utf-8")
    with pytest.raises(InputError, match="at least 16"):
        read_token_file(tmp_path / "short.txt")


def test_writes_are_size_and_rate_limited(sqlite_store):
    token = sqlite_store.add_user("amina")
    auth = {"Authorization": f"Bearer {token}"}
    client = TestClient(create_app(store=sqlite_store, writes_per_minute=2))
    big = client.patch("/api/events/SDN-1", content=b"{" + b" " * 70_000 + b"}",
                       headers={**auth, "Content-Type": "application/json"})
    assert big.status_code == 413
    assert client.post("/api/events/SDN-1/review", json={"status": "accepted"}, headers=auth).status_code == 200
    assert client.post("/api/events/SDN-1/review", json={"status": "accepted"}, headers=auth).status_code == 429


def test_every_response_carries_the_security_headers_and_no_server_path(sqlite_store):
    client = TestClient(create_app(store=sqlite_store))
    for path in ("/", "/api/events", "/api/articles/a1", "/api/nope"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert "access-control-allow-origin" not in headers  # no CORS unless configured
    article = client.get("/api/articles/a1").json()["article"]
    assert article["origin"] == "news.jsonl" and "private" not in json.dumps(article)


def test_cors_is_closed_unless_an_origin_is_configured(sqlite_store):
    dash = "https://dash.example.org"
    client = TestClient(create_app(store=sqlite_store, cors_origins=[dash + "/"], private=True))
    token = sqlite_store.add_user("dash")
    answer = client.get("/api/events", headers={"Origin": dash, "Authorization": f"Bearer {token}"})
    assert answer.headers["access-control-allow-origin"] == dash and "Link" in answer.headers[
        "access-control-expose-headers"]
    other = client.get("/api/events", headers={"Origin": "https://evil.example", "Authorization": f"Bearer {token}"})
    assert "access-control-allow-origin" not in other.headers
    # a browser's preflight for a write: answered without a token, with the security headers
    preflight = client.options("/api/events/SDN-1", headers={
        "Origin": dash, "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code == 200 and "PATCH" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["x-content-type-options"] == "nosniff"
    assert client.options("/api/events", headers={"Origin": "https://evil.example",
                                                  "Access-Control-Request-Method": "GET"}).status_code == 400
    for bad in ("dash.example.org", "ftp://x.org", "https://x.org/path", "https://user@x.org"):
        with pytest.raises(InputError, match="invalid CORS origin"):
            create_app(store=sqlite_store, cors_origins=[bad])


def test_parameters_are_strict(sqlite_store):
    client = TestClient(create_app(store=sqlite_store))
    for params in ({"_limit": "2"}, [("country", "Sudan"), ("country", "Chad")], {"date_from": "2025-1-01"},
                   {"date_to": "20251101"}, {"status": "approved"}):
        answer = client.get("/api/events", params=params)
        assert answer.status_code == 400 and answer.json()["ok"] is False, params


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(sqlite_store):
    token = sqlite_store.add_user("amina")
    client = TestClient(create_app(store=sqlite_store))
    client.patch("/api/events/SDN-1", json={"fields": {"actor1": "=HYPERLINK(\"http://x\")", "longitude": -12.5}},
                 headers={"Authorization": f"Bearer {token}"})
    row = next(r for r in csv.DictReader(io.StringIO(client.get("/api/events.csv").text))
               if r["event_id_cnty"] == "SDN-1")
    assert row["actor1"] == "'=HYPERLINK(\"http://x\")" and row["longitude"] == "-12.5"


def test_export_by_status_and_the_corrections_as_labelled_data(sqlite_store, tmp_path, capsys):
    db = sqlite_store.url
    sqlite_store.review("SDN-1", "rejected", "amina")
    sqlite_store.edit("SDN-2", {"fatalities": 0}, "omar")
    out = tmp_path / "accepted.csv"
    assert main(["export", "--db", db, "--status", "edited", "-o", str(out)]) == 0
    assert [r["event_id_cnty"] for r in csv.DictReader(out.open(encoding="utf-8"))] == ["SDN-2"]
    assert main(["export", "--db", db, "--format", "corrections"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(c["event_id_cnty"], c["status"]) for c in lines] == [("SDN-1", "rejected"), ("SDN-2", "edited")]
    assert lines[1]["changes"][0]["field"] == "fatalities" and lines[1]["changes"][0]["old"] == 3
    assert lines[1]["record"]["fatalities"] == 0
    # the filters apply to the corrections too; of the statuses, only the decided ones
    assert main(["export", "--db", db, "--format", "corrections", "--status", "rejected|unreviewed"]) == 0
    assert [json.loads(line)["event_id_cnty"] for line in capsys.readouterr().out.splitlines()] == ["SDN-1"]
    assert main(["export", "--db", db, "--format", "corrections", "--date-from", "2030-01-01"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["export", "--db", db, "--status", "maybe"]) == 1


def test_users_command_adds_lists_and_removes_reviewers(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'users.db'}"
    assert main(["users", "add", "amina", "--db", db]) == 0
    token = capsys.readouterr().out.strip()
    assert open_store(db).user_for_token(token) == "amina"
    assert main(["users", "list", "--db", db]) == 0 and capsys.readouterr().out.split() == ["amina"]
    assert main(["users", "remove", "amina", "--db", db]) == 0
    assert main(["users", "remove", "amina", "--db", db]) == 1


def test_a_store_made_before_review_gains_its_tables_when_opened(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    open_store(f"sqlite:///{path}").add_batch([(make_article("a1", ARTICLE), [make_event("SDN-1")])])
    with sqlite3.connect(path) as db:
        for table in ("reviews", "audit", "users"):
            db.execute(f"DROP TABLE {table}")
    reopened = open_store(f"sqlite:///{path}")
    reopened.review("SDN-1", "accepted", "amina")
    assert ids(reopened.events(where=EventFilter(status=("accepted",)))) == ["SDN-1"]


def test_the_api_docs_work_offline_and_list_every_parameter(sqlite_store):
    client = TestClient(create_app(store=sqlite_store))
    page = client.get("/api/docs")
    assert page.status_code == 200 and "cdn" not in page.text.lower()
    for src in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert src.startswith("/api/"), src
        assert client.get(src).status_code == 200, src
    assert client.get("/api/docs/files/../../etc/passwd").status_code == 404
    spec = client.get("/api/openapi.json").json()
    listed = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert listed == set(api.PARAMETERS)
    assert {p["name"] for p in spec["paths"]["/api/map"]["get"]["parameters"]} == set(api.MAP_PARAMETERS)
    assert {p["name"] for p in spec["paths"]["/api/timeline"]["get"]["parameters"]} == set(api.TIMELINE_PARAMETERS)
    # the request bodies of the writes are described, so a generated client (or the fuzz test) can make them
    review = spec["paths"]["/api/events/{event_id}/review"]["post"]["requestBody"]["content"]["application/json"]
    assert review["schema"]["properties"]["status"]["enum"] == ["accepted", "rejected", "unreviewed"]
    edit = spec["paths"]["/api/events/{event_id}"]["patch"]["requestBody"]["content"]["application/json"]
    assert set(edit["schema"]["properties"]["fields"]["properties"]) == set(EDITABLE)


def test_a_reviewer_picks_a_corrected_place_from_the_gazetteers_candidates(sqlite_store, gazetteer):
    client = TestClient(create_app(store=sqlite_store))
    rows = client.get("/api/places", params={"q": "Kassala"}).json()["rows"]
    kassala = rows[0]
    assert (kassala["location"], kassala["country"], kassala["geo_precision"]) == ("Kassala", "Sudan", 1)
    assert client.get("/api/places", params={"q": " "}).status_code == 400
    token = sqlite_store.add_user("amina")
    fields = {k: kassala[k] for k in ("location", "country", "admin1", "latitude", "longitude", "geonames_id")}
    edited = client.patch("/api/events/SDN-1", json={"fields": fields},
                          headers={"Authorization": f"Bearer {token}"}).json()["event"]
    assert (edited["location"], edited["geonames_id"]) == ("Kassala", kassala["geonames_id"])


def test_a_corrected_country_brings_its_code_and_region_and_a_moved_place_drops_its_old_third_level_unit(
        sqlite_store, gazetteer):
    token = sqlite_store.add_user("amina")
    client = TestClient(create_app(store=sqlite_store))
    auth = {"Authorization": f"Bearer {token}"}
    sqlite_store.edit("SDN-1", {"admin3": "Ed Daein town"}, "amina")
    moved = client.patch("/api/events/SDN-1", json={"fields": {"country": "Chad", "location": "Abeche",
                                                                "admin1": "Ouaddai"}}, headers=auth).json()["event"]
    assert (moved["country"], moved["iso"], moved["admin3"]) == ("Chad", 148, "")
    assert moved["region"] == gazetteer.country("Chad").region
    unknown = client.patch("/api/events/SDN-1", json={"fields": {"country": "Atlantis"}}, headers=auth)
    assert unknown.status_code == 400 and "unknown country" in unknown.json()["error"]
    assert sqlite_store.get_event("SDN-1").country == "Chad"


def test_an_audit_since_beyond_any_database_integer_is_a_400(sqlite_store):
    client = TestClient(create_app(store=sqlite_store))
    assert client.get("/api/audit", params={"since": 2**63}).status_code == 400
    assert client.get("/api/audit", params={"since": 0}).json()["ok"] is True


def test_the_corrections_are_what_the_classifier_learns_from(sqlite_store, tmp_path):
    from midan.classifier import NO_EVENT
    from midan.export import write_corrections
    from midan.schema import Evidence
    from midan.training import corrections

    sentences = {"SDN-1": "Soldiers fired on marchers in Ed Daein.", "SDN-2": "Crowds marched peacefully in Nyala.",
                 "SDN-3": "The minister said a march might come."}
    for ident, sentence in sentences.items():
        item = sqlite_store.get_event(ident) or make_event(ident)
        item.evidence = [Evidence("a1", "", "event", sentence, 0, len(sentence))]
        sqlite_store.add_batch([(make_article(f"x-{ident}", sentence), [item])])  # merged: the sentence joins
    sqlite_store.review("SDN-1", "accepted", "amina")
    sqlite_store.edit("SDN-2", {"sub_event_type": "Peaceful protest"}, "omar")
    sqlite_store.review("SDN-3", "rejected", "amina")
    out = tmp_path / "corrections.jsonl"
    assert write_corrections(sqlite_store, out) == 3
    learnt = corrections(out)
    assert dict(zip(learnt.texts, learnt.labels, strict=True)) == {
        sentences["SDN-1"]: "Excessive force against protesters", sentences["SDN-2"]: "Peaceful protest",
        sentences["SDN-3"]: NO_EVENT}
    assert set(learnt.source) == {"reviewed"}
    out.write_text('{"status": "accepted"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"corrections\.jsonl:1: not a correction record"):
        corrections(out)
