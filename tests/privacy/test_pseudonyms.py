"""Pseudonyms: IRIs that leave without the file names and names they were minted from."""

from __future__ import annotations

from urllib.parse import quote

from incident_kg.privacy.pseudonyms import PSEUDONYM, Pseudonymiser, pseudonym
from incident_kg.privacy.redact import load_rules

BASE = "https://w3id.org/incident-kg/id/"
RID = quote("山田太郎様_123456789018", safe="-_.~")
NAMES = Pseudonymiser("secret", load_rules(), frozenset({RID, "003"}))


def test_a_pseudonym_is_keyed_stable_and_left_as_it_is() -> None:
    first = pseudonym(RID, "secret")
    assert PSEUDONYM.fullmatch(first)
    assert first == pseudonym(RID, "secret") != pseudonym(RID, "another key")
    assert pseudonym(first, "another key") == first  # data received redacted keeps its names


def test_every_iri_of_a_report_loses_the_file_name() -> None:
    alias = NAMES.identifier(RID)
    assert NAMES.iri(f"{BASE}report/{RID}/incident/1") == f"{BASE}report/{alias}/incident/1"
    assert NAMES.iri(f"{BASE}graph/{RID}") == f"{BASE}graph/{alias}"
    inferred = "https://w3id.org/incident-kg/graph/inferred/report/"
    assert NAMES.iri(inferred + RID) == inferred + alias
    assert NAMES.iri(f"{BASE}report/003") == f"{BASE}report/{NAMES.identifier('003')}"


def test_curators_and_segments_holding_personal_data_get_pseudonyms() -> None:
    curator = NAMES.iri(f"{BASE}agent/curator/{quote('佐藤')}")
    assert "佐藤" not in curator and quote("佐藤") not in curator
    assert PSEUDONYM.fullmatch(curator.rsplit("/", 1)[1])
    org = NAMES.iri(f"{BASE}org/{quote('鈴木一郎様')}")
    assert quote("鈴木") not in org
    phone = NAMES.iri(f"{BASE}org/{quote('窓口（電話03-1234-5678）')}")
    assert "1234" not in phone


def test_what_names_nobody_is_left_alone() -> None:
    for iri in (
        f"{BASE}org/{quote('堺市')}",
        "https://w3id.org/incident-kg/ontology#hasCause",
        "https://w3id.org/incident-kg/code/MissingHandover",
        f"{BASE}report/other/evidence/0123456789abcdef",
        "https://w3id.org/incident-kg/graph/shared",
        "urn:x:y",
    ):
        assert NAMES.iri(iri) == iri
