"""QSettings behind the presenters' SettingsStore."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

ORGANIZATION = "PartnerClose"
APPLICATION = "PartnerClose Desktop"


class QtSettingsStore:
    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings or QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
        )

    @classmethod
    def at(cls, path: Path) -> QtSettingsStore:
        """Settings in one INI file (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    def get(self, key: str) -> str | None:
        value = self.settings.value(key)
        return value if isinstance(value, str) else None

    def put(self, key: str, value: str) -> None:
        self.settings.setValue(key, value)
        self.settings.sync()
