"""Sharing markings: the five labels of the Traffic Light Protocol 2.0, ordered.

FIRST's TLP 2.0 (https://www.first.org/tlp/) says how far shared information may
travel: CLEAR (anyone) < GREEN (the community) < AMBER (the organisation and its
clients) < AMBER+STRICT (the organisation only) < RED (the named recipients only).
Each label is a SKOS concept of the scheme ``code:tlp`` in ``ontology/concepts.ttl``
(no RDF vocabulary of TLP exists); data and graphs carry it with
``ikg:sharingMarking``.

The one rule this module enforces: data received under a stricter label is never
shared again under a looser one (:func:`check_not_looser`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import IntEnum

from incident_kg.errors import IncidentKGError
from incident_kg.ontology.namespaces import CODE, IKG

#: The property that carries a marking.
SHARING_MARKING = str(IKG.sharingMarking)


class MarkingError(IncidentKGError):
    """A marking that is unknown, missing, or looser than the data allows."""


class Tlp(IntEnum):
    """A TLP 2.0 label; a greater value shares less."""

    CLEAR = 0
    GREEN = 1
    AMBER = 2
    AMBER_STRICT = 3
    RED = 4

    @property
    def label(self) -> str:
        """The label as TLP 2.0 writes it: ``TLP:AMBER+STRICT``."""
        return "TLP:" + self.name.replace("_", "+")

    @property
    def iri(self) -> str:
        """The IRI of the label's concept: ``code:tlp-amber-strict``."""
        return str(CODE["tlp-" + self.name.lower().replace("_", "-")])

    @classmethod
    def parse(cls, text: str) -> Tlp:
        """Read a label as people write it: ``AMBER+STRICT``, ``tlp:amber-strict``, ``TLP:RED``.

        >>> Tlp.parse("tlp:amber+strict").label
        'TLP:AMBER+STRICT'
        """
        key = text.strip().upper().removeprefix("TLP:").replace("+", "_").replace("-", "_")
        if key == "WHITE":  # TLP 1.0's name of CLEAR
            key = "CLEAR"
        try:
            return cls[key]
        except KeyError:
            raise MarkingError(
                f"unknown TLP label {text!r}: use one of {', '.join(m.label for m in cls)}"
            ) from None

    @classmethod
    def from_iri(cls, iri: str) -> Tlp:
        """The label whose concept IRI this is."""
        for member in cls:
            if member.iri == iri:
                return member
        raise MarkingError(f"{iri} is not a TLP 2.0 label (code:tlp-clear … code:tlp-red)")


def strictest(markings: Iterable[Tlp]) -> Tlp | None:
    """The strictest of some labels (None for none): data marked twice obeys the stricter."""
    found = list(markings)
    return max(found) if found else None


def check_not_looser(chosen: Tlp, received: Mapping[str, Tlp]) -> None:
    """Refuse to share under ``chosen`` data received under a stricter label.

    ``received`` maps each graph about to be shared to the label it came with
    (graphs built locally have none and are not listed).
    """
    stricter = sorted(g for g, m in received.items() if m > chosen)
    if stricter:
        worst = strictest(received[g] for g in stricter)
        assert worst is not None
        raise MarkingError(
            f"{len(stricter)} graph(s) were received under {worst.label}, stricter than "
            f"{chosen.label} (e.g. {stricter[0]}): export them under {worst.label} or "
            "leave them out with a filter"
        )


def resolve_marking(chosen: Tlp | None, received: Mapping[str, Tlp], default: Tlp) -> Tlp:
    """The label an export carries: the one chosen (never looser than what was
    received), else the strictest of ``default`` and the labels received."""
    if chosen is not None:
        check_not_looser(chosen, received)
        return chosen
    return max(default, *received.values()) if received else default
