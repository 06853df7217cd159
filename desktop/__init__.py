"""The PySide6 desktop app (a thin view over presenters that know nothing of Qt)."""
