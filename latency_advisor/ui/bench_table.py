"""The benchmark results as a Qt table model: one row per measured variant.

Cells show the numbers a person compares (percentiles with their 95% confidence intervals,
throughput, speedup, output difference); the sort role holds the raw number so columns sort by
value, and the tooltip says how the row was measured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from latency_advisor.bench.results import fmt_ms
from latency_advisor.bench.speedup_spec import INTERIM

SORT_ROLE = Qt.ItemDataRole.UserRole
Index = QModelIndex | QPersistentModelIndex


def _with_ci(point: str, ci: list | None, fmt: Callable[[float | None], str]) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return point
    return f"{point} [{fmt(ci[0])}, {fmt(ci[1])}]"


def _fmt_x(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[dict[str, Any]], str]
    value: Callable[[dict[str, Any]], Any]
    tip: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "Variant", lambda r: r["variant"], lambda r: r["variant"], "precision/threads/opt/batch"
    ),
    Column(
        "p50 ms [95% CI]",
        lambda r: _with_ci(fmt_ms(r.get("p50_ms")), r.get("p50_ci_ms"), fmt_ms),
        lambda r: r.get("p50_ms"),
        "median latency of one call, with its distribution-free 95% confidence interval",
    ),
    Column(
        "p95 ms",
        lambda r: fmt_ms(r.get("p95_ms")),
        lambda r: r.get("p95_ms"),
        "95th percentile latency of one call",
    ),
    Column(
        "p99 ms [95% CI]",
        lambda r: _with_ci(fmt_ms(r.get("p99_ms")), r.get("p99_ci_ms"), fmt_ms),
        lambda r: r.get("p99_ms"),
        "99th percentile latency; a wide interval means too few samples for a firm p99",
    ),
    Column(
        "Throughput /s",
        lambda r: f"{r['throughput_per_s']:,.0f}" if r.get("throughput_per_s") else "–",
        lambda r: r.get("throughput_per_s"),
        "items per second on one closed-loop caller (batch items count one each)",
    ),
    Column(
        "Speedup [95% CI]",
        lambda r: _with_ci(_fmt_x(r.get("speedup_vs_baseline")) + "×", r.get("speedup_ci"), _fmt_x),
        lambda r: r.get("speedup_vs_baseline"),
        "against the FP32 baseline (first row); for larger batches, throughput per item",
    ),
    Column(
        "Max |diff|",
        lambda r: (
            "–" if r.get("max_abs_output_diff") is None else f"{r['max_abs_output_diff']:.2g}"
        ),
        lambda r: r.get("max_abs_output_diff"),
        "largest absolute difference of any output from the baseline's on the same inputs",
    ),
)


def row_tooltip(row: dict[str, Any]) -> str:
    parts = [
        f"lever: {row.get('lever', '?')}",
        f"samples: {row.get('samples', '?')}",
        f"threads: {row.get('threads', '?')}, opt level: {row.get('opt_level', '?')}, "
        f"batch: {row.get('batch', '?')}",
    ]
    if row.get("stopped_by"):
        parts.append(f"timing stopped by: {row['stopped_by']}")
    return "\n".join(parts)


class BenchResultsModel(QAbstractTableModel):
    """Read-only rows of a benchmark report (CONTRACTS.md §4 `results`)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    @property
    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def append_row(self, row: dict[str, Any]) -> None:
        at = len(self._rows)
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.append(row)
        self.endInsertRows()

    def put_row(self, row: dict[str, Any], interim: bool = False) -> None:
        """Add a variant's row, or replace the one already shown for that variant.

        Interim rows (numbers so far, while a run measures) are shown in italics."""
        row = row | {INTERIM: True} if interim else row
        for at, shown in enumerate(self._rows):
            if shown.get("variant") == row.get("variant"):
                self._rows[at] = row
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))
                return
        self.append_row(row)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section].tip
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = self._rows[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            value = column.value(row)
            return float("-inf") if value is None else value
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.get(INTERIM):
                return "Still measuring: these numbers settle as rounds complete.\n" + row_tooltip(
                    row
                )
            return row_tooltip(row)
        if role == Qt.ItemDataRole.FontRole and row.get(INTERIM):
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
