"""One message catalogue for what users read (memo sheet names, headings, labels, rationale), in
English and Chinese. ``text(key, lang, **values)`` formats a message; numbers are formatted the
same way in both languages.

The catalogue is kept in one module per subject (memo, rating, deal workbook, pool, surveillance)
and merged here; a key may appear in one module only."""

from __future__ import annotations

from . import catalogue, explain, pool, rating, surveillance, workbook

MESSAGES: dict[str, dict[str, str]] = {}
for _module in (catalogue, rating, workbook, pool, surveillance, explain):
    _twice = MESSAGES.keys() & _module.MESSAGES.keys()
    if _twice:
        raise RuntimeError(f"message catalogue: {sorted(_twice)[0]!r} is defined twice")
    MESSAGES.update(_module.MESSAGES)

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
