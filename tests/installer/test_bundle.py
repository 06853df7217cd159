"""What the PyInstaller bundle keeps (installer/bundle.py), without building it."""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath

import pytest

from installer import bundle, templates

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        # Linux wheels: PySide6/Qt/plugins/...
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platforms/libqminimalegl.so", False),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", False),
        ("PySide6/Qt/plugins/generic/libqevdevmouseplugin.so", False),
        ("PySide6/Qt/lib/libQt6Network.so.6", False),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", True),
        # Windows wheels: PySide6/plugins/... and Qt6*.dll beside the bindings
        ("PySide6\\plugins\\platforms\\qwindows.dll", True),
        ("PySide6\\plugins\\platforms\\qdirect2d.dll", True),
        ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", True),
        ("PySide6\\plugins\\networkinformation\\qnetworklistmanager.dll", False),
        ("PySide6\\Qt6Network.dll", False),
        ("PySide6\\Qt6Gui.dll", True),
        # macOS wheels: frameworks
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("PySide6/Qt/lib/QtNetwork.framework/Versions/A/QtNetwork", False),
        ("PySide6/Qt/lib/QtNetwork.framework/Resources/Info.plist", False),
        ("PySide6/Qt/lib/QtGui.framework/Versions/A/QtGui", True),
        # everything else stays
        ("templates/statement.xlsx", True),
        ("python_calamine/_python_calamine.cpython-311-x86_64-linux-gnu.so", True),
        ("libssl.so.3", True),
    ],
)
def test_only_the_qt_the_app_uses_is_kept(dest: str, kept: bool):
    assert bundle.keep(dest) is kept


def test_qt_library_names_on_every_system():
    assert bundle.qt_library_module("libQt6Network.so.6") == "Network"
    assert bundle.qt_library_module("Qt6Network.dll") == "Network"
    assert bundle.qt_library_module("libQt6EglFsKmsSupport.so.6") == "EglFsKmsSupport"
    assert bundle.qt_library_module("QtNetwork.framework") == "Network"
    assert bundle.qt_library_module("QtNetwork") == "Network"
    assert bundle.qt_library_module("libpyside6.abi3.so.6.12") is None
    assert bundle.qt_library_module("QtCore.abi3.so") is None  # the binding, not the library


def test_a_kept_binary_linking_a_dropped_library_is_reported():
    kept = [
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("templates/statement.xlsx", "/src/statement.xlsx", "DATA"),
    ]
    dropped = [("PySide6/Qt/lib/libQt6Network.so.6", "/src/libQt6Network.so.6", "BINARY")]
    links = {
        "/src/libQt6Gui.so.6": ["libQt6Core.so.6", "libc.so.6"],
        "/src/libqxcb.so": ["/src/libQt6Network.so.6", "libQt6Gui.so.6"],
    }
    broken = bundle.dangling_imports(kept, dropped, lambda source: links[source])
    assert broken == ["PySide6/Qt/plugins/platforms/libqxcb.so -> /src/libQt6Network.so.6"]
    del links["/src/libqxcb.so"]
    assert bundle.dangling_imports(kept[:1], dropped, lambda source: links[source]) == []


def test_the_templates_go_where_the_writers_look_for_them():
    from partnerclose.statements import writers

    datas = {Path(src).name: dest for src, dest in bundle.datas()}
    assert {"statement.xlsx", "close_pack.xlsx"} <= datas.keys()
    # writers.TEMPLATES is <folder holding the packages>/templates: in the bundle that
    # folder is sys._MEIPASS (_internal/), so the templates go to _internal/templates
    relative = writers.TEMPLATES.resolve().relative_to(templates.packages_root())
    assert {d for n, d in datas.items() if n.endswith(".xlsx")} == {relative.as_posix()}
    assert relative.as_posix() == "templates"
    # the PDF statements' fonts go where ReportLab's package looks for them
    assert datas["Vera.ttf"] == datas["VeraBd.ttf"] == "reportlab/fonts"
    assert templates.template_dest() == PurePosixPath("templates")


def _imported_and_named_modules(folder: Path) -> set[str]:
    """Top-level modules a package imports, or names in a string (find_spec("PIL"))."""
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)
    return names


def test_the_excluded_modules_are_not_used_by_the_app():
    used = _imported_and_named_modules(ROOT / "partnerclose") | _imported_and_named_modules(
        ROOT / "desktop"
    )
    excluded_and_used = sorted(
        m
        for m in bundle.EXCLUDED_MODULES
        if m not in bundle.LEFT_OUT_ON_PURPOSE
        and any(u == m or u.startswith(f"{m}.") for u in used)
    )
    assert excluded_and_used == []  # else: take it off bundle.EXCLUDED_MODULES
