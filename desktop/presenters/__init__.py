"""Presenters: the desktop app's logic, in plain Python that knows nothing of Qt.

Each presenter owns a view protocol (the few calls it makes on its view) and
works on the `Session`, the open program and its last validation and close.
The Qt widgets in `desktop.views` implement those protocols; the tests use
fake views.
"""
