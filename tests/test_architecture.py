"""The layers point one way: import-linter checks the contracts in pyproject.toml."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout  # the summary line: "N kept, 0 broken."


PUBLIC_MODULES = {"partnerclose.api", "partnerclose.template_api"}


def _contract(name: str) -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"] == name)


def _package_modules() -> set[str]:
    """Every module and subpackage directly inside partnerclose."""
    folder = ROOT / "partnerclose"
    found = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    found |= {p.parent.name for p in folder.glob("*/__init__.py")}
    return {f"partnerclose.{name}" for name in found}


def test_front_ends_are_kept_off_every_module_but_the_public_ones():
    # A new module of the package is closed to the front ends until it is listed here
    # or made public on purpose (docs/decisions.md, "Layers and public interfaces").
    forbidden = set(
        _contract("Front ends use only the public API of partnerclose")["forbidden_modules"]
    )
    assert forbidden == _package_modules() - PUBLIC_MODULES


def test_every_module_of_the_package_has_a_layer():
    layers = _contract("The package's layers point one way (README, Layout)")["layers"]
    placed = {f"partnerclose.{name.strip()}" for layer in layers for name in layer.split("|")}
    assert placed == _package_modules()


def test_the_layers_contract_refuses_the_old_cycle(tmp_path):
    # The cycle issue 17 removed (statements importing the pipeline for the close
    # context): put back in a copy of the package, the layers contract breaks.
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT / "partnerclose", copy / "partnerclose", ignore=shutil.ignore_patterns("__pycache__")
    )
    for front_end in ("desktop", "excel_addin"):
        shutil.copytree(
            ROOT / front_end, copy / front_end, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    writers = copy / "partnerclose" / "statements" / "writers.py"
    writers.write_text(
        writers.read_text(encoding="utf-8")
        + "\nfrom partnerclose.pipeline import Stage as _Stage\n",
        encoding="utf-8",
    )
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(copy)},
    )
    assert result.returncode != 0
    assert "The package's layers point one way (README, Layout) BROKEN" in result.stdout
    assert "partnerclose.statements.writers -> partnerclose.pipeline" in result.stdout
