"""The Qt binding itself: a release that mismanages references must never be installed again.

PySide6 6.12.0 drops a reference to None on every call that returns nothing (setPen, drawLine,
processEvents...). On Python 3.11, where None is not immortal, a painted chart makes hundreds of
such calls per paint, and the app aborted with "deallocating None" after a few hundred repaints.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from latency_advisor.analysis import analyze
from latency_advisor.scenario import load_scenario
from latency_advisor.ui.budget_chart import BudgetChart
from latency_advisor.ui.options_chart import OptionsChart
from latency_advisor.ui.plan_chart import PlanChart
from tests.conftest import EXAMPLES

CALLS = 5_000


def test_void_calls_keep_the_reference_count_of_none(qapp):
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            painter.setPen(QPen(QColor("red")))
            painter.drawLine(QPointF(0, 0), QPointF(9, 9))
            qapp.processEvents()
        lost = before - sys.getrefcount(None)
    finally:
        painter.end()
    assert lost < CALLS // 10, f"the Qt binding dropped {lost} references to None"


def test_charts_survive_thousands_of_repaints(qtbot):
    analysis = analyze(load_scenario(EXAMPLES / "rag_assistant.yaml"))
    for kind in (BudgetChart, PlanChart, OptionsChart):
        chart = kind()
        qtbot.addWidget(chart)
        chart.resize(900, 420)
        chart.show_analysis(analysis, "light")
        gc.collect()  # garbage of earlier tests, freed mid-loop, would drop references too
        before = sys.getrefcount(None)
        for _ in range(300):
            chart.grab()
        assert sys.getrefcount(None) >= before - 300, kind.__name__
