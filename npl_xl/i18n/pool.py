"""Labels of the pool statistics and the tape intake report. key -> {"en": ..., "zh": ...}."""

MESSAGES: dict[str, dict[str, str]] = {}
