"""The rule engine and its library: which fixes apply, in what order, with what effect.

Rules are data (`rules/*.yaml`, plus the user's folders); `load_library()` validates and compiles
them once; `advise()` fills an analysis with recommendations, a plan and options.
"""

from latency_advisor.rules.loader import ENV_VAR, Library, RuleFileError, load_library

__all__ = ["ENV_VAR", "Library", "RuleFileError", "load_library"]
