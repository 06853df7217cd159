"""The main window: sidebar of pages, toolbar, progress panel and status bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.logs import log_file
from desktop.presenters.charts import ChartsPresenter
from desktop.presenters.distribution import PreparePresenter, SendPresenter
from desktop.presenters.export import ExportPresenter
from desktop.presenters.history import HistoryPresenter
from desktop.presenters.jobs import JobRunner
from desktop.presenters.main import MainPresenter, Page, ProgressState
from desktop.presenters.review import ReviewPresenter
from desktop.presenters.scenario import ScenarioPresenter
from desktop.presenters.scenarios_table import ScenarioTablePresenter
from desktop.presenters.session import Change, Session
from desktop.presenters.validation import ValidationPresenter
from desktop.views.charts_page import ChartsPage
from desktop.views.export_page import ExportPage
from desktop.views.history_page import HistoryPage
from desktop.views.program_page import ProgramPage
from desktop.views.review_page import ReviewPage
from desktop.views.runner import QtJobRunner
from desktop.views.scenario_page import ScenarioPage
from desktop.views.validation_page import ValidationPage
from desktop.views.widgets import label, open_url, show_error
from partnerclose.api import __version__

WORKBOOK_FILTER = "Excel workbooks (*.xlsx *.xlsm);;All files (*)"
LEDGER_FILTER = "Ledger (*.sqlite);;All files (*)"
PAGE_ICONS = {
    Page.PROGRAM: QStyle.StandardPixmap.SP_FileDialogDetailedView,
    Page.VALIDATION: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Page.REVIEW: QStyle.StandardPixmap.SP_FileDialogContentsView,
    Page.CHARTS: QStyle.StandardPixmap.SP_FileDialogInfoView,
    Page.SCENARIO: QStyle.StandardPixmap.SP_BrowserReload,
    Page.EXPORT: QStyle.StandardPixmap.SP_DirOpenIcon,
    Page.HISTORY: QStyle.StandardPixmap.SP_FileDialogListView,
}


class ProgressPanel(QFrame):
    """Shown while a job runs: the step, the detail (partner), and Cancel."""

    def __init__(self, on_cancel: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("progressPanel")
        self.title = label("", "sectionTitle")
        self.stage = label("", "muted")
        self.detail = label("", "muted")
        self.stage_bar = QProgressBar()
        self.stage_bar.setRange(0, 100)
        self.stage_bar.setTextVisible(False)
        self.detail_bar = QProgressBar()
        self.detail_bar.setRange(0, 100)
        self.detail_bar.setTextVisible(False)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop the close; nothing is written (Esc)")
        self.cancel.clicked.connect(lambda *_: on_cancel())
        grid = QGridLayout(self)
        grid.setContentsMargins(20, 10, 20, 10)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.title, 0, 0, 1, 2)
        grid.addWidget(self.stage, 1, 0)
        grid.addWidget(self.stage_bar, 1, 1)
        grid.addWidget(self.detail, 2, 0)
        grid.addWidget(self.detail_bar, 2, 1)
        grid.addWidget(self.cancel, 1, 2, 2, 1, Qt.AlignmentFlag.AlignVCenter)
        grid.setColumnStretch(1, 1)
        grid.setColumnMinimumWidth(0, 280)
        self.hide()

    def show_state(self, state: ProgressState | None, can_cancel: bool) -> None:
        if state is None:
            self.hide()
            return
        self.title.setText(state.title + (" — cancelling…" if state.cancelling else ""))
        self.stage.setText(state.stage_text)
        self.stage_bar.setValue(state.stage_percent)
        self.detail.setText(state.detail_text or " ")
        if state.detail_percent < 0:
            self.detail_bar.setRange(0, 0)  # busy indicator
        else:
            self.detail_bar.setRange(0, 100)
            self.detail_bar.setValue(state.detail_percent)
        self.cancel.setEnabled(can_cancel and not state.cancelling)
        self.show()


class MainWindow(QMainWindow):
    def __init__(self, session: Session, runner: JobRunner | None = None) -> None:
        super().__init__()
        self.session = session
        self.runner: JobRunner = runner or QtJobRunner(self)
        self.main = MainPresenter(session, self.runner)
        self.validation = ValidationPresenter(session)
        self.review = ReviewPresenter(session)
        self.charts = ChartsPresenter(session)
        self.scenario = ScenarioPresenter(session, self.runner)
        self.scenario_table = ScenarioTablePresenter(session, self.runner)
        self.export = ExportPresenter(session)
        self.send_presenter = SendPresenter(session, self.runner)
        self.preparer = PreparePresenter(session)
        self.history = HistoryPresenter(session)

        self.setWindowTitle("PartnerClose")
        self.resize(1440, 900)
        self.setMinimumSize(1024, 680)
        self.setAcceptDrops(True)

        self.pages: dict[Page, QWidget] = {
            Page.PROGRAM: ProgramPage(self.main, self.validation, self.preparer),
            Page.VALIDATION: ValidationPage(self.validation),
            Page.REVIEW: ReviewPage(self.review),
            Page.CHARTS: ChartsPage(self.charts),
            Page.SCENARIO: ScenarioPage(self.scenario, self.scenario_table),
            Page.EXPORT: ExportPage(self.export, self.send_presenter),
            Page.HISTORY: HistoryPage(self.history),
        }
        self.stack = QStackedWidget()
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setIconSize(QSize(16, 16))
        for page, widget in self.pages.items():
            self.stack.addWidget(widget)
            item = QListWidgetItem(self.style().standardIcon(PAGE_ICONS[page]), page.value)
            item.setData(Qt.ItemDataRole.UserRole, page.name)
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)

        side = QWidget()
        side.setFixedWidth(196)
        side.setStyleSheet("background: #1d2939;")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(0)
        side_layout.addWidget(label("PartnerClose", "brand"))
        side_layout.addWidget(label("Partner settlements", "brandSub"))
        side_layout.addWidget(self.sidebar, 1)
        version = label(f"Version {__version__}", "brandSub")
        side_layout.addWidget(version)

        self.progress = ProgressPanel(self.main.cancel)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(0)
        content_layout.addWidget(self.stack, 1)
        content_layout.addWidget(self.progress)
        central = QWidget()
        central_layout = QHBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(side)
        central_layout.addWidget(content, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self.ledger_label = QLabel("")
        self.ledger_label.setObjectName("muted")
        self.period_label = QLabel("")
        self.statusBar().addPermanentWidget(self.period_label)
        self.statusBar().addPermanentWidget(self.ledger_label)
        self.statusBar().showMessage("Open a program workbook to begin (Ctrl+O).")
        self.sidebar.setCurrentRow(0)
        session.subscribe(self._session_changed)
        self.main.bind(self)

    # --- actions, toolbar, menus ------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        icon: QStyle.StandardPixmap | None = None,
        key: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if key:
            action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda *_: slot())
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        m = self.main
        self.open_action = self._action("Open…", m.choose_program, sp.SP_DialogOpenButton, "Ctrl+O")
        self.validate_action = self._action("Validate", m.validate, sp.SP_DialogApplyButton, "F5")
        self.draft_action = self._action(
            "Close draft", lambda: m.close(final=False), sp.SP_MediaPlay, "Ctrl+R"
        )
        self.final_action = self._action(
            "Close final…", lambda: m.close(final=True), sp.SP_DialogSaveButton
        )
        self.correct_action = self._action("Correct an earlier period…", m.correct_earlier_period)
        self.cancel_action = self._action("Cancel", m.cancel, sp.SP_BrowserStop, "Esc")
        self.folder_action = self._action(
            "Open output folder", self.export.open_folder, sp.SP_DirOpenIcon
        )
        self.log_action = self._action("Open log file", self._open_log)
        self.quit_action = self._action("Quit", self.close, key="Ctrl+Q")
        self.about_action = self._action("About PartnerClose", self._about)

        toolbar = QToolBar("Main")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(16, 16))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.open_action)
        toolbar.addSeparator()
        toolbar.addAction(self.validate_action)
        toolbar.addAction(self.draft_action)
        toolbar.addAction(self.final_action)
        toolbar.addAction(self.cancel_action)
        toolbar.addSeparator()
        toolbar.addAction(self.folder_action)
        self.addToolBar(toolbar)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = QMenu("Open &Recent", self)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.folder_action)
        file_menu.addAction(self.log_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        close_menu = menu.addMenu("&Close")
        for action in (self.validate_action, self.draft_action, self.final_action):
            close_menu.addAction(action)
        close_menu.addSeparator()
        close_menu.addAction(self.correct_action)
        close_menu.addSeparator()
        close_menu.addAction(self.cancel_action)
        view_menu = menu.addMenu("&View")
        for i, page in enumerate(self.pages):
            view_menu.addAction(self._action(page.value, self._shower(page), key=f"Ctrl+{i + 1}"))
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.log_action)
        help_menu.addAction(self.about_action)

    def _shower(self, page: Page) -> Callable[[], None]:
        return lambda: self.show_page(page)

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.main.recent_files()
        for path in recent:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda *_, p=path: self.main.open_program(p))
        self.recent_menu.setEnabled(bool(recent) and not self.session.busy)

    # --- MainView ------------------------------------------------------------------------------

    def refresh(self) -> None:
        m = self.main
        actions = m.actions()
        self.setWindowTitle(m.window_title())
        self.open_action.setEnabled(actions.open)
        self.validate_action.setEnabled(actions.validate)
        self.draft_action.setEnabled(actions.close)
        self.final_action.setEnabled(actions.close)
        self.correct_action.setEnabled(actions.close)
        self.cancel_action.setEnabled(actions.cancel)
        self.folder_action.setEnabled(self.export.can_open_folder())
        self.progress.cancel.setEnabled(actions.cancel)
        s = self.session
        self.period_label.setText(f"Period {s.period}  " if s.is_open else "")
        ledger = s.ledger_path()
        name = ledger.name if isinstance(ledger, Path) else m.ledger_text()
        self.ledger_label.setText(f"Ledger: {name}  " if ledger else "")
        self.ledger_label.setToolTip(m.ledger_text())
        program_page = self.pages[Page.PROGRAM]
        if isinstance(program_page, ProgramPage):
            program_page.refresh()
        self._refresh_recent_menu()

    def ask_open_file(self, start: Path | None) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Open a program workbook", str(start or Path.home()), WORKBOOK_FILTER
        )
        return Path(name) if name else None

    def ask_folder(self, title: str, start: Path | None) -> Path | None:
        name = QFileDialog.getExistingDirectory(self, title, str(start or Path.home()))
        return Path(name) if name else None

    def ask_ledger_file(self, start: Path | None) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Ledger file (an existing one, or a new one)",
            str(start or Path.home()),
            LEDGER_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        return Path(name) if name else None

    def ask_text(self, title: str, text: str, current: str) -> str | None:
        answer, accepted = QInputDialog.getText(self, title, text, text=current)
        return answer if accepted else None

    def confirm(self, title: str, text: str, accept_label: str) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        first, _, rest = text.partition("\n\n")
        box.setText(f"<b>{first}</b>")
        box.setInformativeText(rest)
        accept = box.addButton(accept_label, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        return box.clickedButton() is accept

    def show_error(self, title: str, text: str) -> None:
        show_error(self, title, text)

    def show_progress(self, state: ProgressState | None) -> None:
        self.progress.show_state(state, self.main.actions().cancel)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text)

    def show_page(self, page: Page) -> None:
        self.sidebar.setCurrentRow(list(self.pages).index(page))

    def current_page(self) -> Page:
        return list(self.pages)[self.stack.currentIndex()]

    # --- window events --------------------------------------------------------------------------

    def _session_changed(self, change: Change) -> None:
        if change in (Change.VALIDATION, Change.RECENT, Change.CLOSE, Change.FOLDERS):
            self.refresh()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [u.toLocalFile() for u in urls if u.isLocalFile()]
        if not self.session.busy and any(p.lower().endswith((".xlsx", ".xlsm")) for p in paths):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if self.main.open_dropped(u.toLocalFile() for u in urls if u.isLocalFile()):
            event.acceptProposedAction()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.session.busy:
            if not self.confirm(
                "A job is running",
                f"{self.session.busy} is still running.\n\nQuit anyway? The close is "
                "cancelled and nothing is written.",
                "Cancel it and quit",
            ):
                event.ignore()
                return
            self.main.cancel()
        if isinstance(self.runner, QtJobRunner):
            self.runner.shutdown()
        event.accept()

    def _open_log(self) -> None:
        path = log_file()
        if path.exists():
            open_url(path)
        else:
            self.show_error("No log yet", f"Nothing has been logged yet ({path}).")

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About PartnerClose",
            f"<b>PartnerClose {__version__}</b><br>Monthly partner close: cost sharing, "
            "revenue share, co-marketing and milestone payments, with statements.<br><br>"
            f"Log file: {log_file()}",
        )
