"""Latency Advisor: where the time of an ML-backed request goes, and what to fix first."""

__version__ = "0.1.0"


def _start_bytecode_cache() -> None:
    """Keep this package's compiled modules when Python may not write `__pycache__`."""
    import sys

    if not sys.dont_write_bytecode:
        return
    from latency_advisor import bytecode_cache, user_cache

    bytecode_cache.install(user_cache.cache_dir())


_start_bytecode_cache()
