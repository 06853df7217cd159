"""Writers: CSV files, statements, the close pack."""
