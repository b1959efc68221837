"""Importers: traces, metrics and timing tables -> measured stages for a scenario.

    result = import_file("traces.jsonl")            # format detected from content
    result.stages, result.warnings, result.parallel_groups
    scenario = apply_to_scenario(result, scenario, mode="merge")   # or "replace"
    scenario = new_scenario(result, name="Checkout", sla_ms=300, percentile=99)
    result.observed_traffic       # request rate the file shows (busiest minute, mean), or None
    save_mapping(result.confirmed_mapping(), "checkout.mapping.yaml")

Long imports take `progress=callback`: called with the share of the file read (at most every
0.1 s, on the importing thread); returning False stops the import with ImportCancelled. Run it
off the UI thread. Everything raises ImporterError (a UserError) for input we cannot read;
nothing here imports Qt.
"""

from latency_advisor.importers.api import import_file
from latency_advisor.importers.detect import FORMAT_NAMES, FORMATS
from latency_advisor.importers.errors import ImporterError
from latency_advisor.importers.kinds import KindGuess, guess_kind
from latency_advisor.importers.mapping import ImportMapping, load_mapping, save_mapping
from latency_advisor.importers.progress import ImportCancelled
from latency_advisor.importers.result import (
    ImportedStage,
    ImportResult,
    apply_to_scenario,
    new_scenario,
    with_peak_rps,
)
from latency_advisor.importers.traffic import ObservedTraffic

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "ImportCancelled",
    "ImportMapping",
    "ImportResult",
    "ImportedStage",
    "ImporterError",
    "KindGuess",
    "ObservedTraffic",
    "apply_to_scenario",
    "guess_kind",
    "import_file",
    "load_mapping",
    "new_scenario",
    "save_mapping",
    "with_peak_rps",
]
