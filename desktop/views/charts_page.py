"""The Charts page: net per partner, and cost share by pool and participant."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from desktop.presenters.charts import ChartsPresenter
from desktop.views.charts import BarChart
from desktop.views.widgets import Page


class ChartsPage(Page):
    def __init__(self, presenter: ChartsPresenter) -> None:
        super().__init__(
            "Charts",
            "Hover a bar for its exact amount. Colours in the cost share chart follow the "
            "participants in the legend.",
        )
        self.presenter = presenter
        self.net = BarChart()
        self.cost_share = BarChart()
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(self.net, 1)
        row.addWidget(self.cost_share, 1)
        self.body.addLayout(row, 1)
        presenter.bind(self)

    def refresh(self) -> None:
        empty = self.presenter.headline() or "No data"
        self.net.set_data(self.presenter.net(), empty)
        self.cost_share.set_data(self.presenter.cost_share(), empty)
