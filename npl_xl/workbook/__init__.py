"""Layer 3: deal workbooks (template, reader), loan tapes and the rating memo (openpyxl/pandas)."""
