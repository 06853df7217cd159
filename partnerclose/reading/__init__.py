"""Readers: workbook files and in-memory grids in, typed records and problems out."""
