"""The What-if page: demand multipliers, recomputed in memory, beside the actual close."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.presenters.scenario import MAX_FACTOR, MIN_FACTOR, STEP, ScenarioPresenter
from desktop.presenters.scenarios_table import ScenarioTablePresenter
from desktop.views.charts import BarChart
from desktop.views.scenario_table_panel import ScenarioTablePanel
from desktop.views.widgets import Banner, Page, TablePanel, button, card, hbox, label, show_error

HUNDRED = Decimal(100)


class FactorControl(QWidget):
    """A slider and a spin box for one multiplier (0.10 to 3.00, steps of 0.05)."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        super().__init__()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(int(MIN_FACTOR * HUNDRED), int(MAX_FACTOR * HUNDRED))
        self.slider.setSingleStep(int(STEP * HUNDRED))
        self.slider.setPageStep(25)
        self.slider.setTickInterval(50)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setMinimumWidth(260)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(int(MIN_FACTOR * HUNDRED) / 100, int(MAX_FACTOR * HUNDRED) / 100)
        self.spin.setSingleStep(int(STEP * HUNDRED) / 100)
        self.spin.setDecimals(2)
        self.spin.setPrefix("× ")
        self.spin.setMinimumWidth(90)
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.slider.valueChanged.connect(self._slider_moved)
        self.spin.valueChanged.connect(self._spin_changed)
        layout = hbox(self.slider, self.spin, spacing=10)
        self.setLayout(layout)
        self._on_change = on_change

    def value(self) -> Decimal:
        return Decimal(self.slider.value()) / HUNDRED

    def set_value(self, value: Decimal) -> None:
        self.slider.blockSignals(True)
        self.spin.blockSignals(True)
        self.slider.setValue(int(value * HUNDRED))
        self.spin.setValue(int(value * HUNDRED) / 100)
        self.slider.blockSignals(False)
        self.spin.blockSignals(False)

    def _slider_moved(self, hundredths: int) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(hundredths / 100)
        self.spin.blockSignals(False)
        self._on_change()

    def _spin_changed(self, value: float) -> None:
        hundredths = int(Decimal(str(value)) * HUNDRED)
        self.slider.blockSignals(True)
        self.slider.setValue(hundredths)
        self.slider.blockSignals(False)
        self._on_change()


class ScenarioPage(Page):
    def __init__(
        self, presenter: ScenarioPresenter, table: ScenarioTablePresenter | None = None
    ) -> None:
        super().__init__(
            "What-if",
            "Scale the period's demand, or change terms and costs in scenarios, and compare "
            "them with the actual close. Nothing is recorded.",
        )
        self.presenter = presenter
        self.usage = FactorControl(self._factors_changed)
        self.deals = FactorControl(self._factors_changed)
        self.recompute_button = button("Recompute", self._recompute, "primary")
        self.reset_button = button("Reset to actual", presenter.reset)
        self.busy = label("", "muted")
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        grid.addWidget(label("Usage (cost drivers)", "fieldLabel"), 0, 0)
        grid.addWidget(self.usage, 0, 1)
        grid.addWidget(label("Deal volume (revenue)", "fieldLabel"), 1, 0)
        grid.addWidget(self.deals, 1, 1)
        grid.setColumnStretch(2, 1)
        controls = QVBoxLayout()
        controls.setSpacing(10)
        controls.addLayout(grid)
        controls.addLayout(hbox(self.recompute_button, self.reset_button, 12, self.busy, None))
        demand = QWidget()
        self.demand = QVBoxLayout(demand)
        self.demand.setContentsMargins(0, 0, 0, 0)
        self.demand.addWidget(card(controls, 14))
        self.banner = Banner()
        self.demand.addWidget(self.banner)
        self.comparison = TablePanel("Net per partner")
        self.host = TablePanel("Host")
        self.host.view.setSortingEnabled(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(12)
        left_layout.addWidget(self.comparison, 1)
        left_layout.addWidget(self.host)
        self.chart = BarChart()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.chart)
        split.setChildrenCollapsible(False)
        split.setSizes([620, 480])
        self.demand.addWidget(split, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(demand, "Demand")
        self.terms: ScenarioTablePanel | None = None
        if table is not None:
            self.terms = ScenarioTablePanel(table)
            self.tabs.addTab(self.terms, "Terms and costs")
        self.body.addWidget(self.tabs, 1)
        # Slider moves recompute after a short pause, not on every pixel.
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(300)
        self.debounce.timeout.connect(self._recompute)
        presenter.bind(self)

    def refresh(self) -> None:
        p = self.presenter
        self.usage.set_value(p.usage_factor)
        self.deals.set_value(p.deal_factor)
        available = p.available()
        for widget in (self.usage, self.deals, self.recompute_button, self.reset_button):
            widget.setEnabled(available)
        self.busy.setText("Computing…" if p.running else "")
        self.banner.set_message(p.headline(), "info")
        self.comparison.set_table(p.comparison())
        self.host.set_table(p.host())
        self.host.fit_height(3)
        self.chart.set_data(p.chart(), "Press Recompute to compare the what-if with the close.")

    def show_error(self, title: str, text: str) -> None:
        show_error(self, title, text)

    def _factors_changed(self) -> None:
        self.presenter.set_factors(self.usage.value(), self.deals.value())
        self.debounce.start()

    def _recompute(self) -> None:
        self.debounce.stop()
        self.presenter.set_factors(self.usage.value(), self.deals.value())
        self.presenter.recompute()
