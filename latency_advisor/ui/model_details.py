"""Model details of the selected model stage: family, size, precision, runtime, hardware.

Rules read these to decide which serving and model-level levers apply (a quantization advice
needs to know the model is already int8), so they are edited beside the stage table.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.scenario import Scenario
from latency_advisor.ui.document import ScenarioDocument
from latency_advisor.ui.edits import MODEL_CHOICES, EditRefused, with_data
from latency_advisor.ui.llm_panel import LlmPanel

UNSET = "—"


class ModelDetails(QWidget):
    """A form bound to `stages[row].model` of the document."""

    hint = Signal(str)

    def __init__(self, doc: ScenarioDocument, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.row = -1
        self._loading = False
        self.box = QGroupBox("Model details")
        form = QFormLayout(self.box)
        self.note = QLabel()
        self.note.setWordWrap(True)
        form.addRow(self.note)
        self.combos: dict[str, QComboBox] = {}
        for field, words in MODEL_CHOICES.items():
            combo = QComboBox()
            combo.addItem(UNSET, None)
            for word in words:
                combo.addItem(word, word)
            combo.setAccessibleName(f"Model {field}")
            combo.setObjectName(f"model.{field}")
            combo.currentIndexChanged.connect(
                lambda _i, f=field, c=combo: self._commit(f, c.currentData())
            )
            self.combos[field] = combo
            form.addRow(field.capitalize(), combo)
        self.params = QDoubleSpinBox()
        self.params.setRange(0, 1e7)
        self.params.setDecimals(1)
        self.params.setSuffix(" M")
        self.params.setSpecialValueText(UNSET)
        self.params.setKeyboardTracking(False)
        self.params.setAccessibleName("Model parameters in millions")
        self.params.valueChanged.connect(lambda v: self._commit("params_millions", v or None))
        form.addRow("Parameters", self.params)
        self.tokens = QSpinBox()
        self.tokens.setRange(0, 1_000_000)
        self.tokens.setSpecialValueText(UNSET)
        self.tokens.setKeyboardTracking(False)
        self.tokens.setAccessibleName("Typical output tokens (LLM)")
        self.tokens.valueChanged.connect(lambda v: self._commit("output_tokens", v or None))
        form.addRow("Output tokens", self.tokens)
        self.streaming = QCheckBox("Streams output to the user")
        self.streaming.setAccessibleName("Model streams its output")
        self.streaming.toggled.connect(lambda on: self._commit("streaming", on))
        form.addRow("", self.streaming)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        self.llm = LlmPanel(doc)
        self.llm.hint.connect(self.hint)
        layout.addWidget(self.llm)
        doc.changed.connect(lambda _s: self.show_row(self.row))
        self.show_row(-1)

    def show_row(self, row: int) -> None:
        self.row = row
        if hasattr(self, "llm"):
            self.llm.show_row(row)
        scenario: Scenario = self.doc.scenario
        stage = scenario.stages[row] if 0 <= row < len(scenario.stages) else None
        is_model = stage is not None and stage.kind == "model"
        form: QFormLayout = self.box.layout()  # type: ignore[assignment]
        for widget in (*self.combos.values(), self.params, self.tokens, self.streaming):
            form.setRowVisible(widget, is_model)
        if stage is None:
            self.note.setText("Select a stage to see its details.")
        elif not is_model:
            self.note.setText(
                f"'{stage.name}' is a {stage.kind} stage; model details apply to "
                "stages of kind model."
            )
        else:
            self.note.setText(f"'{stage.name}'")
        self.note.setVisible(True)
        if not is_model:
            return
        info = stage.model
        self._loading = True
        try:
            for field, combo in self.combos.items():
                combo.setCurrentIndex(combo.findData(getattr(info, field) if info else None))
            self.params.setValue((info.params_millions or 0) if info else 0)
            self.tokens.setValue((info.output_tokens or 0) if info else 0)
            self.streaming.setChecked(bool(info and info.streaming))
        finally:
            self._loading = False

    def _commit(self, field: str, value: Any) -> None:
        if self._loading or self.row < 0:
            return
        row = self.row

        def mutate(data: dict[str, Any]) -> None:
            model = data["stages"][row].get("model") or {}
            model[field] = value
            data["stages"][row]["model"] = model

        try:
            after = with_data(self.doc.scenario, mutate)
        except EditRefused as exc:
            self.hint.emit(str(exc))
            self.show_row(row)
            return
        name = self.doc.scenario.stages[row].name
        self.doc.edit(
            after, f"Change model {field} of '{name}'", merge_key=f"stage{row}.model.{field}"
        )
