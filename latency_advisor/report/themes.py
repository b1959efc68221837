"""Chart colours for the light and dark themes: one place, so app and PDF charts agree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ThemeName = Literal["light", "dark"]

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
_SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")


@dataclass(frozen=True)
class Theme:
    name: ThemeName
    background: str
    foreground: str
    muted: str
    grid: str
    sla: str
    good: str
    bad: str
    wait: str
    naive: str
    series: tuple[str, ...] = _SERIES

    def stage_colour(self, index: int) -> str:
        return self.series[index % len(self.series)]


LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    foreground="#1F2328",
    muted="#6E7781",
    grid="#D8DEE4",
    sla="#CF222E",
    good="#1A7F37",
    bad="#CF222E",
    wait="#8C959F",
    naive="#BFC6CE",
)

DARK = Theme(
    name="dark",
    background="#1E1E1E",
    foreground="#E6EDF3",
    muted="#9DA7B3",
    grid="#3A3F45",
    sla="#FF7B72",
    good="#3FB950",
    bad="#FF7B72",
    wait="#6E7681",
    naive="#484F58",
)


def theme(name: str) -> Theme:
    """The theme by name; an unknown name is a programming error, so it raises."""
    if name == "light":
        return LIGHT
    if name == "dark":
        return DARK
    raise ValueError(f"theme must be 'light' or 'dark', got {name!r}")
