"""The token model of the selected LLM stage: GPU, tensor parallelism, prompt and batch in, the
estimate out (prefill, time to first token, time per token, KV cache, largest batch), and
"Apply to stage" as one undoable edit. Nothing is written until the user applies."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from latency_advisor.latency.tokens import LlmConfig, LlmInputError, TokenEstimate, estimate
from latency_advisor.llm_path import DEFAULT_GPU, llm_config
from latency_advisor.llm_specs import GPUS
from latency_advisor.scenario import Stage
from latency_advisor.ui.document import ScenarioDocument
from latency_advisor.ui.edits import EditRefused, with_data


class LlmPanel(QGroupBox):
    """Bound to `stages[row]` of the document when that stage is an LLM."""

    hint = Signal(str)

    def __init__(self, doc: ScenarioDocument, parent: QWidget | None = None):
        super().__init__("LLM in tokens (estimate)", parent)
        self.doc = doc
        self.row = -1
        self._loading = False
        self.config: LlmConfig | None = None
        self.result: TokenEstimate | None = None
        form = QFormLayout(self)
        self.gpu = QComboBox()
        for name in GPUS:
            self.gpu.addItem(name, name)
        self.gpu.setAccessibleName("GPU")
        self.tp = self._spin(1, 64, "Tensor-parallel GPUs")
        self.prompt = self._spin(1, 1_000_000, "Prompt tokens")
        self.batch = self._spin(1, 100_000, "Concurrent sequences per replica")
        form.addRow("GPU", self.gpu)
        form.addRow("GPUs (tensor parallel)", self.tp)
        form.addRow("Prompt tokens", self.prompt)
        form.addRow("Concurrent sequences", self.batch)
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.figures.setAccessibleName("LLM estimate")
        form.addRow(self.figures)
        self.apply = QPushButton("Apply to stage")
        self.apply.setToolTip(
            "Write the estimate's total as the stage's p50 and these settings into its model "
            "(one undoable edit)"
        )
        self.apply.clicked.connect(self.apply_to_stage)
        form.addRow(self.apply)
        self.gpu.currentIndexChanged.connect(lambda _i: self.refresh())
        doc.changed.connect(lambda _s: self.show_row(self.row))
        self.show_row(-1)

    def _spin(self, low: int, high: int, name: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setKeyboardTracking(False)
        spin.setAccessibleName(name)
        spin.valueChanged.connect(lambda _v: self.refresh())
        return spin

    def show_row(self, row: int) -> None:
        self.row = row
        stages = self.doc.scenario.stages
        stage = stages[row] if 0 <= row < len(stages) else None
        llm = stage is not None and stage.model is not None and stage.model.family == "llm"
        self.setVisible(llm)
        if not llm or stage is None:
            return
        cfg, _notes = llm_config(stage)
        self._loading = True
        try:
            m = stage.model
            assert m is not None
            gpu = cfg.gpu.name if cfg else (m.gpu or DEFAULT_GPU)
            self.gpu.setCurrentIndex(max(0, self.gpu.findData(gpu)))
            self.tp.setValue(cfg.tp if cfg else (m.gpus or 1))
            self.prompt.setValue(cfg.prompt_tokens if cfg else (m.prompt_tokens or 1000))
            self.batch.setValue(cfg.batch if cfg else (m.max_sequences or 1))
        finally:
            self._loading = False
        self.refresh()

    def stage(self) -> Stage | None:
        stages = self.doc.scenario.stages
        return stages[self.row] if 0 <= self.row < len(stages) else None

    def refresh(self) -> None:
        """Recompute the estimate from the form (the document is left alone)."""
        if self._loading:
            return
        stage = self.stage()
        self.config = self.result = None
        if stage is None or stage.model is None or stage.model.params_millions is None:
            self.figures.setText("Give the model's parameters to estimate it in tokens.")
            self.apply.setEnabled(False)
            return
        m = stage.model
        self.config = LlmConfig(
            params_millions=m.params_millions,
            gpu=GPUS[self.gpu.currentData()],
            precision=m.precision or "bf16",
            tp=self.tp.value(),
            prompt_tokens=self.prompt.value(),
            output_tokens=m.output_tokens or 300,
            batch=self.batch.value(),
            runtime="eager" if m.runtime == "pytorch" else "optimized",
        )
        try:
            self.result = estimate(self.config)
        except LlmInputError as exc:
            self.figures.setText(str(exc))
            self.apply.setEnabled(False)
            return
        e = self.result
        self.figures.setText(
            f"Prefill {e.prefill_ms:.0f} ms · first token {e.first_token_ms:.0f} ms · "
            f"{e.per_token_ms:.1f} ms per token · total {e.total_ms:.0f} ms for "
            f"{self.config.output_tokens} tokens\n"
            f"KV cache {e.kv_cache_mb_per_request:.0f} MB per request · up to {e.max_batch} "
            f"sequences fit · {e.tokens_per_s:.0f} tokens/s per GPU"
        )
        self.apply.setEnabled(True)

    def apply_to_stage(self) -> None:
        """One undoable edit: the estimate's total as p50, the settings into the model."""
        stage, cfg, est = self.stage(), self.config, self.result
        if stage is None or cfg is None or est is None:
            return
        row = self.row

        def mutate(data: dict[str, Any]) -> None:
            target = data["stages"][row]
            target["p50_ms"] = round(est.total_ms, 1)
            target["p95_ms"] = target["p99_ms"] = None  # their spread is assumed, and said so
            model = target.get("model") or {}
            model.update(
                gpu=cfg.gpu.name,
                gpus=cfg.tp,
                prompt_tokens=cfg.prompt_tokens,
                max_sequences=cfg.batch,
            )
            target["model"] = model

        try:
            after = with_data(self.doc.scenario, mutate)
        except EditRefused as exc:
            self.hint.emit(str(exc))
            return
        self.doc.edit(after, f"Apply the token estimate to '{stage.name}'")
