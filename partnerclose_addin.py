"""The Excel add-in's Python module: `partnerclose_addin.xlam` calls `main()`.

The add-in's ribbon button runs `RunPython "import partnerclose_addin;
partnerclose_addin.main()"`: xlwings derives the module's name from the add-in
file's name, so the two are named together. The work is in `excel_addin`.
"""

from __future__ import annotations


def main() -> None:
    """Run close on the workbook that called (the active workbook in Excel)."""
    from excel_addin.entry import run

    run()


if __name__ == "__main__":  # from a shell, against the workbook set with set_mock_caller
    main()
