"""The benchmarks tab: measure a model on this machine and attach the result to a model stage.

The benchmark engine runs in a child process (a model can crash or run away; the window must
not). Until the engine is part of this build, the tab says so instead of offering dead buttons.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from latency_advisor.ui import installed


def engine_available() -> bool:
    return installed("latency_advisor.bench.jobs")


class BenchTab(QWidget):
    """Placeholder until the benchmark engine lands."""

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        label = QLabel(
            "<h3>Benchmarks are not available in this build yet</h3>"
            "<p>On-box ONNX Runtime benchmarks (built-in reference models or your own "
            "<code>.onnx</code> file, with variants, progress and cancel) will appear here. "
            "Meanwhile, <code>latency-advisor bench</code> runs from the command line.</p>"
        )
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addStretch(1)

    def load_model_file(self, path) -> None:
        """A dropped `.onnx` file: nothing to do until the engine lands."""
