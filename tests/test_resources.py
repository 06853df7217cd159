"""Templates are found in a checkout, a bundle, or a wheel install, and a wheel carries them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from partnerclose import resources

ROOT = Path(__file__).resolve().parent.parent


def test_a_checkout_finds_its_templates_folder():
    assert resources.templates_folder() == ROOT / "templates"


def test_the_environment_variable_comes_first(tmp_path, monkeypatch):
    (tmp_path / "statement.xlsx").write_bytes(b"restyled")
    monkeypatch.setenv(resources.ENVIRONMENT_VARIABLE, str(tmp_path))
    assert resources.templates_folder() == tmp_path


def test_a_wheel_install_finds_them_under_the_prefix(tmp_path, monkeypatch):
    shared = tmp_path / "share" / "partnerclose" / "templates"
    shared.mkdir(parents=True)
    (shared / "statement.xlsx").write_bytes(b"x")
    monkeypatch.setattr(resources, "__file__", str(tmp_path / "site" / "partnerclose" / "r.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert resources.templates_folder() == shared


@pytest.mark.slow
def test_the_wheel_carries_every_template(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    [wheel] = tmp_path.glob("partnerclose-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for template in (
        "statement.xlsx",
        "close_pack.xlsx",
        "program_template.xlsx",
        "partner_template.xlsx",
    ):
        assert any(
            n.endswith(f".data/data/share/partnerclose/templates/{template}") for n in names
        ), template
    assert "partnerclose_addin.py" in names
