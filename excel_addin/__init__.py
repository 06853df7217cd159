"""The xlwings Excel add-in: runs the close on the open program workbook."""
