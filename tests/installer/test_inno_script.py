"""installer/partnerclose.iss against the layout the build stages and the add-in's config."""

from __future__ import annotations

import shutil
from pathlib import Path, PureWindowsPath

import pytest

from installer import addin_config, iss
from installer.build_windows import check_stage, missing_from_stage
from installer.layout import (
    ADDIN_CONF,
    ADDIN_FILE,
    INNO_TO_ENV,
    INSTALL_DIR_INNO,
    INTERPRETER,
    STAGE_ADDIN,
    STAGE_PYTHON,
    USER_CONFIG_DIR_INNO,
    XLSTART_INNO,
    embeddable_python_files,
)


@pytest.fixture
def script(fake_stage: Path) -> iss.Script:
    return iss.read_script(overrides={"StageDir": str(fake_stage)})


def files_entry(
    script: iss.Script, source_tail: str, dest_dir: str | None = None
) -> dict[str, str]:
    matches = [
        e
        for e in script.entries("Files")
        if e["source"].replace("/", "\\").endswith(source_tail)
        and (dest_dir is None or e["destdir"] == dest_dir)
    ]
    assert len(matches) == 1, (source_tail, script.entries("Files"))
    return matches[0]


def as_environment_path(inno_path: str, app_dir: str) -> PureWindowsPath:
    """An Inno Setup path with {app} and the user folders as xlwings' %VARIABLES%."""
    text = inno_path.replace("{app}", app_dir)
    for constant, variable in INNO_TO_ENV.items():
        text = text.replace(constant, variable)
    assert "{" not in text, text
    return PureWindowsPath(text)


def test_it_installs_per_user_without_admin_rights(script: iss.Script):
    setup = script.setup()
    assert setup["privilegesrequired"] == "lowest"
    assert "privilegesrequiredoverridesallowed" not in setup  # no way up to admin
    # the add-in's config names the interpreter by this folder: the user cannot move it
    assert setup["defaultdirname"] == INSTALL_DIR_INNO
    assert setup["disabledirpage"] == "yes"


def test_every_files_source_exists_in_the_staged_layout(fake_stage: Path, script: iss.Script):
    assert missing_from_stage(fake_stage) == []
    assert iss.unmatched_sources(script) == []
    check_stage(fake_stage)  # what the Windows build runs before iscc


def test_a_missing_staged_folder_is_caught(fake_stage: Path, script: iss.Script):
    shutil.rmtree(fake_stage / STAGE_PYTHON)
    assert iss.unmatched_sources(script) == [f"{fake_stage}\\python\\*"]
    assert f"{STAGE_PYTHON}/pythonw.exe" in missing_from_stage(fake_stage)
    with pytest.raises(RuntimeError, match="python"):
        check_stage(fake_stage)


def test_every_staged_folder_is_installed(fake_stage: Path, script: iss.Script):
    sources = [iss.native_path(e["source"]) for e in script.entries("Files")]
    installed_tops = {s.relative_to(fake_stage).parts[0] for s in sources}
    assert installed_tops == {p.name for p in fake_stage.iterdir()}


def test_the_addin_goes_to_the_users_xlstart_folder(script: iss.Script):
    entry = files_entry(script, f"\\{ADDIN_FILE}")
    assert entry["destdir"] == XLSTART_INNO == r"{userappdata}\Microsoft\Excel\XLSTART"
    # Excel opens every file in XLSTART: nothing else may go there
    to_xlstart = [e["source"] for e in script.entries("Files") if "XLSTART" in e["destdir"]]
    assert to_xlstart == [entry["source"]]


def test_the_configs_interpreter_is_where_the_script_puts_python(
    fake_stage: Path, script: iss.Script
):
    setup = script.setup()
    python = files_entry(script, "\\python\\*")
    assert "recursesubdirs" in python["flags"].split()
    interpreter = as_environment_path(python["destdir"], setup["defaultdirname"]) / INTERPRETER
    assert str(interpreter) == r"%LOCALAPPDATA%\Programs\PartnerClose\python\pythonw.exe"
    assert INTERPRETER in embeddable_python_files()
    # the add-in's own config sheet, which the add-in reads first
    sheet = addin_config.sheet_settings(fake_stage / STAGE_ADDIN / ADDIN_FILE)
    assert PureWindowsPath(sheet[addin_config.INTERPRETER_WIN]) == interpreter
    # the config file installed as the fallback
    staged = (fake_stage / STAGE_ADDIN / ADDIN_CONF).read_text(encoding="ascii")
    assert PureWindowsPath(addin_config.parse(staged)[addin_config.INTERPRETER_WIN]) == interpreter


def test_an_addin_without_the_interpreter_stops_the_build(fake_stage: Path, built_addin: Path):
    (fake_stage / STAGE_ADDIN / ADDIN_FILE).write_bytes(built_addin.read_bytes())
    with pytest.raises(RuntimeError, match="names the interpreter None"):
        check_stage(fake_stage)


def test_the_config_file_goes_to_the_addins_user_config_only_if_it_is_ours(script: iss.Script):
    user = files_entry(script, f"\\{ADDIN_CONF}", USER_CONFIG_DIR_INNO)
    assert USER_CONFIG_DIR_INNO == r"{%USERPROFILE}\.myaddin"
    assert user["check"] == "UserConfigIsOurs"
    code = "\n".join(script.sections["code"])
    assert "function UserConfigIsOurs(): Boolean;" in code
    # the [Code] recognises the marker line the config carries
    marker = f'"{addin_config.MARKER_KEY}"'
    assert f"ConfigMarker = '{marker}';" in code
    assert marker in addin_config.render(addin_config.settings())
    # the file the [Code] looks at is the one the entry installs
    assert rf"ExpandConstant('{USER_CONFIG_DIR_INNO}\{ADDIN_CONF}')" in code
    reference = files_entry(script, f"\\{ADDIN_CONF}", r"{app}\addin")
    assert reference["source"] == user["source"]


def test_start_menu_shortcuts_and_uninstaller(script: iss.Script):
    icons = {e["name"]: e["filename"] for e in script.entries("Icons")}
    assert icons[r"{group}\PartnerClose"] == r"{app}\PartnerClose.exe"
    assert icons[r"{group}\Uninstall PartnerClose"] == "{uninstallexe}"
    assert script.setup()["defaultgroupname"] == "PartnerClose"
    deleted = {e["name"]: e["type"] for e in script.entries("UninstallDelete")}
    # Python writes byte-code caches next to itself after the install
    assert deleted[r"{app}\python"] == "filesandordirs"
    assert deleted["{app}"] == "dirifempty"
    assert "function InitializeUninstall(): Boolean;" in "\n".join(script.sections["code"])


def test_an_update_replaces_the_app_and_its_python_whole(script: iss.Script):
    cleared = {e["name"]: e["type"] for e in script.entries("InstallDelete")}
    assert cleared == {r"{app}\_internal": "filesandordirs", r"{app}\python": "filesandordirs"}


def test_the_default_stage_folder_is_the_builds():
    script = iss.read_script()
    assert script.defines["StageDir"] == r"..\build\windows\stage"
    sources = [e["source"] for e in script.entries("Files")]
    assert all(s.startswith("..\\build\\windows\\stage\\") for s in sources)
    from installer.build_windows import DEFAULT_OUT

    assert (iss.ISS.parent / iss.native_path(script.defines["StageDir"])).resolve() == (
        DEFAULT_OUT / "stage"
    )


def test_entries_are_parsed_as_inno_setup_reads_them():
    entry = iss.parse_entry(
        'Source: "a\\b c\\*"; DestDir: {app}; Flags: ignoreversion recursesubdirs; '
        'Description: "say ""hi""; twice"'
    )
    assert entry == {
        "source": "a\\b c\\*",
        "destdir": "{app}",
        "flags": "ignoreversion recursesubdirs",
        "description": 'say "hi"; twice',
    }
    with pytest.raises(ValueError, match="unterminated"):
        iss.parse_entry('Source: "open')


def test_defines_take_command_line_overrides():
    text = '#ifndef V\n  #define V "1"\n#endif\n[Setup]\nAppVersion={#V}\n; a comment\n'
    assert iss.parse_script(text).setup() == {"appversion": "1"}
    assert iss.parse_script(text, {"V": "2.5"}).setup() == {"appversion": "2.5"}
