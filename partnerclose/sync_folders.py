"""The folders OneDrive keeps in sync on this computer (OneDrive itself, SharePoint
libraries): where a file is shared by syncing rather than by a server.

An SQLite ledger in such a folder is safe for one person only: two people closing
at once, or a sync conflict, can damage it. Windows lists the synced libraries in
the registry (`HKCU\\Software\\SyncEngines\\Providers\\OneDrive\\*`: each one's
`MountPoint` and the `URLNamespace` it mirrors); OneDrive names its own folders in
the environment (`OneDrive`, `OneDriveCommercial`, `OneDriveConsumer`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ONEDRIVE_KEY = r"Software\SyncEngines\Providers\OneDrive"
ONEDRIVE_VARIABLES = ("OneDriveCommercial", "OneDriveConsumer", "OneDrive")


@dataclass(frozen=True, slots=True)
class SyncRoot:
    """A folder OneDrive keeps in sync; `url` the address it mirrors ("" unknown)."""

    folder: Path
    url: str = ""


def registry_sync_roots() -> list[SyncRoot]:
    """The libraries OneDrive syncs, from the Windows registry (none elsewhere)."""
    if sys.platform != "win32":
        return []
    import winreg

    roots: list[SyncRoot] = []
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, ONEDRIVE_KEY) as providers:
            for index in range(winreg.QueryInfoKey(providers)[0]):
                name = winreg.EnumKey(providers, index)
                with winreg.OpenKey(providers, name) as key:
                    try:
                        mount, _ = winreg.QueryValueEx(key, "MountPoint")
                        url, _ = winreg.QueryValueEx(key, "URLNamespace")
                    except OSError:
                        continue
                    roots.append(SyncRoot(Path(mount), str(url)))
    except OSError:
        return roots
    return roots


def environment_sync_roots(environ: Mapping[str, str]) -> list[SyncRoot]:
    """OneDrive's own folders, as OneDrive sets them in the environment."""
    found: list[SyncRoot] = []
    for variable in ONEDRIVE_VARIABLES:
        value = environ.get(variable, "").strip()
        if value and all(root.folder != Path(value) for root in found):
            found.append(SyncRoot(Path(value)))
    return found


def sync_roots(environ: Mapping[str, str] | None = None) -> list[SyncRoot]:
    """Every synced folder this computer names: the registry's, then OneDrive's."""
    return [*registry_sync_roots(), *environment_sync_roots(environ or os.environ)]


def root_of(path: Path, roots: Iterable[SyncRoot]) -> Path | None:
    """The synced folder `path` lies in, if any."""
    for root in roots:
        try:
            path.relative_to(root.folder)
        except ValueError:
            continue
        return root.folder
    return None
