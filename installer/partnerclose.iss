; Inno Setup 6 script of the PartnerClose installer for Windows.
;
; `python -m installer.build_windows` stages the files (installer/layout.py) and compiles
; this script with:  iscc /DStageDir=<stage> /DAppVersion=<version> /O<out> partnerclose.iss
; See docs/install.md. tests/installer/test_inno_script.py checks this script against the
; staged layout and the add-in's config.
;
; Per user, without admin rights: the app and its Python go to
; %LOCALAPPDATA%\Programs\PartnerClose, the add-in to the user's Excel XLSTART folder, the
; add-in's config file to %USERPROFILE%\.myaddin (the add-in is xlwings' custom add-in,
; whose VBA project is "myaddin"). The install folder is fixed (no folder page) because the
; add-in's config names the interpreter by that path.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef StageDir
  #define StageDir "..\build\windows\stage"
#endif

#define AppName "PartnerClose"
#define AppExe "PartnerClose.exe"
#define AddinFile "partnerclose_addin.xlam"
#define AddinConf "myaddin.conf"

[Setup]
AppId={{7C3E2A58-4F61-4B8E-9D2C-5A1F0E6B3D47}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=PartnerClose
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\PartnerClose
DisableDirPage=yes
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=PartnerClose-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
; Files in use (the app, Excel holding the add-in) are closed through the Restart Manager.
CloseApplications=yes
RestartApplications=no
SetupLogging=yes

[InstallDelete]
; An update replaces the app and its Python whole: files an older version had and this one
; has not (a package it no longer uses) must not stay importable.
Type: filesandordirs; Name: "{app}\_internal"
Type: filesandordirs; Name: "{app}\python"

[Files]
; The desktop app (PyInstaller one folder): PartnerClose.exe and _internal\.
Source: "{#StageDir}\app\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; The add-in's Python: the embeddable CPython with PartnerClose in Lib\site-packages.
Source: "{#StageDir}\python\*"; DestDir: "{app}\python"; Flags: ignoreversion recursesubdirs createallsubdirs
; The add-in: Excel opens every file in XLSTART when it starts, so only the .xlam goes there.
Source: "{#StageDir}\addin\{#AddinFile}"; DestDir: "{userappdata}\Microsoft\Excel\XLSTART"; Flags: ignoreversion
; The add-in's config file (the .xlam's own config sheet names the interpreter already):
; a reference copy, and the add-in's user config unless the user has one of their own.
Source: "{#StageDir}\addin\{#AddinConf}"; DestDir: "{app}\addin"; Flags: ignoreversion
Source: "{#StageDir}\addin\{#AddinConf}"; DestDir: "{%USERPROFILE}\.myaddin"; Flags: ignoreversion; Check: UserConfigIsOurs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{userdocs}"; Comment: "Monthly partner close"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; What Python and the app write next to themselves after the install (byte-code caches),
; which the uninstaller would otherwise leave behind.
Type: filesandordirs; Name: "{app}\python"
Type: filesandordirs; Name: "{app}\_internal"
Type: dirifempty; Name: "{app}\addin"
Type: dirifempty; Name: "{app}"
Type: dirifempty; Name: "{%USERPROFILE}\.myaddin"

[Code]
const
  { The line installer/addin_config.py writes to mark the config as this installer's. }
  ConfigMarker = '"PARTNERCLOSE"';

var
  KeptUserConfig: Boolean;

function ExcelIsRunning(): Boolean;
begin
  Result := FindWindowByClassName('XLMAIN') <> 0;
end;

{ Excel keeps the add-in open: ask to close it before files are replaced or removed. }
function ExcelClosed(const Action: String): Boolean;
begin
  Result := True;
  while ExcelIsRunning() do
  begin
    if SuppressibleMsgBox('Please close Microsoft Excel to ' + Action + ' {#AppName}, then click Retry.',
      mbError, MB_RETRYCANCEL, IDCANCEL) = IDCANCEL then
    begin
      Result := False;
      Exit;
    end;
  end;
end;

function InitializeSetup(): Boolean;
begin
  Result := ExcelClosed('install');
end;

function InitializeUninstall(): Boolean;
begin
  Result := ExcelClosed('remove');
end;

function UserConfigPath(): String;
begin
  Result := ExpandConstant('{%USERPROFILE}\.myaddin\{#AddinConf}');
end;

{ Install the add-in's user config only where there is none, or where it is ours. }
function UserConfigIsOurs(): Boolean;
var
  Text: AnsiString;
begin
  if not FileExists(UserConfigPath()) then
    Result := True
  else if LoadStringFromFile(UserConfigPath(), Text) then
    Result := Pos(ConfigMarker, String(Text)) > 0
  else
    Result := False;
  KeptUserConfig := not Result;
  if KeptUserConfig then
    Log('Kept the existing ' + UserConfigPath() + ': it was not written by {#AppName}');
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and KeptUserConfig then
    SuppressibleMsgBox('Your own add-in settings in ' + UserConfigPath() + ' were kept.' + #13#10#13#10 +
      'The PartnerClose add-in names its Python itself; should it ever need the file, the ' +
      'setting is INTERPRETER_WIN = ' + ExpandConstant('{app}\python\pythonw.exe') +
      ' (see ' + ExpandConstant('{app}\addin\{#AddinConf}') + ').', mbInformation, MB_OK, IDOK);
end;
