"""The deal-level recovery-rate model of the Chinese NPL ABS literature: an OLS of the expected
recovery rate (recovery / principal + interest + fees) on pool characteristics.

A master's thesis on 156 NPL ABS deals (2016-2021; docs/methodology.md §7) finds pool size,
weighted average annual income and the number of loans raise the rate and weighted average loan
age, borrower age and overdue period lower it, by multiple regression and a factor-analysis (PCA)
step. This module fits such a model with heteroskedasticity-robust (HC1, White 1980 with the
n/(n-k) correction of MacKinnon & White 1985) standard errors, R², variance inflation factors and
an optional principal-component step, and predicts a new pool's rate with a prediction interval.
Pure numpy/scipy (statsmodels would add a dependency for a few lines of algebra).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from scipy.stats import t as student_t

from . import _checks as chk

__all__ = ["FEATURES", "RecoveryModel", "fit", "packaged_deals", "features_of_pool"]

#: pool characteristics the literature names, as columns of a deal dataset
FEATURES = (
    "log_pool_size",
    "log_loans",
    "log_borrowers",
    "log_average_balance",
    "wa_months_overdue",
    "wa_loan_age",
    "wa_borrower_age",
    "log_wa_income",
    "secured_share",
    "region_concentration",
)


@dataclass(frozen=True)
class RecoveryModel:
    """A fitted OLS: ``names`` of the regressors (after the intercept), ``coef`` (intercept first),
    HC1 standard errors ``se``, ``r2``, ``adj_r2``, ``n``, ``vif`` per regressor, and what
    :meth:`predict` needs (the HC1 covariance, the residual variance, the PCA loadings if used)."""

    names: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    r2: float
    adj_r2: float
    n: int
    vif: np.ndarray
    cov: np.ndarray
    resid_var: float
    pca: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (means, scales, loadings)

    def design(self, X) -> np.ndarray:
        """Raw features (rows) -> the regressors with the intercept column."""
        x = np.atleast_2d(np.asarray(X, float))
        if self.pca is not None:
            mean, scale, load = self.pca
            x = ((x - mean) / scale) @ load
        return np.column_stack([np.ones(len(x)), x])

    def predict(self, X, *, level: float = 0.90) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rate, lower, upper) for each row of raw features: the fitted rate and its ``level``
        prediction interval, ``rate +- t(n-k) sqrt(s^2 + x' Cov x)``."""
        x = self.design(X)
        mean = x @ self.coef
        k = len(self.coef)
        half = student_t.ppf(0.5 + level / 2, max(self.n - k, 1)) * np.sqrt(
            self.resid_var + np.einsum("ij,jk,ik->i", x, self.cov, x)
        )
        return mean, mean - half, mean + half


def _ols(y, x):
    xtx_inv = np.linalg.pinv(x.T @ x)
    coef = xtx_inv @ x.T @ y
    return coef, y - x @ coef, xtx_inv


def fit(y, X, names, *, pca_components: int | None = None) -> RecoveryModel:
    """Fit the recovery rate ``y`` (decimals) on the feature matrix ``X`` (rows = deals).

    With ``pca_components`` the standardised features are first reduced to that many principal
    components (the literature's factor step). Needs more deals than regressors + 1.
    """
    y = chk.vector(y, "recovery_rate")
    x = chk.finite(np.atleast_2d(np.asarray(X, float)), "features")
    if x.shape[0] != len(y):
        raise ValueError(f"features: {x.shape[0]} rows for {len(y)} recovery rates")
    names = tuple(names)
    pca = None
    if pca_components:
        mean, scale = x.mean(axis=0), x.std(axis=0, ddof=1)
        scale = np.where(scale > 0, scale, 1.0)
        _, _, vt = np.linalg.svd((x - mean) / scale, full_matrices=False)
        load = vt[:pca_components].T
        x, pca = ((x - mean) / scale) @ load, (mean, scale, load)
        names = tuple(f"PC{i + 1}" for i in range(pca_components))
    n, k = len(y), x.shape[1] + 1
    if n <= k + 1:
        raise ValueError(
            f"recovery model: {n} deals for {k} coefficients; give more deals or fewer features "
            f"(use one of {', '.join(names)})"
        )
    design = np.column_stack([np.ones(n), x])
    coef, resid, xtx_inv = _ols(y, design)
    meat = design.T @ (design * (resid**2)[:, None])
    cov = xtx_inv @ meat @ xtx_inv * n / (n - k)  # HC1
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(resid @ resid) / tss if tss > 0 else 0.0
    vif = np.array([_vif(x, j) for j in range(x.shape[1])])
    return RecoveryModel(
        names,
        coef,
        np.sqrt(np.diag(cov)),
        r2,
        1 - (1 - r2) * (n - 1) / (n - k),
        n,
        vif,
        cov,
        float(resid @ resid) / (n - k),
        pca,
    )


def _vif(x: np.ndarray, j: int) -> float:
    """1 / (1 - R^2) of regressor j on the others (1 when there is one regressor)."""
    if x.shape[1] == 1:
        return 1.0
    others = np.column_stack([np.ones(len(x)), np.delete(x, j, axis=1)])
    _, resid, _ = _ols(x[:, j], others)
    tss = float(((x[:, j] - x[:, j].mean()) ** 2).sum())
    r2 = 1.0 - float(resid @ resid) / tss if tss > 0 else 1.0
    return float(1.0 / max(1.0 - r2, 1e-12))


@lru_cache(maxsize=1)
def packaged_deals():
    """Public NPL deals with their agency base-case recovery rate (data/npl_deal_recoveries.csv)."""
    import pandas as pd

    with (
        resources.files(__package__)
        .joinpath("data/npl_deal_recoveries.csv")
        .open(encoding="utf-8") as f
    ):
        return pd.read_csv(f, comment="#")


def features_of_pool(pool_wan: float, secured_share: float) -> dict[str, float]:
    """The features the packaged dataset carries, for a new pool (pool size in 万元)."""
    return {"log_pool_size": float(np.log(pool_wan)), "secured_share": float(secured_share)}
