"""The Excel add-in's Python module: each ribbon button of `partnerclose_addin.xlam`
runs one function here (its VBA callback calls
`PC_RunPython "import partnerclose_addin; partnerclose_addin.X"`).

The buttons, their callbacks and what each runs are listed together in
`excel_addin.ribbon.BUTTONS`; the work is in `excel_addin`.
"""

from __future__ import annotations


def main() -> None:
    """Run close: what the Close sheet of the calling workbook asks for (its Action cell)."""
    from excel_addin.entry import run

    run()


def action(name: str) -> None:
    """One action whatever the Close sheet's Action cell says: validate, draft,
    final, reopen, approve, reject, history or send (a button each), for the Close sheet's
    period."""
    from excel_addin.control import ACTION_NAMES
    from excel_addin.entry import run

    run(action=ACTION_NAMES[name])


def doctor() -> None:
    """Check this computer: `partnerclose doctor` and Excel's own checks, shown in Excel."""
    from excel_addin.checks import show_doctor

    show_doctor()


def selftest() -> None:
    """Run the demo through the add-in in this Excel and write a report to send back."""
    from excel_addin.selftest import run_in_excel

    run_in_excel()


if __name__ == "__main__":  # from a shell, against the workbook set with set_mock_caller
    main()
