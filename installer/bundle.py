"""What goes into the PyInstaller bundle: read by installer/partnerclose.spec.

- The entry script (installer/entry.py) and the checkout on the module search path
  (an editable install's import hook is invisible to PyInstaller's analysis).
- The close's template workbooks, where the writers look for them (installer.templates).
- Only the Qt the app uses: QtCore, QtGui, QtWidgets, and of their plugins the platforms
  (windows, cocoa, xcb, offscreen, minimal), styles, image formats, icon engines, platform
  themes and input contexts. Wayland, EGLFS, VNC, network and TLS plugins are dropped,
  and the Qt libraries only they load. `dangling_imports` proves no kept binary needs a
  dropped library.
- No numpy, pandas, Tk or xlwings: the app does not use them (openpyxl imports
  numpy only if present). No pyarrow (170 MB): Parquet lines (`lines_format` parquet)
  are for programs closed from the command line at warehouse scale; the app says so
  plainly when a program asks for them. Pillow stays: openpyxl keeps a template's pictures with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath, PurePosixPath

from installer.templates import template_dest, template_files

ENTRY = Path(__file__).resolve().with_name("entry.py")
SPEC = Path(__file__).resolve().with_name("partnerclose.spec")

# A PyInstaller TOC entry: (name in the bundle, source path, type code).
TocEntry = tuple[str, str, str]

# Used by the package, left out of the app on purpose: the close refuses plainly without
# them (pyarrow: Parquet outputs, reading/parquet_values.arrow; tests/test_parquet_outputs;
# pyspark and py4j: the Spark row engine, refused at the Program sheet's engine cell).
LEFT_OUT_ON_PURPOSE = ("pyarrow", "pyspark", "py4j")

EXCLUDED_MODULES = (
    *LEFT_OUT_ON_PURPOSE,
    "numpy",
    "pandas",
    "tkinter",
    "_tkinter",
    "xlwings",
    "IPython",
    "matplotlib",
    "pytest",
    "hypothesis",
    # the row engines are for servers and clusters (docs/engines.md): the desktop app
    # closes on the Decimal core, and says so at the Program sheet's engine cell if asked
    # for another (pyarrow alone is 160 MB): in LEFT_OUT_ON_PURPOSE above
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtSql",
    "PySide6.QtSvg",
    "PySide6.QtSvgWidgets",
    "PySide6.QtPrintSupport",
    "PySide6.QtTest",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
)

QT_PLUGIN_KINDS = frozenset(
    {
        "platforms",
        "styles",
        "imageformats",
        "iconengines",
        "platformthemes",
        "platforminputcontexts",
        "xcbglintegrations",
    }
)
# Platform plugins kept (file stems without "lib"): the desktop ones and offscreen.
QT_PLATFORMS = frozenset({"qwindows", "qdirect2d", "qcocoa", "qxcb", "qoffscreen", "qminimal"})
# Qt libraries that only the dropped plugins load (matched by module name).
QT_DROPPED_LIBRARIES = frozenset(
    {
        "Network",
        "WaylandClient",
        "WaylandEglClientHwIntegration",
        "WlShellIntegration",
        "EglFSDeviceIntegration",
        "EglFsKmsSupport",
    }
)

_QT_LIBRARY = re.compile(
    r"^(?:lib)?Qt6?(?P<module>[A-Z][A-Za-z]+?)(?:\.framework|\.so(?:\.\d+)*|\.dll|(?:\.\d+)*\.dylib)?$"
)


# The TrueType fonts the PDF statements embed (partnerclose/statements/pdf.py), which
# ReportLab ships as data files beside its package, where PyInstaller does not look.
PDF_FONTS = ("Vera.ttf", "VeraBd.ttf")


def datas() -> list[tuple[str, str]]:
    """(source, folder in the bundle) for the template workbooks and the PDF fonts."""
    import reportlab

    dest = str(template_dest())
    fonts = Path(reportlab.__file__).resolve().parent / "fonts"
    return [(str(path), dest) for path in template_files()] + [
        (str(fonts / name), "reportlab/fonts") for name in PDF_FONTS
    ]


def qt_library_module(name: str) -> str | None:
    """`Network` for libQt6Network.so.6, Qt6Network.dll, QtNetwork.framework; else None."""
    match = _QT_LIBRARY.match(PurePath(name).name)
    return match.group("module") if match else None


def _parts(dest: str) -> tuple[str, ...]:
    return PurePosixPath(dest.replace("\\", "/")).parts


def qt_plugin(dest: str) -> tuple[str, str] | None:
    """(kind, stem) of a Qt plugin's bundle path, e.g. ("platforms", "qxcb"); else None."""
    parts = _parts(dest)
    if "PySide6" not in parts or "plugins" not in parts:
        return None
    index = parts.index("plugins")
    if len(parts) < index + 3:
        return None
    stem = parts[-1].split(".")[0]
    return parts[index + 1], stem.removeprefix("lib")


def dropped_library(dest: str) -> bool:
    """A Qt library (or a file of its macOS framework) that only dropped plugins load."""
    return any(qt_library_module(part) in QT_DROPPED_LIBRARIES for part in _parts(dest))


def keep(dest: str) -> bool:
    """Whether a binary or data file at `dest` in the bundle is kept."""
    plugin = qt_plugin(dest)
    if plugin is not None:
        kind, stem = plugin
        if kind not in QT_PLUGIN_KINDS:
            return False
        if kind == "platforms" and stem not in QT_PLATFORMS:
            return False
    return not dropped_library(dest)


def prune(toc: Iterable[TocEntry]) -> list[TocEntry]:
    return [entry for entry in toc if keep(entry[0])]


def dangling_imports(
    kept: Iterable[TocEntry],
    dropped: Iterable[TocEntry],
    imports_of: Callable[[str], Iterable[str]],
) -> list[str]:
    """`kept binary -> dropped library` for every link a pruning would break."""
    dropped_names = {PurePath(dest).name for dest, _, _ in dropped}
    dropped_names |= {
        name for dest, _, _ in dropped for name in _parts(dest) if name.endswith(".framework")
    }
    broken = []
    for dest, source, kind in kept:
        if kind not in {"BINARY", "EXTENSION"}:
            continue
        for name in imports_of(source):
            base = PurePath(name).name
            framework = next((p for p in _parts(name) if p.endswith(".framework")), None)
            if base in dropped_names or (framework and framework in dropped_names):
                broken.append(f"{dest} -> {name}")
    return broken


def pyinstaller_imports(source: str) -> list[str]:
    """The libraries a binary links to, by PyInstaller's own analysis."""
    from PyInstaller.depend import bindepend  # type: ignore[import-untyped]

    return [str(name) for name, _ in bindepend.get_imports(source)]
