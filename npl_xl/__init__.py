"""npl-xl: credit-rating models for non-performing-loan ABS, in Python and in Excel."""

__version__ = "0.1.0"
