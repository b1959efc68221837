"""The rule engine: which fixes apply to an analysed scenario, what each saves, in what order.

For every rule and every stage it may apply to, the condition is checked against that stage's
facts. A rule that fires has its effect sized at both ends of its range (conservative and
optimistic) through the latency model, on a smaller copy of the path with the same random numbers
(common random numbers make the differences precise). Each projection is the copy's ratio to its
own baseline applied to the current figure, so projections agree with the live estimate whether
it came from formulas or from a simulation.

Order: a fix pinned by its `first_when` (capacity when the queue cannot keep up), or one that
restores a steady state when there is none, goes first; then system before serving before model;
within a level by the expected saving against the gap (classes: covers half the gap or more, a
fifth, a twentieth, less), then running cost, accuracy risk, effort, and the saving itself.
When the path cannot keep up today, savings are measured after the first stabilising fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from latency_advisor.latency.model import Transform
from latency_advisor.rules import effects, phases
from latency_advisor.rules.facts import FactValue, path_facts, stage_facts
from latency_advisor.rules.loader import CompiledRule, Library, effect_values
from latency_advisor.rules.state import Applied, applied_techniques, unknown_fact_warnings
from latency_advisor.rules.techniques import LEVELS, cost_rank, risk_rank
from latency_advisor.sizing import offered_rps, path_model

if TYPE_CHECKING:
    from latency_advisor.result import Analysis
    from latency_advisor.scenario import Scenario

WHATIF_SAMPLES = {95.0: 2048, 99.0: 4096}  # by SLA percentile, at least; p99.9 uses 16,384
MIN_SHARE = 0.02  # a stage below 2 % of the path cannot matter
TARGET_UTILIZATION = 0.7  # capacity is added until peak utilization is about this
MAX_SIZED = 40  # fixes sized through the model per analysis (a big library keeps the largest)
MIN_SAVING_FRACTION = 0.005  # a fix saving under 0.5 % of the latency is not worth listing


def whatif_samples(percentile: float) -> int:
    """Enough samples that the SLA percentile has at least ~40 samples beyond it."""
    for up_to, n in sorted(WHATIF_SAMPLES.items()):
        if percentile <= up_to:
            return n
    return 16_384


@dataclass
class Projection:
    ms: float
    stable: bool


@dataclass
class Step:
    """One fix's what-if, ready to stack: stage transforms (by key) and traffic changes."""

    key: tuple
    transform: Transform | None
    values: dict[str, float]
    rule: CompiledRule
    llm: phases.ConfigStep | None = None  # an LLM configuration change, composed by the tokens


@dataclass
class Candidate:
    rule: CompiledRule
    stage: str | None
    facts: dict[str, FactValue]
    ends: dict[str, dict[str, float]]
    calibrated: str | None
    saving: tuple[float, float] = (0.0, 0.0)
    perceived_saving: tuple[float, float] | None = None
    restores_stability: bool = False
    may_restore_stability: bool = False
    measured_after: str | None = None
    projected: tuple[float, float] = (0.0, 0.0)
    before_ms: float = 0.0  # the latency the saving is measured from
    first: bool = False
    steps: dict[str, Step] = field(default_factory=dict)
    # one change over several stages (a fan-out's members, one payload format): every stage it
    # touches, with each stage's effect sizes; `stage` is the one that weighs most
    members: list[str] = field(default_factory=list)
    member_ends: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    raw_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # the rule's own

    @property
    def effective_saving(self) -> float:
        """The saving that ranks the fix: total, or time to first output where that is the point."""
        mid = (self.saving[0] + self.saving[1]) / 2.0
        if self.perceived_saving is not None:
            mid = max(mid, (self.perceived_saving[0] + self.perceived_saving[1]) / 2.0)
        return mid


@dataclass
class Skipped:
    rule: str
    stage: str | None
    reason: str


class Projector:
    """What-if estimates on a smaller copy of the path, each computed once."""

    def __init__(self, scenario: Scenario, analysis: Analysis):
        self.scenario = scenario
        self.model = path_model(scenario, samples=whatif_samples(scenario.sla.percentile))
        self.rps = offered_rps(scenario)
        self.servers = int(scenario.traffic.servers)
        self.percentile = float(scenario.sla.percentile)
        self.current = float(analysis.current.at_sla_percentile_ms)
        self.target = float(scenario.sla.target_ms)
        # a batch job with a deadline is judged on its job time (ms), not a request's tail
        job = (analysis.model_extra or {}).get("batch_job")
        self.job_items = 0
        if job and job.get("deadline_s"):
            self.job_items = int(job["items"])
            self.current = float(job["job_time_s"]) * 1000.0
            self.target = float(job["deadline_s"]) * 1000.0
        self.cache: dict[tuple, Projection] = {}
        room = (analysis.model_extra or {}).get("headroom") or {}
        # met with room to spare: nothing is urgent, so nothing should cost much
        self.met_with_room = bool(analysis.meets_sla and room and not room.get("thin"))
        base = self._estimate([], self.rps, self.servers)
        self.base_ms = max(self._metric(base, self.servers), 1e-9)
        self.base_stable = base.stable
        conc = scenario.traffic.concurrency
        _, busy = self.model.compose(self.model.samples)
        offered = self.rps / 1000.0 * float(busy.mean())
        # capacity for stability leaves headroom: utilization about 0.7 at peak
        headroom = max(self.servers + 1, math.ceil(offered / TARGET_UTILIZATION))
        headroom = -(-headroom // conc) * conc
        sla = analysis.current.replicas_needed_for_sla
        self.capacity = {
            "stability": headroom,
            "sla": max(self.servers, sla * conc) if sla else headroom,
            "deadline": max(self.servers, int((job or {}).get("replicas_for_deadline", 0)) * conc),
        }
        self.stage_info: dict[str, effects.StageInfo] = {}
        units = self.model.units()
        for i, unit in enumerate(units):
            previous = tuple(s.name for s in units[i - 1]) if i > 0 else ()
            for spec in unit:
                stage = scenario.stage(spec.name)
                self.stage_info[spec.name] = effects.StageInfo(
                    name=spec.name,
                    p50_ms=stage.p50_ms,
                    quantile=spec.fit.quantile,
                    calls=stage.calls,
                    previous=previous,
                    presence_mask=self.model.presence_mask,
                )

    def _estimate(self, transforms: list[Transform], rps: float, servers: int):
        return self.model.estimate(
            rps,
            servers,
            self.percentile,
            transforms=transforms,
            method="formula",
            with_shares=False,
            with_percentiles=False,
        )

    def _metric(self, est, servers: int) -> float:
        """What a fix is judged on: the SLA percentile, or a batch job's time per item across
        its workers (busy time per item ÷ workers; the job time is that times the items)."""
        if self.job_items:
            return est.mean_busy_ms / max(servers, 1)
        return est.at_percentile_ms

    def project(self, steps: list[Step], perceived: bool = False) -> Projection:
        """The latency at the SLA percentile after `steps` (cumulative, in order)."""
        key = (tuple(s.key for s in steps), perceived)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        rps, servers = self.rps, self.servers
        transforms: list[Transform] = []
        # several changes of the LLM's configuration compose in the token model (an optimized
        # runtime, then FP8, then a smaller model), not by multiplying ratios each sized
        # against today's configuration
        llm = [s for s in steps if s.llm is not None]
        composed = self._llm_transform(llm) if len(llm) >= 2 else None
        for step in steps:
            rps, servers = effects.traffic(
                step.values, step.rule.spec.effect, rps, servers, self.capacity
            )
            if step.transform is not None and (composed is None or step.llm is None):
                transforms.append(step.transform)
        if composed is not None:
            transforms.append(composed)
        est = self._estimate(transforms, rps, servers)
        result = Projection(self.current * self._metric(est, servers) / self.base_ms, est.stable)
        self.cache[key] = result
        return result

    def _llm_transform(self, llm: list[Step]) -> Transform | None:
        ratio = phases.combined_ratio(self.scenario, [s.llm for s in llm if s.llm is not None])
        if ratio is None:
            return None
        stage = llm[0].llm.stage if llm[0].llm is not None else None
        if stage is None:
            return None
        effect = llm[0].rule.spec.effect
        return effects.stage_transform(
            self.stage_info[stage], effect, {"speedup": 1.0 / max(ratio, 1e-6)}
        )

    def step(
        self, rule: CompiledRule, stage: str | None, values: dict[str, float], perceived=False
    ) -> Step:
        effect = rule.spec.effect
        traffic_key = tuple(
            (k, round(values[k], 6)) for k in ("servers_factor", "load_kept") if k in values
        )
        transform = None
        stage_part: tuple = ()
        if stage is not None and (
            effects.has_stage_change(effect, values) or (perceived and "perceived" in values)
        ):
            transform = effects.stage_transform(
                self.stage_info[stage], effect, values, perceived=perceived
            )
            stage_part = (stage, effects.stage_key(effect, values, perceived))
        key = (stage_part, traffic_key, effect.servers_for)
        return Step(key=key, transform=transform, values=values, rule=rule)


@dataclass
class Evaluation:
    candidates: list[Candidate]
    skipped: list[Skipped]
    projector: Projector
    fact_warnings: list[str]
    applied: list[Applied] = field(default_factory=list)
    stage_facts: list[dict[str, FactValue]] = field(default_factory=list)


def candidate_step(projector: Projector, cand: Candidate, end: str, perceived=False) -> Step:
    """The what-if of a fix at one end of its range, over every stage it touches."""
    if len(cand.members) <= 1:
        step = projector.step(cand.rule, cand.stage, cand.ends[end], perceived)
        step.llm = phases.config_step(
            cand.rule.spec.technique, cand.stage, projector.scenario, end, cand.raw_ranges
        )
        return step
    parts = [
        projector.step(cand.rule, name, cand.member_ends[name][end], perceived)
        for name in cand.members
    ]
    # last stage first: a stage that overlaps the one before it must see that stage's own time
    transforms = [part.transform for part in reversed(parts) if part.transform is not None]

    def composed(samples, rng):
        for transform in transforms:
            samples = transform(samples, rng)
        return samples

    return Step(
        key=tuple(part.key for part in parts),
        transform=composed if transforms else None,
        values=parts[0].values,
        rule=cand.rule,
    )


def evaluate(scenario: Scenario, analysis: Analysis, library: Library) -> Evaluation:
    """Fire every rule where its condition holds, size its effect, and order the fixes."""
    base = path_facts(scenario, analysis)
    per_stage: list[dict[str, FactValue]] = []
    warnings: list[str] = []
    for i, stage in enumerate(scenario.stages):
        facts, bad = stage_facts(base, scenario, analysis, i)
        per_stage.append(facts)
        for key in bad:
            warnings.append(
                f"Stage '{stage.name}': fact '{key}' has the wrong type for the rules' vocabulary "
                "(see `latency-advisor rules facts`); rules read it as unknown."
            )
    warnings += unknown_fact_warnings(scenario)
    applied = applied_techniques(scenario)
    anywhere = {t: a for by_tech in applied.values() for t, a in by_tech.items()}
    projector = Projector(scenario, analysis)
    fired: list[Candidate] = []
    skipped: list[Skipped] = []

    def consider(rule: CompiledRule, stage: str | None, facts: dict[str, FactValue]) -> None:
        if not rule.when.evaluate(facts):
            return
        spec = rule.spec
        done = (applied.get(stage, {}) if stage else anywhere).get(spec.technique)
        if done is not None:
            where = "" if stage else f" on '{done.stage}'"
            skipped.append(Skipped(rule.id, stage, f"already in place{where} ({done.source})"))
            return
        if rule.left_out_when is not None and rule.left_out_when.evaluate(facts):
            assert spec.left_out_when is not None
            skipped.append(Skipped(rule.id, stage, _fill(spec.left_out_when.reason, facts)))
            return
        _prepare(rule, stage, facts, scenario, fired, skipped)

    for rule in library.rules:
        spec = rule.spec
        if spec.scope == "path":
            consider(rule, None, base)
            continue
        kinds = spec.stage_kinds
        for i, stage in enumerate(scenario.stages):
            if kinds and stage.kind not in kinds:
                continue
            consider(rule, stage.name, per_stage[i])
    fired = _merge(fired, scenario)
    if len(fired) > MAX_SIZED:
        # a very large library: size the fixes with the largest rough effect, say so for the rest
        fired.sort(key=rough_gain, reverse=True)
        for cand in fired[MAX_SIZED:]:
            skipped.append(
                Skipped(
                    cand.rule.id,
                    cand.stage,
                    f"not sized: {MAX_SIZED} fixes with a larger rough effect were sized first",
                )
            )
        fired = fired[:MAX_SIZED]
    for cand in fired:
        _measure(cand, projector, [])
    if not projector.base_stable:
        # No steady state today: every saving is measured after the first fix that restores one.
        anchors = [c for c in fired if c.restores_stability]
        if anchors:
            anchor = min(anchors, key=lambda c: order_key(c, projector))
            anchor.first = True
            for cand in fired:
                if cand is not anchor:
                    _measure(cand, projector, [anchor.steps["mid"]])
                    cand.measured_after = anchor.rule.id
    candidates: list[Candidate] = []
    for cand in fired:
        reason = _not_worth(cand, projector)
        if reason:
            skipped.append(Skipped(cand.rule.id, cand.stage, reason))
        else:
            candidates.append(cand)
    candidates.sort(key=lambda c: order_key(c, projector))
    in_place = [a for by_tech in applied.values() for a in by_tech.values()]
    return Evaluation(candidates, skipped, projector, warnings, in_place, per_stage)


def _fill(template: str, facts: dict[str, FactValue]) -> str:
    """A reason with `{fact}` placeholders filled in (left as written if one cannot be)."""
    try:
        return template.format_map(facts)
    except (KeyError, ValueError, IndexError, AttributeError):
        return template


def _merge(fired: list[Candidate], scenario: Scenario) -> list[Candidate]:
    """One candidate per change: the members of a parallel group (or every stage, for a
    path-wide change such as one payload format) that one rule fires on become one fix."""
    groups: dict[tuple, list[Candidate]] = {}
    order: list[tuple] = []
    for cand in fired:
        merge = cand.rule.spec.merge
        key: tuple = (cand.rule.id, cand.stage)
        if cand.stage is not None and merge == "path":
            key = (cand.rule.id, "*")
        elif cand.stage is not None and merge == "group":
            group = scenario.stage(cand.stage).parallel_group
            if group is not None:
                key = (cand.rule.id, "group", group)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(cand)
    out = []
    for key in order:
        members = groups[key]
        if len(members) == 1:
            out.append(members[0])
            continue
        lead = max(members, key=lambda c: (float(c.facts["share"]), c.stage or ""))
        lead.members = [c.stage for c in members if c.stage is not None]
        lead.member_ends = {c.stage: c.ends for c in members if c.stage is not None}
        out.append(lead)
    return out


def _prepare(
    rule: CompiledRule,
    stage: str | None,
    facts: dict[str, FactValue],
    scenario: Scenario,
    out: list[Candidate],
    skipped: list[Skipped],
) -> None:
    effect = rule.spec.effect
    if stage is not None and float(facts["share"]) < MIN_SHARE and effect.stage_level():
        skipped.append(
            Skipped(
                rule.id,
                stage,
                f"the stage is {float(facts['share']):.1%} of the path: this fix cannot matter",
            )
        )
        return
    ranges = effect_values(rule, facts)
    raw = dict(ranges)
    ranges = phases.token_ranges(rule.spec.technique, stage, scenario, ranges)  # LLM in tokens
    calibrated = None
    if stage is not None and "speedup" in ranges:
        measured = scenario.stage(stage).calibration.get(rule.spec.technique)
        if measured is not None:
            ranges["speedup"] = (float(measured.speedup[0]), float(measured.speedup[1]))
            calibrated = measured.source or "on-box benchmark"
    ends = {end: effects.end_values(ranges, end) for end in ("low", "high", "mid")}
    cand = Candidate(
        rule=rule, stage=stage, facts=facts, ends=ends, calibrated=calibrated, raw_ranges=raw
    )
    cand.first = bool(rule.first_when is not None and rule.first_when.evaluate(facts))
    out.append(cand)


def rough_gain(cand: Candidate) -> float:
    """A cheap upper estimate of a fix's effect in ms, used only to choose which fixes to size
    when very many fire; effects that change traffic or the tail's shape always count as large."""
    values = cand.ends["high"]
    effect = cand.rule.spec.effect
    if cand.stage is None or effect.hedge_percentile is not None or effect.overlap_previous:
        return math.inf
    if set(values) & {"servers_factor", "load_kept", "clip_percentile", "perceived"}:
        return math.inf
    gain = 0.0
    if "speedup" in values:
        gain = max(gain, 1.0 - 1.0 / values["speedup"])
    if "cut" in values:
        gain = max(gain, values["cut"])
    if "hit_rate" in values:
        gain = max(gain, values["hit_rate"])
    if "median_ms" in values:
        gain = max(gain, 1.0 - values["median_ms"] / max(float(cand.facts["stage_p50_ms"]), 1e-9))
    return float(cand.facts["stage_ms"]) * gain


def _measure(cand: Candidate, projector: Projector, prefix: list[Step]) -> None:
    """Size the fix at both ends of its range, after the steps in `prefix`."""
    stage = cand.stage
    before = projector.project(prefix).ms if prefix else projector.current
    cand.before_ms = before
    results = {}
    for end in ("low", "high"):
        step = cand.steps.get(end) or candidate_step(projector, cand, end)
        cand.steps[end] = step
        results[end] = projector.project([*prefix, step])
    if "mid" not in cand.steps:
        cand.steps["mid"] = candidate_step(projector, cand, "mid")
    cand.projected = (results["low"].ms, results["high"].ms)
    if not projector.base_stable and not prefix:
        cand.restores_stability = results["low"].stable
        cand.may_restore_stability = results["high"].stable
    unbounded = not projector.base_stable and not prefix
    a = _saving(before, results["low"], unbounded)
    b = _saving(before, results["high"], unbounded)
    cand.saving = (min(a, b), max(a, b))
    if "perceived" in cand.ends["mid"] and stage is not None:
        per = [
            before - projector.project([*prefix, candidate_step(projector, cand, e, True)]).ms
            for e in ("low", "high")
        ]
        cand.perceived_saving = (min(per), max(per))


def _saving(before: float, after: Projection, unbounded: bool) -> float:
    """Today's latency minus the projection; against an unbounded queue, today's figure is only
    a lower bound, so a fix that restores a steady state is credited with no negative saving."""
    if unbounded and after.stable:
        return max(0.0, before - after.ms)
    return before - after.ms


def _not_worth(cand: Candidate, projector: Projector) -> str | None:
    """Why a fired rule is not listed, or None when it is."""
    if cand.restores_stability or cand.may_restore_stability:
        return None
    floor = max(MIN_SAVING_FRACTION * projector.current, 0.05)
    pct = f"p{projector.percentile:g}"
    if cand.saving[1] < 0 and cand.perceived_saving is None:
        return (
            f"at this traffic it would add {-cand.saving[1]:.1f}–{-cand.saving[0]:.1f} ms "
            f"at {pct} instead of saving time"
        )
    if cand.effective_saving < floor and cand.saving[1] < floor:
        return f"it would save under {floor:.1f} ms at {pct}"
    return None


# Classes of "saving against the gap": covers half the gap or more, a fifth, a twentieth, less.
COVERAGE_CLASSES = (0.5, 0.2, 0.05)


def coverage_class(saving: float, gap: float, current: float) -> int:
    coverage = min(saving, gap) / gap if gap > 0 else saving / max(current, 1e-9)
    for i, threshold in enumerate(COVERAGE_CLASSES):
        if coverage >= threshold - 1e-9:
            return i
    return len(COVERAGE_CLASSES)


def order_key(cand: Candidate, projector: Projector) -> tuple:
    """Pinned fixes first, then by level; within a level by the share of the gap a fix covers,
    running cost, accuracy risk and effort. When the SLA is already met there is no gap to
    cover: cost and risk come first (nothing is urgent, so nothing should cost much)."""
    spec = cand.rule.spec
    gap = max(cand.before_ms - projector.target, 0.0)
    saving = max(cand.effective_saving, 0.0)
    met = projector.met_with_room
    return (
        0 if cand.first else 1,
        LEVELS.index(spec.level),
        0 if met else coverage_class(saving, gap, projector.current),
        cost_rank(spec.cost),
        risk_rank(spec.accuracy_risk),
        (spec.effort_days[0] + spec.effort_days[1]) / 2.0,
        -saving,
        spec.id,
        cand.stage or "",
    )
