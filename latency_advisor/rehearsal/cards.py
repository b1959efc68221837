"""Drill cards: the scenarios of the source material, as data files in resources/drills/.

A card names a bundled example scenario, the question as an interviewer would ask it, the fixes
to put in order (technique words, CONTRACTS.md §3), the tempting fixes that do not belong on
this path and why, and the tradeoff questions the scenario raises.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from latency_advisor.errors import UserError
from latency_advisor.paths import example, resources_dir
from latency_advisor.rehearsal.wording import TECHNIQUES
from latency_advisor.scenario import Scenario, load_scenario

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class CardError(UserError):
    """A drill card file or a card id that cannot be used."""


def _known(word: str) -> str:
    if word not in TECHNIQUES:
        raise ValueError(f"{word!r} is not a technique word (see CONTRACTS.md §3)")
    return word


class Card(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    title: Text
    scenario: Text
    question: Text
    candidates: Annotated[list[str], Field(min_length=2, max_length=8)]
    distractors: dict[str, Text] = Field(default_factory=dict)
    tradeoff_questions: list[Text] = Field(default_factory=list)

    @field_validator("candidates")
    @classmethod
    def _candidate_words(cls, words: list[str]) -> list[str]:
        if len(set(words)) != len(words):
            raise ValueError("a technique appears twice")
        return [_known(w) for w in words]

    @field_validator("distractors")
    @classmethod
    def _distractor_words(cls, items: dict[str, str]) -> dict[str, str]:
        for word in items:
            _known(word)
        return items

    def load_scenario(self) -> Scenario:
        """The bundled example scenario this card is about."""
        try:
            path = example(self.scenario)
        except FileNotFoundError as exc:
            raise CardError(f"drill card {self.id!r}: field 'scenario': {exc}") from None
        return load_scenario(path)


MAX_CARD_BYTES = 1024 * 1024


def cards_dir() -> Path:
    try:
        return resources_dir() / "drills"
    except FileNotFoundError as exc:
        raise CardError(f"cannot find the drill cards: {exc}") from None


def load_card_file(path: str | Path) -> Card:
    from latency_advisor.safe_yaml import SafeReadError, decode_text, load_yaml, read_bytes

    path = Path(path)
    try:
        data, _ = load_yaml(decode_text(read_bytes(path, MAX_CARD_BYTES, "drill card")))
    except SafeReadError as exc:
        raise CardError(f"{path}: cannot read the drill card: {exc.message}") from None
    try:
        card = Card.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "(document)"
        raise CardError(f"{path}: field '{where}': {first['msg']}") from None
    overlap = set(card.candidates) & set(card.distractors)
    if overlap:
        raise CardError(f"{path}: field 'distractors': {sorted(overlap)} also listed as candidates")
    return card


@cache
def load_cards() -> tuple[Card, ...]:
    """Every bundled card, in file-name order; ids must be unique."""
    cards = [load_card_file(p) for p in sorted(cards_dir().glob("*.yaml"))]
    seen: set[str] = set()
    for c in cards:
        if c.id in seen:
            raise CardError(f"{cards_dir()}: two drill cards share the id {c.id!r}")
        seen.add(c.id)
    return tuple(cards)


def find_card(card_id: str) -> Card:
    for c in load_cards():
        if card_id in (c.id, c.scenario):
            return c
    known = ", ".join(c.id for c in load_cards())
    raise CardError(f"no drill card {card_id!r}; the cards are: {known}")


def questions_for(path: str | Path) -> list[str]:
    """The tradeoff questions of the card about this scenario file (a bundled example), if any."""
    stem = Path(path).stem
    for c in load_cards():
        if c.scenario == stem:
            return list(c.tradeoff_questions)
    return []
