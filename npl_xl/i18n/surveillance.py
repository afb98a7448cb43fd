"""Messages of surveillance: trustee-report intake and the surveillance memo. key -> {"en": ..., "zh": ...}."""

MESSAGES: dict[str, dict[str, str]] = {}
