"""The look of the app: one palette and one style sheet, used by every view."""

from __future__ import annotations

import contextlib

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = "#1f5fbf"
ACCENT_DARK = "#174a96"
SIDEBAR = "#1d2939"
SIDEBAR_TEXT = "#d0d5dd"
BACKGROUND = "#f3f5f8"
CARD = "#ffffff"
BORDER = "#d9dee6"
TEXT = "#1d2433"
MUTED = "#667085"
NEGATIVE = "#c62828"
POSITIVE = "#1b7f3b"
WARNING = "#a15c00"

# Chart series colours: distinct, print-safe, colour-blind friendly first.
PALETTE = (
    "#1f5fbf",
    "#e8871e",
    "#2a9d8f",
    "#c2185b",
    "#7b61ff",
    "#6a994e",
    "#d1495b",
    "#00798c",
    "#edae49",
    "#8d6e63",
    "#5c6bc0",
    "#9e9e9e",
    "#ef6f6c",
    "#3d5a80",
)

STATE_COLORS = {
    "ok": ("#e8f5ec", "#1b7f3b", "#b7e1c4"),
    "warning": ("#fff6e5", "#8a4b00", "#f5d79e"),
    "error": ("#fdecec", "#b42318", "#f5b5b0"),
    "info": ("#eef4fc", "#1d4f91", "#c7dbf5"),
}

STYLE_SHEET = f"""
QMainWindow, QWidget#page {{ background: {BACKGROUND}; }}
QWidget {{ color: {TEXT}; }}
QListWidget#sidebar {{
    background: {SIDEBAR}; color: {SIDEBAR_TEXT}; border: none; padding-top: 8px;
    font-size: 10.5pt; outline: 0;
}}
QListWidget#sidebar::item {{ padding: 9px 18px; border-left: 3px solid transparent; }}
QListWidget#sidebar::item:selected {{
    background: #2b3a52; color: white; border-left: 3px solid #5b9bff;
}}
QListWidget#sidebar::item:hover:!selected {{ background: #243246; }}
QLabel#brand {{
    background: {SIDEBAR}; color: white; font-size: 13pt; font-weight: 600;
    padding: 16px 18px 10px 18px;
}}
QLabel#brandSub {{ background: {SIDEBAR}; color: #98a2b3; padding: 0 18px 12px 18px; }}
QLabel#pageTitle {{ font-size: 16pt; font-weight: 600; color: {TEXT}; }}
QLabel#pageSubtitle {{ color: {MUTED}; }}
QLabel#sectionTitle {{ font-size: 10.5pt; font-weight: 600; color: {TEXT}; }}
QLabel#muted {{ color: {MUTED}; }}
QLabel#fieldLabel {{ color: {MUTED}; }}
QLabel#path {{ color: {TEXT}; }}
QLabel#bigAmount {{ font-size: 20pt; font-weight: 600; }}
QLabel#partnerTitle {{ font-size: 13pt; font-weight: 600; }}
QLabel#kpiLabel {{ color: {MUTED}; font-size: 8.5pt; }}
QLabel#kpiValue {{ font-size: 11.5pt; font-weight: 600; }}
QLabel#factName {{ color: {MUTED}; }}
QLabel#factValue {{ font-weight: 600; }}
QLabel#emptyTitle {{ font-size: 13pt; font-weight: 600; }}
QFrame#card {{ background: {CARD}; border: 1px solid {BORDER}; border-radius: 6px; }}
QFrame#banner {{ border-radius: 6px; }}
QTableView {{
    background: {CARD}; border: 1px solid {BORDER}; border-radius: 4px;
    gridline-color: #edf0f4; selection-background-color: #dbe7fb;
    selection-color: {TEXT};
}}
QHeaderView::section {{
    background: #f0f2f6; color: #344054; font-weight: 600; border: none; font-size: 8.8pt;
    border-bottom: 1px solid {BORDER}; border-right: 1px solid #e4e7ec; padding: 4px 6px;
}}
QPushButton {{
    background: white; border: 1px solid #c5ccd6; border-radius: 4px; padding: 5px 14px;
    min-height: 18px;
}}
QPushButton:hover {{ background: #f2f5f9; }}
QPushButton:disabled {{ color: #a0a7b4; background: #f5f6f8; border-color: #dde1e7; }}
QPushButton#primary {{
    background: {ACCENT}; color: white; border: 1px solid {ACCENT_DARK}; font-weight: 600;
}}
QPushButton#primary:hover {{ background: {ACCENT_DARK}; }}
QPushButton#primary:disabled {{ background: #9db5de; border-color: #9db5de; color: #eef2f8; }}
QPushButton#danger {{ color: #b42318; border-color: #e6a19b; font-weight: 600; }}
QPushButton#danger:hover {{ background: #fdf1f0; }}
QPushButton#danger:disabled {{ color: #d4a5a0; border-color: #ecd5d2; background: #f8f6f6; }}
QPushButton#large {{ padding: 9px 22px; font-size: 10.5pt; }}
QPushButton#filter {{ padding: 4px 10px; border-radius: 12px; }}
QPushButton#filter:checked {{ background: #dbe7fb; border-color: #8fb1ea; color: #173e7a; }}
QToolBar {{ background: white; border-bottom: 1px solid {BORDER}; spacing: 4px; padding: 4px 8px; }}
QToolBar QToolButton {{ padding: 5px 10px; border-radius: 4px; }}
QToolBar QToolButton:hover {{ background: #eef2f7; }}
QToolBar QToolButton:disabled {{ color: #a0a7b4; }}
QStatusBar {{ background: white; border-top: 1px solid {BORDER}; color: #475467; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{
    padding: 7px 16px; border: none; border-bottom: 2px solid transparent; color: #475467;
    background: transparent;
}}
QTabBar::tab:selected {{ color: {ACCENT}; border-bottom: 2px solid {ACCENT}; font-weight: 600; }}
QLineEdit, QPlainTextEdit {{
    background: white; border: 1px solid #c5ccd6; border-radius: 4px; padding: 4px 6px;
}}
QComboBox, QDateEdit, QDoubleSpinBox {{ min-height: 22px; }}
QProgressBar {{
    border: 1px solid {BORDER}; border-radius: 4px; background: #eef1f5; text-align: center;
    height: 14px;
}}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
QFrame#progressPanel {{ background: white; border-top: 1px solid {BORDER}; }}
QListWidget#recent {{ border: none; background: transparent; }}
QListWidget#recent::item {{ padding: 6px 4px; border-bottom: 1px solid #eef0f3; }}
QListWidget#recent::item:hover {{ background: #f2f6fc; }}
QSplitter::handle {{ background: {BACKGROUND}; }}
"""


def apply_style(app: QApplication) -> None:
    """A calm, light theme that looks the same on every platform (Fusion base)."""
    app.setStyle("Fusion")
    font = QFont(app.font())
    families = ("Segoe UI", "Helvetica Neue", "Inter", "Noto Sans", "DejaVu Sans")
    font.setFamilies(list(families))
    font.setPointSizeF(9.5)
    app.setFont(font)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(BACKGROUND))
    palette.setColor(QPalette.ColorRole.Base, QColor(CARD))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f8f9fb"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#dbe7fb"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.Text, QColor(TEXT))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(TEXT))
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)


def tabular_font(base: QFont) -> QFont:
    """Digits of equal width, so amounts line up without a monospace font."""
    font = QFont(base)
    with contextlib.suppress(AttributeError, TypeError):  # Qt < 6.7: default figures
        font.setFeature(QFont.Tag("tnum"), 1)
    return font
