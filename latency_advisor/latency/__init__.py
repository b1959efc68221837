"""The latency model: fitted stage distributions, composition, queueing and simulation."""

from latency_advisor.latency.distributions import StageFit, z_of
from latency_advisor.latency.model import Estimate, PathModel, StageSpec

__all__ = ["Estimate", "PathModel", "StageFit", "StageSpec", "z_of"]
