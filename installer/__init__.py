"""Packaging for finance users: the desktop app bundle, the add-in's Python, the installer.

- `python -m installer.build_app`: the one-folder desktop app (PyInstaller).
- `python -m installer.addin_config`: the add-in's config file for the installed layout.
- `python -m installer.build_windows`: the staged Windows layout and, with Inno Setup,
  `PartnerClose-<version>-setup.exe` (installer/partnerclose.iss).

docs/install.md is the guide; `installer.layout` names every folder and file once.
"""
