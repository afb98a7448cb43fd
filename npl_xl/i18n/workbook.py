"""Labels, prompts and messages of the deal workbook (sheets, keys, table headers, input prompts).
key -> {"en": ..., "zh": ...}."""

MESSAGES: dict[str, dict[str, str]] = {}
#: Chinese table header -> the English header the reader keys on
HEADER_KEYS: dict[str, str] = {}
