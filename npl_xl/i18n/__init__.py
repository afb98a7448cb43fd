"""One message catalogue for what users read (memo sheet names, headings, labels, rationale), in
English and Chinese. ``text(key, lang, **values)`` formats a message; numbers are formatted the
same way in both languages."""

from __future__ import annotations

from .catalogue import MESSAGES

__all__ = ["LANGUAGES", "text", "MESSAGES"]

LANGUAGES = ("en", "zh")


def text(key: str, lang: str = "en", **values) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in; shares as percents, amounts with
    thousands separators, as the templates say."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    try:
        template = MESSAGES[key][lang]
    except KeyError:
        raise KeyError(f"message catalogue: no {lang!r} text for {key!r}") from None
    if key.startswith("factor_") or "factor" not in values:
        return template.format(**values)
    return template.format(**(values | {"factor": text(f"factor_{values['factor']}", lang)}))
