"""Where the open workbook is on this computer: its file, folder and sync root.

The partner folder, the ledger and the close folder are found next to the
workbook file, so the add-in must know that file for certain. Excel gives a
workbook opened from OneDrive or SharePoint an `https://` full name. xlwings
maps such a name itself (`Book.fullname`), and when its lookups fail it
searches the synced folders for any file of the same name, which can be
another copy (an archived `2025/program.xlsx`): the close would read the
wrong partner folder and write the wrong ledger. So the add-in reads Excel's
own full name (`Workbook.FullName`) and resolves it here:

1. a local path is taken as it is (it must be a file);
2. an address is mapped through the folders OneDrive syncs: the Windows
   registry (`HKCU\\Software\\SyncEngines\\Providers\\OneDrive\\*`: each synced
   library's `URLNamespace` and `MountPoint`), then, for OneDrive itself, the
   `OneDrive`/`OneDriveCommercial`/`OneDriveConsumer` environment variables;
3. anything else is refused with a message that says what to do: there is no
   search by name.

(The add-in's config sets `ADD_WORKBOOK_TO_PYTHONPATH` to false, so xlwings
does not try the mapping itself before PartnerClose runs.)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from urllib.parse import unquote

import xlwings as xw

from excel_addin.control import RequestError
from partnerclose.api import SyncRoot, root_of, sync_roots

_PERSONAL = re.compile(r"^https://d\.docs\.live\.net/[^/]+/(?P<rest>.+)$", re.IGNORECASE)
_BUSINESS = re.compile(
    r"^https://[^/]+-my\.sharepoint\.[^/]+/personal/[^/]+/Documents/(?P<rest>.+)$", re.IGNORECASE
)


class LocationError(RequestError):
    """The workbook's file on this computer is not known for certain."""


@dataclass(frozen=True, slots=True)
class Location:
    """The open workbook's file, and the synced folder it lies in (if any)."""

    path: Path
    address: str  # what Excel reports: the path, or the https:// address
    sync_root: Path | None = None

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def synced(self) -> bool:
        return self.sync_root is not None


def excel_full_name(book: xw.Book) -> str:
    """Excel's own `Workbook.FullName`, not xlwings's mapped `Book.fullname`."""
    api = book.api
    full_name = getattr(api, "FullName", None)  # Windows (COM), and the test engine
    if full_name is None:  # macOS (AppleScript)
        full_name = api.full_name.get()
    return str(full_name)


def resolve(full_name: str, roots: Iterable[SyncRoot], environ: Mapping[str, str]) -> Location:
    """The workbook's file for Excel's `full_name` (raises LocationError)."""
    roots = list(roots)
    if "://" not in full_name:
        path = Path(full_name)
        if not path.is_absolute() or not path.is_file():
            raise LocationError(
                f"save {path.name or full_name} in a folder on this computer first: the "
                "partner folder, the ledger and the close folder are found next to the "
                "workbook file"
            )
        return Location(path, full_name, root_of(path, roots))
    for candidate, root in _candidates(full_name, roots, environ):
        if candidate.is_file():
            return Location(candidate, full_name, root)
    raise LocationError(
        f"this workbook is open from {full_name}, and no copy of it synced to this "
        "computer was found where OneDrive keeps that library. Sync the library with "
        "OneDrive (Sync in SharePoint, or OneDrive ▸ Settings ▸ Account), then open the "
        "workbook from its folder in File Explorer or Finder. PartnerClose does not "
        "search for a file of the same name: another copy (an archived one) would close "
        "the wrong partner folder and ledger"
    )


def _candidates(
    url: str, roots: list[SyncRoot], environ: Mapping[str, str]
) -> Iterable[tuple[Path, Path]]:
    address = unquote(url)
    for root in roots:
        prefix = unquote(root.url)
        if prefix and address.lower().startswith(prefix.lower()):
            yield _joined(root.folder, address[len(prefix) :]), root.folder
    for pattern, variables in (
        (_PERSONAL, ("OneDriveConsumer", "OneDrive")),
        (_BUSINESS, ("OneDriveCommercial", "OneDrive")),
    ):
        match = pattern.match(address)
        if match is None:
            continue
        for variable in variables:
            value = environ.get(variable, "").strip()
            if value:
                yield _joined(Path(value), match.group("rest")), Path(value)


def _joined(folder: Path, relative: str) -> Path:
    parts = [part for part in PureWindowsPath(relative.replace("/", "\\")).parts if part]
    return folder.joinpath(*parts)


def locate(book: xw.Book, environ: Mapping[str, str] | None = None) -> Location:
    """Where the open `book` is on this computer (raises LocationError)."""
    environ = os.environ if environ is None else environ
    return resolve(excel_full_name(book), sync_roots(environ), environ)
