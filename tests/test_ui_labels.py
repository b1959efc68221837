"""Every label reads at the window's first size (1320×840) and at 1024×700, light and dark.

Where Qt can tell, text must fit its box: a tab's name its tab, a one-line label its width, a
wrapped label its height, a header its section; a table cell that elides its text carries the
whole text as its tooltip. Each tab is also written to test-artifacts/ to be looked at.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QScrollArea,
    QTableView,
    QTreeWidget,
)

from latency_advisor.ui import theme
from latency_advisor.ui.main_window import MainWindow
from latency_advisor.ui.workspace import TAB_KEYS
from tests.conftest import EXAMPLES

SIZES = [(1320, 840), (1024, 700)]
SLACK = 1  # a pixel of rounding between font metrics and layout


def _settle(app: QApplication, ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


@pytest.fixture(params=["light", "dark"])
def themed(request, qapp):
    theme.apply(request.param)
    yield request.param
    theme.apply("light")


def _window(size: tuple[int, int], tmp: Path) -> MainWindow:
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, autosave_dir=tmp / "autosave")
    window.resize(*size)
    window.show()
    window.build_workspace(EXAMPLES / "rag_assistant.yaml", offer_recovery=False)
    ws = window.workspace
    ws.runner.wait()
    ws.whatif.runner.wait()
    return window


def _clipped_labels(root) -> list[str]:
    """Visible plain-text labels whose text does not fit: wider than a one-line label, or
    taller than a wrapped label's height (the cut-in-half text)."""
    out = []
    for label in root.findChildren(QLabel):
        text = label.text()
        if not label.isVisible() or not text or label.textFormat() == Qt.TextFormat.RichText:
            continue
        if QtGui.Qt.mightBeRichText(text) and label.textFormat() != Qt.TextFormat.PlainText:
            continue
        box = label.contentsRect()
        if label.wordWrap():
            need = label.heightForWidth(label.width())
            if need > label.height() + SLACK:
                out.append(f"{text!r}: needs {need}px height, has {label.height()}")
        else:
            widest = max(label.fontMetrics().horizontalAdvance(t) for t in text.split("\n"))
            if widest > box.width() + SLACK and not label.toolTip():
                out.append(f"{text!r}: needs {widest}px, has {box.width()}")
    return out


def _clipped_headers(view: QAbstractItemView) -> list[str]:
    header = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
    model = view.model()
    fm = header.fontMetrics()
    out = []
    for col in range(model.columnCount()):
        text = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
        widest = max([fm.horizontalAdvance(line) for line in text.split("\n")] + [0])
        if widest > header.sectionSize(col) - 4 + SLACK:
            out.append(f"header {text!r}: needs {widest}px, has {header.sectionSize(col)}")
    return out


def _elided_cells_without_tooltip(view: QAbstractItemView, column: int) -> list[str]:
    """Cells of `column` whose text is wider than the column and whose tooltip lacks it."""
    model = view.model()
    header = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
    out = []

    def visit(parent) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, column, parent)
            text = str(index.data() or "")
            room = view.visualRect(index).width()
            need = view.fontMetrics().horizontalAdvance(text)
            tip = str(index.data(Qt.ItemDataRole.ToolTipRole) or "")
            if need > room + SLACK and text not in tip:
                out.append(f"{text!r}: needs {need}px, has {room}, tooltip {tip[:40]!r}")
            visit(model.index(row, 0, parent))

    visit(view.rootIndex())
    assert header.sectionSize(column) > 0
    return out


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_label_reads_on_every_tab(qapp, themed, artifacts_dir, size) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        window = _window(size, Path(tmp))
        ws = window.workspace
        try:
            problems = []
            bar = ws.tabs.tabBar()
            for key in TAB_KEYS[: ws.tabs.count()]:
                assert ws.show_tab(key)
                _settle(qapp)
                window.grab().save(
                    str(artifacts_dir / f"labels_{key}_{size[0]}x{size[1]}_{themed}.png")
                )
                problems += [f"[{key}] {p}" for p in _clipped_labels(ws.tabs.currentWidget())]
                page = ws.tabs.currentWidget()
                if isinstance(page, QScrollArea) and page.horizontalScrollBar().maximum() > 0:
                    problems.append(f"[{key}] wider than its pane: scrolls sideways")
            for i in range(bar.count()):
                text = bar.tabText(i).replace("&", "")
                rect = bar.tabRect(i)
                if (
                    not bar.rect().contains(rect)
                    or bar.fontMetrics().horizontalAdvance(text) > rect.width()
                ):
                    problems.append(f"tab {text!r} cut")
            problems += [f"[inputs] {p}" for p in _clipped_labels(ws.splitter.widget(0))]
            stages = ws.stages.view
            problems += _clipped_headers(stages)
            problems += _elided_cells_without_tooltip(stages, 0)
            assert stages.horizontalScrollBar().value() == 0  # the Stage column is in view
            ws.show_tab("recommendations")
            _settle(qapp)
            tree = ws.recommendations.tree
            assert isinstance(tree, QTreeWidget)
            problems += _clipped_headers(tree)
            problems += _elided_cells_without_tooltip(tree, 0)
            assert not problems, "\n".join(problems)
        finally:
            window.setWindowModified(False)
            window.close()
            window.deleteLater()
            qapp.processEvents()


def test_the_stage_column_fits_its_names_at_the_first_size(qapp) -> None:
    """The issue's "N…" and "P…" under a header cut to "tag": names of up to NAME_MAX pixels
    show whole beside the numbers."""
    from latency_advisor.ui.stage_table import NAME_MAX

    with tempfile.TemporaryDirectory() as tmp:
        window = _window((1320, 840), Path(tmp))
        try:
            _settle(qapp)
            view = window.workspace.stages.view
            fm = view.fontMetrics()
            for row in range(view.model().rowCount()):
                index = view.model().index(row, 0)
                need = fm.horizontalAdvance(index.data())
                assert need <= NAME_MAX
                assert view.visualRect(index).width() >= need, index.data()
        finally:
            window.setWindowModified(False)
            window.close()
            window.deleteLater()


def test_an_elided_legend_entry_shows_its_whole_name_on_hover(qapp) -> None:
    """At 1024×700 the plan's numbered key elides long step names; hovering one gives it whole."""
    with tempfile.TemporaryDirectory() as tmp:
        window = _window((1024, 700), Path(tmp))
        try:
            window.workspace.show_tab("plan")
            _settle(qapp)
            chart = window.workspace.plan.chart.canvas
            chart.grab()
            steps = [b for b in chart.spec.bars if b.kind == "step"]
            keys = {f"{b.number}  {b.name}" for b in steps}
            fm = chart.fontMetrics()
            tips = [(rect, tip) for rect, tip in chart.hit_areas() if tip in keys]
            assert tips, "no elided entry at 1024 px: the check would prove nothing"
            for rect, tip in tips:
                assert chart.tooltip_at(rect.center()) == tip
                assert fm.horizontalAdvance(tip) > rect.width()  # it was elided
        finally:
            window.setWindowModified(False)
            window.close()
            window.deleteLater()
