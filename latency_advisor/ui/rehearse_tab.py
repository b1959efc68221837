"""The Rehearse tab: the talk track with a speaking timer, and drills scored on the spot.

A thin view over latency_advisor.rehearsal: it turns the core's talk tracks and drill scores into
widgets and the user's clicks into core calls. A card's scenario is analysed on a worker thread,
so picking a card never freezes the window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from latency_advisor.analysis import Analysis, analyze
from latency_advisor.atomic import atomic_write_text
from latency_advisor.errors import UserError
from latency_advisor.rehearsal.cards import Card, load_cards
from latency_advisor.rehearsal.drill import (
    METRICS,
    DrillAnswer,
    Expected,
    expected_answer,
    shuffled_items,
)
from latency_advisor.rehearsal.framework import LENGTHS
from latency_advisor.rehearsal.markdown import spoken_time, talk_track_markdown
from latency_advisor.rehearsal.scoring import DrillScore, format_score, score_answer
from latency_advisor.rehearsal.talk_track import TalkTrack, build_talk_track
from latency_advisor.rehearsal.wording import technique_label
from latency_advisor.scenario import Scenario

ITEM_ROLE = Qt.ItemDataRole.UserRole


class _JobSignals(QObject):
    done = Signal(int, object, object)  # token, card, expected
    failed = Signal(int, str)


class _CardJob(QRunnable):
    """Analyse a card's scenario off the UI thread and work out the expected answer."""

    def __init__(self, token: int, card: Card):
        super().__init__()
        self.token = token
        self.card = card
        self.signals = _JobSignals()

    def run(self) -> None:
        try:
            scenario = self.card.load_scenario()
            expected = expected_answer(self.card, analyze(scenario), scenario)
        except Exception as exc:  # shown to the user in the tab, never a crash of the window
            self.signals.failed.emit(self.token, f"{type(exc).__name__}: {exc}")
            return
        self.signals.done.emit(self.token, self.card, expected)


class RehearseTab(QWidget):
    """Talk track (length, timer, export) and drills (order fixes, pick metric and option)."""

    drill_ready = Signal(object)  # Expected
    drill_failed = Signal(str)
    scored = Signal(object)  # DrillScore

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._analysis: Analysis | None = None
        self._scenario: Scenario | None = None
        self._questions: list[str] = []
        self._track: TalkTrack | None = None
        self._expected: Expected | None = None
        self._token = 0
        self._jobs: set[_CardJob] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._elapsed = QElapsedTimer()
        self._elapsed_before_ms = 0
        self._cards: tuple[Card, ...] = ()

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_track_page(), "Talk track")
        self.tabs.addTab(self._build_drill_page(), "Drill")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._build_timer_row())
        self._load_cards()
        self._show_track()

    # ------------------------------------------------------------------ talk track page

    def _build_track_page(self) -> QWidget:
        page = QWidget(self)
        self.length_combo = QComboBox(page)
        self.length_combo.setAccessibleName("Talk track length")
        for length in LENGTHS.values():
            self.length_combo.addItem(length.label, length.id)
        self.length_combo.setCurrentIndex(list(LENGTHS).index("2min"))
        self.length_combo.currentIndexChanged.connect(self._show_track)
        self.words_label = QLabel(page)
        self.words_label.setWordWrap(True)  # two lines rather than a row wider than the pane
        self.export_md_button = QPushButton("Export Markdown…", page)
        self.export_md_button.clicked.connect(self._ask_export_markdown)
        self.export_pdf_button = QPushButton("Export PDF…", page)
        self.export_pdf_button.clicked.connect(self._ask_export_pdf)
        top = QHBoxLayout()
        top.addWidget(QLabel("Length:", page))
        top.addWidget(self.length_combo)
        top.addWidget(self.words_label, 1)
        top.addWidget(self.export_md_button)
        top.addWidget(self.export_pdf_button)

        self.track_view = QTextBrowser(page)
        self.track_view.setAccessibleName("Talk track")
        self.track_view.setOpenLinks(False)

        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.track_view, 1)
        return page

    def _build_timer_row(self) -> QHBoxLayout:
        """The speaking timer, under both pages: for the talk track and for a drill said aloud."""
        self.timer_label = QLabel(self)
        self.timer_label.setAccessibleName("Speaking time")
        self.timer_button = QPushButton("Start timer", self)
        self.timer_button.clicked.connect(self._toggle_timer)
        self.timer_reset_button = QPushButton("Reset", self)
        self.timer_reset_button.clicked.connect(self.reset_timer)
        self._ticker = QTimer(self)
        self._ticker.setInterval(250)
        self._ticker.timeout.connect(self._tick)
        row = QHBoxLayout()
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(QLabel("Speaking practice:", self))
        row.addWidget(self.timer_label, 1)
        row.addWidget(self.timer_button)
        row.addWidget(self.timer_reset_button)
        return row

    def set_analysis(
        self,
        analysis: Analysis | None,
        scenario: Scenario | None = None,
        questions: list[str] | None = None,
    ) -> None:
        """Show the talk track of `analysis`; the scenario adds its traffic and quality budget,
        `questions` the tradeoff questions to prepare (shown and exported after the steps)."""
        self._analysis = analysis
        self._scenario = scenario
        self._questions = list(questions or [])
        self._show_track()

    @property
    def track(self) -> TalkTrack | None:
        return self._track

    def _show_track(self) -> None:
        length_id = self.length_combo.currentData()
        if self._analysis is None:
            self._track = None
            self.track_view.setPlainText("Open a scenario to rehearse its analysis here.")
            self.words_label.clear()
            self.export_md_button.setEnabled(False)
            self.export_pdf_button.setEnabled(False)
        else:
            self._track = build_talk_track(self._analysis, length_id, scenario=self._scenario)
            self.track_view.setMarkdown(talk_track_markdown(self._track, self._questions))
            self.words_label.setText(
                f"{self._track.words} words, about {spoken_time(self._track.speaking_seconds)}"
            )
            self.export_md_button.setEnabled(True)
            self.export_pdf_button.setEnabled(True)
        self._update_timer_label()

    def export_markdown(self, path: str | Path) -> None:
        """Write the current talk track as Markdown (atomically)."""
        if self._track is None:
            raise UserError("no talk track to export: open a scenario first")
        atomic_write_text(path, talk_track_markdown(self._track, self._questions))

    def export_pdf(self, path: str | Path) -> None:
        """Write the current talk track as a short PDF (atomically)."""
        from latency_advisor.rehearsal.pdf import write_talk_track_pdf

        if self._track is None or self._analysis is None:
            raise UserError("no talk track to export: open a scenario first")
        write_talk_track_pdf(path, self._track, self._analysis, self._questions)

    def _ask_export_markdown(self) -> None:
        self._ask_export("talk-track.md", "Markdown (*.md)", self.export_markdown)

    def _ask_export_pdf(self) -> None:
        self._ask_export("talk-track.pdf", "PDF (*.pdf)", self.export_pdf)

    def _ask_export(self, name: str, kind: str, export) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export talk track", name, kind)
        if not path:
            return
        try:
            export(path)
        except (OSError, UserError) as exc:
            QMessageBox.warning(self, "Export failed", str(exc))

    # ------------------------------------------------------------------ timer

    def _target_seconds(self) -> int:
        return LENGTHS[self.length_combo.currentData()].seconds

    def elapsed_seconds(self) -> int:
        running = self._elapsed.elapsed() if self._ticker.isActive() else 0
        return (self._elapsed_before_ms + running) // 1000

    def _toggle_timer(self) -> None:
        if self._ticker.isActive():
            self._elapsed_before_ms += self._elapsed.elapsed()
            self._ticker.stop()
            self.timer_button.setText("Start timer")
        else:
            self._elapsed.start()
            self._ticker.start()
            self.timer_button.setText("Pause timer")
        self._update_timer_label()

    def reset_timer(self) -> None:
        self._ticker.stop()
        self._elapsed_before_ms = 0
        self.timer_button.setText("Start timer")
        self._update_timer_label()

    def _tick(self) -> None:
        self._update_timer_label()

    def _update_timer_label(self) -> None:
        spent, target = self.elapsed_seconds(), self._target_seconds()
        text = f"{spoken_time(spent)} of {spoken_time(target)}"
        if spent > target:
            text += f" (over by {spoken_time(spent - target)})"
        self.timer_label.setText(text)

    # ------------------------------------------------------------------ drill page

    def _build_drill_page(self) -> QWidget:
        page = QWidget(self)
        self.card_combo = QComboBox(page)
        self.card_combo.setAccessibleName("Drill card")
        self.card_combo.currentIndexChanged.connect(self._card_changed)
        self.question_label = QLabel(page)
        self.question_label.setWordWrap(True)
        self.question_label.setTextFormat(Qt.TextFormat.PlainText)

        self.fix_list = QListWidget(page)
        self.fix_list.setAccessibleName("Your answer, in order; untick what you would not do")
        self.fix_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.fix_list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.up_button = QPushButton("Move up", page)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = QPushButton("Move down", page)
        self.down_button.clicked.connect(lambda: self.move_selected(+1))
        self.up_button.setShortcut(QKeySequence("Ctrl+Up"))
        self.down_button.setShortcut(QKeySequence("Ctrl+Down"))
        self.up_button.setToolTip("Move the selected item up (Ctrl+Up)")
        self.down_button.setToolTip("Move the selected item down (Ctrl+Down)")
        moves = QVBoxLayout()
        moves.addWidget(self.up_button)
        moves.addWidget(self.down_button)
        moves.addStretch(1)
        order_row = QHBoxLayout()
        order_row.addWidget(self.fix_list, 1)
        order_row.addLayout(moves)

        self.metric_combo = QComboBox(page)
        self.metric_combo.setAccessibleName("Latency to optimize")
        self.metric_combo.addItem("choose…", None)
        for metric in METRICS:
            self.metric_combo.addItem(metric, metric)
        self.option_combo = QComboBox(page)
        self.option_combo.setAccessibleName("Option to propose")
        form = QFormLayout()
        form.addRow("Latency you optimize:", self.metric_combo)
        form.addRow("Option you propose:", self.option_combo)

        self.score_button = QPushButton("Score my answer", page)
        self.score_button.clicked.connect(self.score)
        self.result_view = QTextBrowser(page)
        self.result_view.setAccessibleName("Drill score and explanation")
        self.questions_view = QLabel(page)
        self.questions_view.setWordWrap(True)
        self.questions_view.setTextFormat(Qt.TextFormat.PlainText)

        layout = QVBoxLayout(page)
        layout.addWidget(self.card_combo)
        layout.addWidget(self.question_label)
        layout.addWidget(QLabel("Order your answer (drag, or use the buttons):", page))
        layout.addLayout(order_row, 2)
        layout.addLayout(form)
        layout.addWidget(self.score_button)
        layout.addWidget(self.result_view, 2)
        layout.addWidget(self.questions_view)
        return page

    def _load_cards(self) -> None:
        try:
            self._cards = load_cards()
        except UserError as exc:
            self._cards = ()
            self.question_label.setText(str(exc))
        self.card_combo.blockSignals(True)
        self.card_combo.addItem("Pick a drill card…", None)
        for card in self._cards:
            self.card_combo.addItem(card.title, card.id)
        self.card_combo.blockSignals(False)
        self._set_drill_enabled(False)

    @property
    def expected(self) -> Expected | None:
        return self._expected

    def select_card(self, card_id: str) -> None:
        index = self.card_combo.findData(card_id)
        if index < 0:
            raise UserError(f"no drill card {card_id!r}")
        self.card_combo.setCurrentIndex(index)

    def _card_changed(self) -> None:
        card_id = self.card_combo.currentData()
        self._token += 1
        self._expected = None
        self.fix_list.clear()
        self.option_combo.clear()
        self.result_view.clear()
        self.questions_view.clear()
        self._set_drill_enabled(False)
        card = next((c for c in self._cards if c.id == card_id), None)
        if card is None:
            self.question_label.setText("")
            return
        self.question_label.setText(f"{card.question}\n\nAnalysing the scenario…")
        job = _CardJob(self._token, card)
        job.setAutoDelete(False)
        job.signals.done.connect(self._card_ready)
        job.signals.failed.connect(self._card_failed)
        self._jobs.add(job)
        self._pool.start(job)

    def _card_ready(self, token: int, card: Card, expected: Expected) -> None:
        self._forget_jobs(token)
        if token != self._token:
            return  # the user picked another card meanwhile
        self._expected = expected
        self.question_label.setText(card.question)
        for item_id in shuffled_items(expected):
            item = QListWidgetItem(technique_label(item_id))
            item.setData(ITEM_ROLE, item_id)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsDragEnabled
            )
            item.setCheckState(Qt.CheckState.Checked)
            self.fix_list.addItem(item)
        if expected.options:
            self.option_combo.addItem("choose…", None)
            for option in expected.options:
                self.option_combo.addItem(option.name, option.name)
            self.option_combo.setEnabled(True)
        else:
            self.option_combo.addItem("no options in this analysis yet", None)
            self.option_combo.setEnabled(False)
        if card.tradeoff_questions:
            listed = "\n".join(f"• {q}" for q in card.tradeoff_questions)
            self.questions_view.setText(f"Tradeoff questions to prepare:\n{listed}")
        self._set_drill_enabled(True)
        self.drill_ready.emit(expected)

    def _card_failed(self, token: int, message: str) -> None:
        self._forget_jobs(token)
        if token == self._token:
            self.question_label.setText(f"This card's scenario could not be analysed: {message}")
            self.drill_failed.emit(message)

    def _forget_jobs(self, token: int) -> None:
        self._jobs = {job for job in self._jobs if job.token > token}

    def _set_drill_enabled(self, enabled: bool) -> None:
        for widget in (
            self.fix_list,
            self.up_button,
            self.down_button,
            self.metric_combo,
            self.score_button,
        ):
            widget.setEnabled(enabled)

    def move_selected(self, step: int) -> None:
        row = self.fix_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.fix_list.count():
            return
        item = self.fix_list.takeItem(row)
        self.fix_list.insertItem(target, item)
        self.fix_list.setCurrentRow(target)

    def answer(self) -> DrillAnswer:
        """The answer as the widgets hold it: ticked items in list order, metric, option."""
        items = []
        for row in range(self.fix_list.count()):
            item = self.fix_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                items.append(item.data(ITEM_ROLE))
        return DrillAnswer(
            items=items,
            metric=self.metric_combo.currentData(),
            option=self.option_combo.currentData() if self.option_combo.isEnabled() else None,
        )

    def score(self) -> DrillScore | None:
        if self._expected is None:
            return None
        result = score_answer(self._expected, self.answer())
        self.result_view.setPlainText(format_score(result))
        self.scored.emit(result)
        return result

    def shutdown(self) -> None:
        """Wait for a running card analysis; call before the window closes."""
        self._pool.waitForDone(5000)
