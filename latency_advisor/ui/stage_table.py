"""The editable stage table: add, remove, reorder, edit in place, refuse bad values with a hint.

The table model is a view of the document's scenario; `setData` turns the typed text into a new
validated scenario through `edits` and records it on the undo stack, or emits `refused` with the
hint and keeps the old value.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QTableView,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.scenario import STAGE_KINDS, Scenario
from latency_advisor.ui.document import ScenarioDocument
from latency_advisor.ui.edits import (
    EditRefused,
    parse_int,
    parse_ms,
    parse_percent_of_requests,
    with_data,
)

Index = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[tuple[str, str, str], ...] = (
    # key, header, tooltip
    ("name", "Stage", "Stage name (unique)"),
    ("kind", "Kind", "What the stage does"),
    ("p50_ms", "p50 ms", "Median latency in milliseconds"),
    ("p95_ms", "p95 ms", "95th percentile in milliseconds (blank: spread assumed)"),
    ("p99_ms", "p99 ms", "99th percentile in milliseconds (blank: spread assumed)"),
    ("calls", "Calls", "Sequential calls per request"),
    (
        "presence",
        "% of requests",
        "Share of requests that pass through the stage, in percent (blank: every request); "
        "the percentiles describe those requests",
    ),
    ("parallel_group", "Parallel group", "Stages sharing a group run concurrently"),
)
KEYS = [key for key, _, _ in COLUMNS]
LABELS = {key: header for key, header, _ in COLUMNS}
NUMERIC = frozenset({"p50_ms", "p95_ms", "p99_ms", "calls", "presence"})
# long headers on two lines, so the stage names keep their room in a narrow pane
HEADER_LINES = {"presence": "% of\nrequests", "parallel_group": "Parallel\ngroup"}


def _percent(fraction: float) -> str:
    """A fraction of requests as the percentage typed in the table (0.3 -> "30")."""
    return f"{fraction * 100:.4g}"


class StageTableModel(QAbstractTableModel):
    """Rows are the scenario's stages in request order."""

    refused = Signal(str, QModelIndex)

    def __init__(self, doc: ScenarioDocument, parent=None):
        super().__init__(parent)
        self.doc = doc
        self._stages = list(doc.scenario.stages)
        doc.changed.connect(self._on_changed)

    def _on_changed(self, scenario: Scenario) -> None:
        if len(scenario.stages) != len(self._stages):
            self.beginResetModel()
            self._stages = list(scenario.stages)
            self.endResetModel()
            return
        self._stages = list(scenario.stages)
        if self._stages:
            last = self.index(len(self._stages) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # -------------------------------------------------------------- read

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._stages)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                key = KEYS[section]
                return HEADER_LINES.get(key, LABELS[key])
            if role == Qt.ItemDataRole.ToolTipRole:
                return COLUMNS[section][2]
        elif role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        stage = self._stages[index.row()]
        key = KEYS[index.column()]
        value = getattr(stage, key)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if value is None:
                return ""
            if key == "presence":
                return _percent(value)
            if isinstance(value, float):
                return f"{value:g}"
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "name":  # the whole name, also where the column elides it
                return stage.name
            if key in ("p95_ms", "p99_ms") and value is None:
                return "Not given: the spread is assumed typical for the stage's kind"
            if key == "presence":
                if value is None:
                    return "Every request passes through this stage (blank: 100 %)"
                return (
                    f"{_percent(value)} % of requests pass through this stage; the others skip "
                    "it. Its percentiles describe the requests that have it."
                )
            return COLUMNS[index.column()][2]
        if role == Qt.ItemDataRole.ForegroundRole and value is None:
            from PySide6.QtGui import QPalette

            return QPalette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() else base

    # -------------------------------------------------------------- write

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        try:
            after = self.candidate(index, str(value))
        except EditRefused as exc:
            self.refused.emit(str(exc), QModelIndex(index))
            return False
        if after is None:
            return True
        row, key = index.row(), KEYS[index.column()]
        name = self._stages[row].name
        self.doc.edit(after, f"Edit {LABELS[key]} of '{name}'", merge_key=f"stage{row}.{key}")
        return True

    def candidate(self, index: Index, text: str) -> Scenario | None:
        """The scenario with `text` in the cell (None: unchanged), or EditRefused with a hint."""
        row, key = index.row(), KEYS[index.column()]
        new_value = _parse(key, text)
        if new_value == getattr(self._stages[row], key):
            return None

        def mutate(data: dict[str, Any]) -> None:
            data["stages"][row][key] = new_value

        return with_data(self.doc.scenario, mutate)

    def insert_stage(self, row: int) -> int:
        names = {s.name for s in self._stages}
        n = len(names) + 1
        while f"Stage {n}" in names:
            n += 1
        new = {"name": f"Stage {n}", "kind": "other", "p50_ms": 10.0}
        after = with_data(self.doc.scenario, lambda d: d["stages"].insert(row, new))
        self.doc.edit(after, f"Add stage 'Stage {n}'")
        return row

    def remove_stage(self, row: int) -> None:
        if len(self._stages) <= 1:
            raise EditRefused("a scenario needs at least one stage")
        name = self._stages[row].name
        after = with_data(self.doc.scenario, lambda d: d["stages"].pop(row))
        self.doc.edit(after, f"Remove stage '{name}'")

    def move_stage(self, row: int, delta: int) -> int:
        target = row + delta
        if not 0 <= target < len(self._stages):
            return row
        name = self._stages[row].name

        def mutate(data: dict[str, Any]) -> None:
            stages = data["stages"]
            stages.insert(target, stages.pop(row))

        self.doc.edit(with_data(self.doc.scenario, mutate), f"Move stage '{name}'")
        return target


def _parse(key: str, text: str) -> Any:
    label = LABELS[key]
    if key == "name":
        if not text.strip():
            raise EditRefused("A stage needs a name")
        return text.strip()
    if key == "kind":
        if text not in STAGE_KINDS:
            raise EditRefused(f"Kind must be one of {', '.join(STAGE_KINDS)}")
        return text
    if key in ("p50_ms", "p95_ms", "p99_ms"):
        return parse_ms(text, label, optional=key != "p50_ms")
    if key == "calls":
        return parse_int(text, label, 1, 10_000)
    if key == "presence":
        return parse_percent_of_requests(text, label)
    return text.strip() or None  # parallel_group


class StageDelegate(QStyledItemDelegate):
    """A kind picker for the Kind column; a hint beside the cell when a value is refused."""

    def createEditor(self, parent, option, index):
        if KEYS[index.column()] == "kind":
            combo = QComboBox(parent)
            combo.addItems(list(STAGE_KINDS))
            combo.setAccessibleName("Stage kind")
            return combo
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor, index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())
        else:
            super().setModelData(editor, model, index)

    def eventFilter(self, editor, event) -> bool:
        """Enter on a value the core refuses keeps the editor open with the text as typed, so
        the user corrects it in place; Escape still restores the old value."""
        if (
            isinstance(editor, QLineEdit)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            view = self.parent()
            index = view.currentIndex()
            model = view.model()
            try:
                model.candidate(index, editor.text())
            except EditRefused as exc:
                model.refused.emit(str(exc), QModelIndex(index))
                editor.selectAll()
                return True
        return super().eventFilter(editor, event)


NAME_MAX = 220
"""The widest the Stage column grows to fit a name before the name elides (with a tooltip)."""
NAME_PADDING = 8


class StageTable(QWidget):
    """The table with its add / remove / move buttons."""

    hint = Signal(str)

    def __init__(self, doc: ScenarioDocument, parent=None):
        super().__init__(parent)
        self.model = StageTableModel(doc, self)
        self.view = QTableView(self)
        self.view.setObjectName("stageTable")
        self.view.setAccessibleName("Stages of the serving path")
        self.view.setModel(self.model)
        self.view.setItemDelegate(StageDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)  # a long stage name elides on one line, as many as fit
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.view.installEventFilter(self)
        self.model.modelReset.connect(self.fit_name_column)
        self.model.dataChanged.connect(self.fit_name_column)
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.model.refused.connect(self._on_refused)

        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        self.add_button = self._button(
            "list-add",
            "+",
            "Add stage",
            "Add a stage below the selected one",
            self.add_stage,
            "Ctrl+Shift+N",
        )
        self.remove_button = self._button(
            "list-remove",
            "−",
            "Remove stage",
            "Remove the selected stage",
            self.remove_stage,
            QKeySequence.StandardKey.Delete,
        )
        self.up_button = self._button(
            "go-up",
            "↑",
            "Move stage up",
            "Move the selected stage earlier in the request",
            lambda: self.move(-1),
            "Alt+Up",
        )
        self.down_button = self._button(
            "go-down",
            "↓",
            "Move stage down",
            "Move the selected stage later in the request",
            lambda: self.move(1),
            "Alt+Down",
        )
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)

    def _button(self, icon: str, fallback: str, name: str, tip: str, slot, shortcut) -> QToolButton:
        from PySide6.QtGui import QIcon

        button = QToolButton(self)
        themed = QIcon.fromTheme(icon)
        if themed.isNull():
            button.setText(fallback)
        else:
            button.setIcon(themed)
        button.setAccessibleName(name)
        button.setToolTip(
            f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
        )
        button.setAutoRaise(True)
        button.setMinimumWidth(28)
        button.clicked.connect(slot)
        # the shortcut acts while the stage table has focus, not in the SLA fields
        action = QAction(name, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return button

    def current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self.fit_name_column()
        return super().eventFilter(watched, event)

    def fit_name_column(self, *_args) -> None:
        """The Stage column takes the room the numbers leave, but never less than its longest
        name needs (up to NAME_MAX px): in a narrow pane the numbers scroll, the names stay
        readable; a name longer still elides, with the whole name as its tooltip."""
        header = self.view.horizontalHeader()
        fm = self.view.fontMetrics()
        names = [self.model.index(r, 0).data() or "" for r in range(self.model.rowCount())]
        want = max([fm.horizontalAdvance(n) for n in names] + [fm.horizontalAdvance("Stage")])
        want = min(want + 2 * NAME_PADDING, NAME_MAX)
        others = sum(header.sectionSize(c) for c in range(1, self.model.columnCount()))
        room = self.view.viewport().width() - others
        header.resizeSection(0, max(want, room))

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.view.selectRow(row)
            self.view.setCurrentIndex(self.model.index(row, 0))

    def add_stage(self) -> None:
        row = self.current_row()
        at = row + 1 if row >= 0 else self.model.rowCount()
        self.select_row(self.model.insert_stage(at))

    def remove_stage(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        try:
            self.model.remove_stage(row)
        except EditRefused as exc:
            self.hint.emit(str(exc))
            return
        self.select_row(min(row, self.model.rowCount() - 1))

    def move(self, delta: int) -> None:
        row = self.current_row()
        if row >= 0:
            self.select_row(self.model.move_stage(row, delta))

    def _on_refused(self, message: str, index: QModelIndex) -> None:
        rect = self.view.visualRect(index)
        QToolTip.showText(
            self.view.viewport().mapToGlobal(rect.bottomLeft() + QPoint(0, 2)), message, self.view
        )
        self.hint.emit(message)
