"""Latency Advisor: where the time of an ML-backed request goes, and what to fix first."""

__version__ = "0.1.0"
