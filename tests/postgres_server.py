"""A throwaway PostgreSQL cluster for the tests: initdb and pg_ctl on a Unix socket in a
temporary folder, no TCP port, removed afterwards.

PostgreSQL refuses to run as root; under root the cluster runs as the user `postgres`
(or `nobody`), which owns the folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ADMIN = "partnerclose"  # the cluster's superuser
PORT = 5432  # only names the socket file; the socket folder is the cluster's own


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def binaries_missing() -> str:
    """Why the cluster cannot be made ('' when initdb and pg_ctl are there)."""
    missing = [name for name in ("initdb", "pg_ctl", "postgres") if find_binary(name) is None]
    if not missing:
        return ""
    return (
        f"PostgreSQL is not installed ({', '.join(missing)} not found on PATH or in "
        "/usr/lib/postgresql/*/bin); install the distribution's postgresql package"
    )


def _run_as() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and no user postgres or nobody to run PostgreSQL as")


@dataclass
class Cluster:
    folder: Path
    account: pwd.struct_passwd | None

    @property
    def socket(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str = "postgres", user: str = ADMIN) -> str:
        return f"postgresql:///{database}?host={self.socket}&port={PORT}&user={user}"

    def _run(self, *command: str) -> None:
        account = self.account
        result = subprocess.run(
            command,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.folder,
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
            env={**os.environ, "LC_ALL": "C", "HOME": str(self.folder)},
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        data = self.folder / "data"
        self._run(
            find_binary("initdb") or "initdb",
            "-D", str(data), "-U", ADMIN, "-A", "trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = f"-k {self.socket} -p {PORT} -c listen_addresses= -F"
        self._run(
            find_binary("pg_ctl") or "pg_ctl",
            "-D", str(data), "-l", str(self.folder / "server.log"), "-o", options, "-w",
            "start",
        )  # fmt: skip

    def restart(self) -> None:
        """Stop the server at once (open transactions die with it) and start it again."""
        self._run(
            find_binary("pg_ctl") or "pg_ctl",
            "-D", str(self.folder / "data"), "-l", str(self.folder / "server.log"),
            "-m", "immediate", "-w", "restart",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(
            find_binary("pg_ctl") or "pg_ctl",
            "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop",
        )  # fmt: skip


def start_cluster() -> Cluster:
    account = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="partnerclose-pg-"))
    (folder / "socket").mkdir()
    if account is not None:
        for path in (folder, folder / "socket"):
            os.chown(path, account.pw_uid, account.pw_gid)
    cluster = Cluster(folder, account)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return cluster


def remove_cluster(cluster: Cluster) -> None:
    try:
        cluster.stop()
    finally:
        shutil.rmtree(cluster.folder, ignore_errors=True)
