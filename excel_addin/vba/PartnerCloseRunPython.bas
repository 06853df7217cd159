Attribute VB_Name = "PartnerCloseRunPython"
' PartnerClose: how Excel starts Python. Adapted from xlwings 0.37.8's RunPython for
' custom add-ins (xlwings_custom_addin.bas), keeping only what the PartnerClose add-in
' needs: Python started as a process and waited for (no UDF server, no embedded code,
' no frozen executables, no conda settings, no DLL), its settings from the add-in's
' myaddin.conf sheet and files. The command line is xlwings' own (prepare_sys_path,
' --wb, --from_xl, --app, --hwnd): xlwings.Book.caller() reads it on the Python side.
'
' xlwings is distributed under a BSD 3-clause license.
' Copyright (C) 2014-present, Zoomer Analytics LLC. All rights reserved.
' Redistribution and use in source and binary forms, with or without modification,
' are permitted provided that the following conditions are met:
' * Redistributions of source code must retain the above copyright notice, this
'   list of conditions and the following disclaimer.
' * Redistributions in binary form must reproduce the above copyright notice, this
'   list of conditions and the following disclaimer in the documentation and/or
'   other materials provided with the distribution.
' * Neither the name of the copyright holder nor the names of its
'   contributors may be used to endorse or promote products derived from
'   this software without specific prior written permission.
' THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
' ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
' WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
' DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR
' ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES
' (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES;
' LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON
' ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
' (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
' SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
Option Explicit

Private Const PC_TITLE As String = "Partner Close"
' macOS: the AppleScript file `xlwings runpython install` puts in Excel's script folder
Private Const PC_XLWINGS_VERSION As String = "0.37.8"
' the settings: the sheet myaddin.conf, the files myaddin.conf (the installer writes them)
Private Const PC_SETTINGS As String = "myaddin"

Public Function PC_RunPython(ByVal PythonCommand As String) As Long
    ' Runs the Python statements PythonCommand for the active workbook, e.g.
    ' PC_RunPython "import partnerclose_addin; partnerclose_addin.main()".
    Dim Interpreter As String, PythonPath As String, AddWorkbookFolder As String
    Dim ActiveFullName As String, ThisFullName As String

    #If Mac Then
        Interpreter = PC_Setting("INTERPRETER_MAC")
    #Else
        Interpreter = PC_Setting("INTERPRETER_WIN")
    #End If
    If Interpreter = "" Then Interpreter = PC_Setting("INTERPRETER", "python")

    ' PartnerClose finds the workbook's folder itself (OneDrive and SharePoint included):
    ' by default the folder is not put on Python's path, nor its web address mapped.
    AddWorkbookFolder = PC_Setting("ADD_WORKBOOK_TO_PYTHONPATH", "false")

    #If Mac Then
        If InStr(ActiveWorkbook.FullName, "://") = 0 Then
            ActiveFullName = ToPosixPath(ActiveWorkbook.FullName)
            ThisFullName = ToPosixPath(ThisWorkbook.FullName)
        Else
            ActiveFullName = ActiveWorkbook.FullName
            ThisFullName = ThisWorkbook.FullName
        End If
    #Else
        ActiveFullName = ActiveWorkbook.FullName
        ThisFullName = ThisWorkbook.FullName
    #End If

    ' prepare_sys_path's fields: the add-the-folder flag, the two full names, three
    ' OneDrive and SharePoint folders (not used: see above), then the PYTHONPATH setting
    PythonPath = AddWorkbookFolder & ";" & ActiveFullName & ";" & ThisFullName & ";;;;" & _
                 PC_Setting("PYTHONPATH")

    #If Mac Then
        Application.StatusBar = "Running..."  ' Python runs in the background on macOS
        ExecuteMac PythonCommand, Interpreter, PythonPath
    #Else
        PC_RunPython = ExecuteWindows(PythonCommand, Interpreter, PythonPath)
    #End If
End Function

Private Function ExecuteWindows(ByVal PythonCommand As String, ByVal Interpreter As String, _
                                ByVal PythonPath As String) As Long
    ' Python through cmd.exe, started in the interpreter's folder (so that pywin32's DLLs
    ' are found), waited for; what it wrote to stderr is shown when it failed.
    Dim DriveCommand As String, PythonFolder As String, PythonExe As String
    Dim RunCommand As String, LogFile As String, ExitCode As Long

    Randomize
    LogFile = Environ("TEMP") & "\partnerclose-python-" & Format(Now, "yyyymmdd-hhnnss") & _
              "-" & CStr(Int(Rnd() * 1000000000)) & ".log"

    If Interpreter <> "python" And Interpreter <> "pythonw" Then
        If Not FileExists(Interpreter) Then
            MsgBox "PartnerClose could not find its Python: " & Interpreter & vbNewLine & _
                   vbNewLine & "Run the PartnerClose installer again, or set Interpreter_Win " & _
                   "(docs/excel-addin.md, Settings).", vbCritical, PC_TITLE
            ExecuteWindows = -1
            Exit Function
        End If
        PythonFolder = ParentFolder(Interpreter)
        PythonExe = Chr(34) & Interpreter & Chr(34)
    Else
        PythonExe = "python"
    End If

    If Left$(Interpreter, 2) Like "[A-Za-z]:" Then
        DriveCommand = Left$(Interpreter, 2) & " & cd """ & PythonFolder & """ & "
    ElseIf Left$(Interpreter, 2) = "\\" Then
        DriveCommand = "pushd """ & PythonFolder & """ & "  ' a UNC path gets a drive letter
    End If

    ' for cmd.exe, ampersands escaped; for Python's string, backslashes doubled
    PythonPath = Replace(PythonPath, "&", "^&")
    PythonPath = Replace(PythonPath, "\", "\\")

    RunCommand = PythonExe & " -B -c ""import xlwings.utils;xlwings.utils.prepare_sys_path(\""" & _
                 PythonPath & "\""); " & PythonCommand & """ "

    ExitCode = WScript.Run("cmd.exe /C " & DriveCommand & RunCommand & _
                           " --wb=""" & ActiveWorkbook.Name & """ --from_xl=1" & _
                           " --app=""" & Application.Path & "\" & Application.Name & """" & _
                           " --hwnd=""" & Application.Hwnd & """" & _
                           " 2> """ & LogFile & """ ", 0, True)

    If ExitCode <> 0 Then
        ShowError LogFile
        ExecuteWindows = -1
    End If
    On Error Resume Next
    Kill LogFile
    On Error GoTo 0
End Function

Private Sub ExecuteMac(ByVal PythonCommand As String, ByVal Interpreter As String, _
                       ByVal PythonPath As String)
    ' Python through xlwings' AppleScript, in the background: xlwings' Python runs the
    ' macro CleanUp (below) when it exits.
    #If Mac Then
    Dim PythonExe As String, Parameters As String, ExitCode As String, LogFile As String

    PythonPath = Replace(PythonPath, "'", "\'")
    If Interpreter <> "python" And Interpreter <> "pythonw" Then
        PythonExe = ToPosixPath(Interpreter)
    Else
        PythonExe = Interpreter
    End If
    LogFile = MacLogFile()
    On Error Resume Next
    Kill LogFile  ' no old error shown
    On Error GoTo 0

    ' AppleScriptTask takes one parameter: the fields joined by "|"
    Parameters = PythonPath & ";" & "|" & PythonExe & "|" & PythonCommand & "|" & _
                 ActiveWorkbook.Name & "|" & Left$(Application.Path, Len(Application.Path) - 4) & _
                 "|" & LogFile

    On Error GoTo NoAppleScript
    ExitCode = AppleScriptTask("xlwings-" & PC_XLWINGS_VERSION & ".applescript", "VbaHandler", _
                               Parameters)
    On Error GoTo 0

    ' a log at this point is from the shell, not from Python
    On Error Resume Next
    If ReadFile(LogFile) <> "" Then
        ShowError LogFile
        Application.StatusBar = False
    End If
    On Error GoTo 0
    Exit Sub
NoAppleScript:
    MsgBox "To let Excel start Python, run 'xlwings runpython install' in Terminal once, " & _
           "then try again.", vbCritical, PC_TITLE
    #End If
End Sub

Private Sub CleanUp()
    ' macOS: xlwings' Python runs this macro, by this name, when it exits: what Python
    ' wrote to stderr is shown, and the status bar reset.
    Dim LogFile As String
    LogFile = MacLogFile()
    On Error Resume Next
    If ReadFile(LogFile) <> "" Then ShowError LogFile
    Application.StatusBar = False
    Application.ScreenUpdating = True
    Kill LogFile
    On Error GoTo 0
End Sub

Private Function MacLogFile() As String
    ' ~/Library/Containers/com.microsoft.Excel/Data/xlwings.log: xlwings' CleanUp reads it too
    MacLogFile = Environ("HOME") & "/xlwings.log"
End Function

Private Function PC_Setting(ByVal Key As String, Optional ByVal Fallback As String = "") As String
    ' A setting from the first place that has it: the sheet myaddin.conf of the active
    ' workbook, the add-in's own sheet, the file myaddin.conf next to the active workbook,
    ' the user's file myaddin.conf; else Fallback. %VARIABLES% are expanded (Windows), a
    ' leading $HOME (macOS).
    Dim Found As String
    If SettingOnSheet(ActiveWorkbook, Key, Found) Then
        PC_Setting = ExpandEnvironmentStrings(Found)
    ElseIf SettingOnSheet(ThisWorkbook, Key, Found) Then
        PC_Setting = ExpandEnvironmentStrings(Found)
    ElseIf SettingInFile(FolderSettingsFile(), Key, Found) Then
        PC_Setting = ExpandEnvironmentStrings(Found)
    ElseIf SettingInFile(UserSettingsFile(), Key, Found) Then
        PC_Setting = ExpandEnvironmentStrings(Found)
    Else
        PC_Setting = Fallback
    End If
End Function

Private Function SettingOnSheet(ByVal Book As Workbook, ByVal Key As String, _
                                ByRef Found As String) As Boolean
    ' Keys in column A from A1 down to the first blank cell, their values in column B.
    Dim Sheet As Object, r As Long
    On Error Resume Next
    Set Sheet = Book.Worksheets(PC_SETTINGS & ".conf")
    On Error GoTo 0
    If Sheet Is Nothing Then Exit Function
    r = 1
    Do While CStr(Sheet.Cells(r, 1).Value) <> ""
        If UCase$(CStr(Sheet.Cells(r, 1).Value)) = UCase$(Key) Then
            Found = CStr(Sheet.Cells(r, 2).Value)
            SettingOnSheet = True
            Exit Function
        End If
        r = r + 1
    Loop
End Function

Private Function SettingInFile(ByVal FileName As String, ByVal Key As String, _
                               ByRef Found As String) As Boolean
    ' Lines such as "INTERPRETER_WIN","C:\PartnerClose\python\pythonw.exe"
    Dim FileNumber As Integer, FileKey As String, FileValue As String
    If FileName = "" Then Exit Function
    If Not FileExists(FileName) Then Exit Function
    FileNumber = FreeFile
    Open FileName For Input As #FileNumber
    Do While Not EOF(FileNumber)
        Input #FileNumber, FileKey, FileValue
        If LCase$(FileKey) = LCase$(Key) Then
            Found = FileValue
            SettingInFile = True
            Exit Do
        End If
    Loop
    Close #FileNumber
End Function

Private Function FolderSettingsFile() As String
    ' None for a workbook not saved on this computer (new, or a OneDrive or SharePoint
    ' address): its folder here is not known for certain, and is never guessed.
    If ActiveWorkbook.Path = "" Or InStr(ActiveWorkbook.FullName, "://") > 0 Then Exit Function
    FolderSettingsFile = ActiveWorkbook.Path & Application.PathSeparator & PC_SETTINGS & ".conf"
End Function

Private Function UserSettingsFile() As String
    #If Mac Then
        UserSettingsFile = Environ("HOME") & "/" & PC_SETTINGS & ".conf"
    #Else
        UserSettingsFile = Environ("USERPROFILE") & "\." & PC_SETTINGS & "\" & PC_SETTINGS & ".conf"
    #End If
End Function

Private Function FileExists(ByVal FileSpec As String) As Boolean
    Dim Attributes As Long
    On Error Resume Next
    #If Mac Then
        FileExists = Dir(FileSpec, vbDirectory) <> vbNullString
    #Else
        Attributes = GetAttr(FileSpec)
        If Err.Number = 0 Then FileExists = Not ((Attributes And vbDirectory) = vbDirectory)
    #End If
    On Error GoTo 0
End Function

Private Function ParentFolder(ByVal FullName As String) As String
    ParentFolder = Left$(FullName, InStrRev(FullName, "\") - 1)
End Function

Private Function ReadFile(ByVal FileName As String) As String
    Dim FileNumber As Integer, TextLine As String, Content As String
    #If Mac Then
        FileName = ToMacPath(FileName)
    #End If
    FileNumber = FreeFile
    Open FileName For Input As #FileNumber
    Do While Not EOF(FileNumber)
        Line Input #FileNumber, TextLine
        Content = Content & TextLine & vbNewLine
    Loop
    Close #FileNumber
    ReadFile = Content
End Function

Private Sub ShowError(ByVal FileName As String)
    ' What Python wrote to stderr, in a message the user can copy
    Dim Content As String
    Content = ReadFile(FileName)
    #If Mac Then
        MsgBox Content, vbCritical, PC_TITLE & ": Python stopped"
    #Else
        WScript.Popup Content & vbCrLf & "Press Ctrl+C to copy this message to the clipboard.", _
                      0, PC_TITLE & ": Python stopped", vbCritical
    #End If
End Sub

Private Function ExpandEnvironmentStrings(ByVal Raw As String) As String
    #If Mac Then
        ' a leading $HOME is the user's home folder (Excel's HOME is its sandbox folder)
        If Left$(Raw, 5) = "$HOME" Then
            ExpandEnvironmentStrings = Replace(Environ("HOME"), _
                "/Library/Containers/com.microsoft.Excel/Data", "") & Mid$(Raw, 6)
        Else
            ExpandEnvironmentStrings = Raw
        End If
    #Else
        ExpandEnvironmentStrings = WScript.ExpandEnvironmentStrings(Raw)
    #End If
End Function

Private Function WScript() As Object
    Static TheShell As Object
    If TheShell Is Nothing Then Set TheShell = CreateObject("WScript.Shell")
    Set WScript = TheShell
End Function

Private Function ToPosixPath(ByVal MacPath As String) As String
    ' "Macintosh HD:Users:<user>" as "/Users/<user>"
    #If Mac Then
        If MacPath <> "" Then
            ToPosixPath = MacScript("return POSIX path of (" & Chr(34) & MacPath & Chr(34) & _
                                    ") as string")
        End If
    #End If
End Function

Private Function ToMacPath(ByVal PosixPath As String) As String
    ' "/Users/<user>" as "Macintosh HD:Users:<user>"
    #If Mac Then
        ToMacPath = MacScript("set mac_path to POSIX file " & Chr(34) & PosixPath & Chr(34) & _
                              " as string")
    #End If
End Function
