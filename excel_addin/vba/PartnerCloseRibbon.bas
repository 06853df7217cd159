Attribute VB_Name = "PartnerCloseRibbon"
' PartnerClose: the ribbon's callbacks, one per button of the Partner Close tab
' (customUI onAction="PartnerCloseRibbon.<callback>"). Each runs one function of the
' Python module partnerclose_addin through PC_RunPython (module PartnerCloseRunPython).
' A new button is one Public Sub here, with its error-91 guard, and one Button in
' excel_addin/ribbon.py that names it.
Option Explicit

Private Const PC_TITLE As String = "Partner Close"
Private Const PC_MODULE As String = "partnerclose_addin"

Public Sub PC_Validate(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "action('validate')"
End Sub

Public Sub PC_DraftClose(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "action('draft')"
End Sub

Public Sub PC_FinalClose(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "action('final')"
End Sub

Public Sub PC_RunClose(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "main()"
End Sub

Public Sub PC_Reopen(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "action('reopen')"
End Sub

Public Sub PC_Approve(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "action('approve')"
End Sub

Public Sub PC_Reject(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "action('reject')"
End Sub

Public Sub PC_WhatIf(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "action('whatif')"
End Sub

Public Sub PC_History(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "action('history')"
End Sub

Public Sub PC_SendStatements(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "action('send')"
End Sub

Public Sub PC_CheckComputer(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "doctor()"
End Sub

Public Sub PC_SelfTest(control As IRibbonControl)
    If PC_NoWorkbook() Then Exit Sub
    PC_Run "selftest()"
End Sub

Private Function PC_NoWorkbook() As Boolean
    ' Error 91 guard: with no workbook open (an add-in is never the active workbook), or
    ' with the workbook in Protected View, ActiveWorkbook is Nothing, and RunPython would
    ' stop in the debugger on ActiveWorkbook.FullName.
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open the program workbook first (and click Enable Editing if Excel shows " & _
               "it in Protected View): PartnerClose works on the workbook in front.", _
               vbExclamation, PC_TITLE
        PC_NoWorkbook = True
    End If
End Function

Private Sub PC_Run(ByVal PythonCall As String)
    ' Any error on the way to Python is a plain message, never the debugger.
    On Error GoTo Failed
    PC_RunPython "import " & PC_MODULE & "; " & PC_MODULE & "." & PythonCall
    Exit Sub
Failed:
    If Err.Number = 70 Then
        MsgBox "Windows did not let Excel start Python (error 70: permission denied)." & _
               vbNewLine & vbNewLine & _
               "On a managed computer this is Defender's rule ""Block all Office " & _
               "applications from creating child processes"". Ask IT for the PartnerClose " & _
               "exception (docs/excel-addin-it.md).", vbCritical, PC_TITLE
    Else
        MsgBox "PartnerClose could not start Python: " & Err.Description & _
               " (error " & Err.Number & ")." & vbNewLine & vbNewLine & _
               "The user guide's Messages section says what to do (docs/excel-addin.md).", _
               vbCritical, PC_TITLE
    End If
End Sub
