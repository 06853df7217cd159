"""Charts drawn with QPainter: horizontal bars, side by side or stacked.

Values stay Decimal until they become pixels (an int), so no amount passes
through a float. Labels are elided to fit; hovering a bar shows its exact value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop.presenters.charts import EMPTY_CHART, ChartData
from desktop.presenters.formatting import money, percent
from desktop.views.style import BORDER, MUTED, NEGATIVE, PALETTE, TEXT, tabular_font

ZERO = Decimal(0)
PAD = 16
ROW_MIN, ROW_MAX = 22, 44
LEGEND_SWATCH = 10

_XOf = Callable[[Decimal], int]  # a value to an x pixel


def nice_step(span: Decimal, ticks: int = 5) -> Decimal:
    """1, 2 or 5 times a power of ten, so that `span` takes about `ticks` steps."""
    if span <= 0:
        return Decimal(1)
    rough = span / ticks
    base = Decimal(1).scaleb(rough.adjusted())
    for factor in (1, 2, 5, 10):
        if base * factor >= rough:
            return base * factor
    return base * 10


def axis_range(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """(low, high, step): includes 0, rounded out to whole steps."""
    low = min([ZERO, *values])
    high = max([ZERO, *values])
    if low == high:
        high = low + 1
    step = nice_step(high - low)
    low = (low / step).to_integral_value(ROUND_FLOOR) * step
    high = (high / step).to_integral_value(ROUND_CEILING) * step
    return low, high, step


def compact(value: Decimal) -> str:
    """Axis labels: 25,000 -> 25k, 1,500,000 -> 1.5M."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{value / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
    if magnitude >= 1_000:
        return f"{value / 1_000:.1f}".rstrip("0").rstrip(".") + "k"
    return f"{value:.0f}"


@dataclass(frozen=True, slots=True)
class _Hit:
    rect: QRect
    text: str


class BarChart(QWidget):
    """Horizontal bars per category; several series side by side, or stacked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: ChartData = EMPTY_CHART
        self.empty_text = "No data"
        self._hits: list[_Hit] = []
        self.setMouseTracking(True)
        self.setMinimumSize(360, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"background: white; border: 1px solid {BORDER}; border-radius: 6px;")

    def set_data(self, data: ChartData, empty_text: str = "No data") -> None:
        self.data = data
        self.empty_text = empty_text
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        rows = max(len(self.data.categories), 4)
        return QSize(640, 110 + rows * 28 + self._legend_rows(600) * 20)

    # --- layout helpers ------------------------------------------------------------------

    def _legend_rows(self, width: int) -> int:
        if len(self.data.series) < 2:
            return 0
        metrics = QFontMetrics(self.font())
        x, rows = 0, 1
        for series in self.data.series:
            item = LEGEND_SWATCH + 6 + metrics.horizontalAdvance(series.name) + 18
            if x + item > width and x > 0:
                rows += 1
                x = 0
            x += item
        return rows

    def _color(self, series_index: int, value: Decimal) -> QColor:
        series = self.data.series[series_index]
        if len(self.data.series) == 1 and not self.data.stacked and value < 0:
            return QColor(NEGATIVE)
        return QColor(PALETTE[series.color % len(PALETTE)])

    # --- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self._hits = []
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        area = self.rect().adjusted(PAD, PAD - 4, -PAD, -PAD + 4)
        base = self.font()
        title_font = QFont(base)
        title_font.setPointSizeF(base.pointSizeF() + 1.5)
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(QColor(TEXT))
        title_h = QFontMetrics(title_font).height()
        painter.drawText(
            QRect(area.left(), area.top(), area.width(), title_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.data.title or "",
        )
        y = area.top() + title_h + 2
        painter.setFont(base)
        metrics = QFontMetrics(base)
        line_h = metrics.height()
        if self.data.subtitle:
            painter.setPen(QColor(MUTED))
            flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
            bounds = metrics.boundingRect(
                QRect(area.left(), y, area.width(), line_h * 2), int(flags), self.data.subtitle
            )
            height = min(bounds.height(), line_h * 2)
            painter.drawText(
                QRect(area.left(), y, area.width(), height), int(flags), self.data.subtitle
            )
            y += height
        y += 8
        if self.data.empty:
            painter.setPen(QColor(MUTED))
            painter.drawText(
                QRect(area.left(), y, area.width(), area.bottom() - y),
                Qt.AlignmentFlag.AlignCenter,
                self.empty_text,
            )
            return
        y = self._paint_legend(painter, area.left(), y, area.width(), metrics)
        self._paint_bars(painter, QRect(area.left(), y, area.width(), area.bottom() - y), metrics)

    def _paint_legend(
        self, painter: QPainter, left: int, top: int, width: int, metrics: QFontMetrics
    ) -> int:
        if len(self.data.series) < 2:
            return top
        x, y = left, top
        line_h = metrics.height()
        for i, series in enumerate(self.data.series):
            item = LEGEND_SWATCH + 6 + metrics.horizontalAdvance(series.name) + 18
            if x + item > left + width and x > left:
                x = left
                y += line_h + 4
            swatch = QRect(x, y + (line_h - LEGEND_SWATCH) // 2, LEGEND_SWATCH, LEGEND_SWATCH)
            painter.fillRect(swatch, self._color(i, ZERO))
            painter.setPen(QColor(TEXT))
            painter.drawText(
                QRect(x + LEGEND_SWATCH + 6, y, item, line_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                series.name,
            )
            x += item
        return y + line_h + 10

    def _paint_bars(self, painter: QPainter, area: QRect, metrics: QFontMetrics) -> None:
        data = self.data
        n = len(data.categories)
        totals = data.totals()
        extremes = list(totals) if data.stacked else [v for s in data.series for v in s.values]
        low, high, step = axis_range(extremes)
        label_w = min(
            max(metrics.horizontalAdvance(c) for c in data.categories) + 12,
            area.width() // 3,
        )
        value_w = max(metrics.horizontalAdvance(money(v, data.decimals)) for v in extremes) + 10
        axis_h = metrics.height() + 6
        plot = QRect(
            area.left() + label_w,
            area.top(),
            max(area.width() - label_w - value_w, 40),
            max(area.height() - axis_h, 20),
        )
        if low < 0:  # room for labels left of negative bars
            plot.setLeft(plot.left() + value_w // 2)
        row_h = max(ROW_MIN, min(ROW_MAX, plot.height() // max(n, 1)))
        span = high - low

        def x_of(value: Decimal) -> int:
            return plot.left() + int((value - low) * plot.width() / span)

        # grid and axis labels
        painter.setPen(QPen(QColor("#eceff3"), 1))
        tick = low
        bottom = plot.top() + row_h * n
        while tick <= high:
            x = x_of(tick)
            painter.drawLine(x, plot.top(), x, bottom)
            painter.setPen(QColor(MUTED))
            painter.drawText(
                QRect(x - 40, bottom + 4, 80, metrics.height()),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                compact(tick),
            )
            painter.setPen(QPen(QColor("#eceff3"), 1))
            tick += step
        zero_x = x_of(ZERO)
        painter.setPen(QPen(QColor("#98a2b3"), 1))
        painter.drawLine(zero_x, plot.top(), zero_x, bottom)

        value_font = tabular_font(painter.font())
        for row, category in enumerate(data.categories):
            top = plot.top() + row * row_h
            painter.setPen(QColor(TEXT))
            painter.drawText(
                QRect(area.left(), top, label_w - 10, row_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(category, Qt.TextElideMode.ElideRight, label_w - 10),
            )
            if data.stacked:
                self._paint_stack(painter, row, top, row_h, x_of, totals[row], category)
                end = x_of(totals[row])
                self._value_label(painter, value_font, metrics, totals[row], end, top, row_h)
            else:
                self._paint_group(painter, value_font, metrics, row, top, row_h, x_of, category)

    def _paint_stack(
        self,
        painter: QPainter,
        row: int,
        top: int,
        row_h: int,
        x_of: _XOf,
        total: Decimal,
        category: str,
    ) -> None:
        bar_h = min(row_h - 8, 26)
        bar_top = top + (row_h - bar_h) // 2
        running = ZERO
        for i, series in enumerate(self.data.series):
            value = series.values[row]
            if value <= 0:
                continue
            left, right = x_of(running), x_of(running + value)
            rect = QRect(left, bar_top, max(right - left, 1), bar_h)
            painter.fillRect(rect, self._color(i, value))
            if right - left > 2:
                painter.setPen(QPen(QColor("white"), 1))
                painter.drawLine(right, bar_top, right, bar_top + bar_h - 1)
            share = percent(value / total, 1) if total else ""
            text = f"{category}\n{series.name}: {money(value, self.data.decimals)} ({share})"
            self._hits.append(_Hit(rect, text))
            running += value

    def _paint_group(
        self,
        painter: QPainter,
        value_font: QFont,
        metrics: QFontMetrics,
        row: int,
        top: int,
        row_h: int,
        x_of: _XOf,
        category: str,
    ) -> None:
        count = len(self.data.series)
        inner = min(row_h - 8, 22 if count == 1 else 13 * count)
        bar_h = max(inner // count, 4)
        zero_x = x_of(ZERO)
        first_top = top + (row_h - bar_h * count) // 2
        for i, series in enumerate(self.data.series):
            value = series.values[row]
            end = x_of(value)
            bar_top = first_top + i * bar_h
            rect = QRect(min(zero_x, end), bar_top, max(abs(end - zero_x), 1), bar_h - 1)
            painter.fillRect(rect, self._color(i, value))
            name = f"{series.name}: " if count > 1 else ""
            self._hits.append(_Hit(rect, f"{category}\n{name}{money(value, self.data.decimals)}"))
            if count == 1:
                self._value_label(painter, value_font, metrics, value, end, top, row_h)

    def _value_label(
        self,
        painter: QPainter,
        font: QFont,
        metrics: QFontMetrics,
        value: Decimal,
        end: int,
        top: int,
        row_h: int,
    ) -> None:
        text = money(value, self.data.decimals)
        width = metrics.horizontalAdvance(text) + 4
        painter.setFont(font)
        painter.setPen(QColor(NEGATIVE) if value < 0 else QColor(TEXT))
        if value < 0:
            rect = QRect(end - width - 6, top, width, row_h)
            align = Qt.AlignmentFlag.AlignRight
        else:
            rect = QRect(end + 6, top, width, row_h)
            align = Qt.AlignmentFlag.AlignLeft
        painter.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, text)

    # --- tooltips --------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tooltip_at(self, point: QPoint) -> str:
        for hit in self._hits:
            if hit.rect.adjusted(0, -1, 0, 1).contains(point):
                return hit.text
        return ""
