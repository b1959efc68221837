"""The inverse normal CDF for arrays: Wichura's AS241, the algorithm `statistics.NormalDist`
uses, with the same coefficients in the same order, so values agree with it to the last bit or
two. Building the quantile table with it takes a fraction of a millisecond; calling
`NormalDist.inv_cdf` per element took about 10 ms at every start."""

from __future__ import annotations

import numpy as np

_CENTRAL_NUM = (
    2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4,
    4.5921953931549871457e4, 1.3731693765509461125e4, 1.9715909503065514427e3,
    1.3314166789178437745e2, 3.3871328727963666080e0,
)  # fmt: skip
_CENTRAL_DEN = (
    5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4,
    2.1213794301586595867e4, 5.3941960214247511077e3, 6.8718700749205790830e2,
    4.2313330701600911252e1, 1.0,
)  # fmt: skip
_NEAR_NUM = (
    7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
    1.27045825245236838258e0, 3.64784832476320460504e0, 5.76949722146069140550e0,
    4.63033784615654529590e0, 1.42343711074968357734e0,
)  # fmt: skip
_NEAR_DEN = (
    1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
    1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940e0,
    2.05319162663775882187e0, 1.0,
)  # fmt: skip
_FAR_NUM = (
    2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
    2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580e0,
    5.46378491116411436990e0, 6.65790464350110377720e0,
)  # fmt: skip
_FAR_DEN = (
    2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
    7.86869131145613259100e-4, 1.48753612908506148525e-2, 1.36929880922735805310e-1,
    5.99832206555887937690e-1, 1.0,
)  # fmt: skip


def _horner(coefficients: tuple[float, ...], r: np.ndarray) -> np.ndarray:
    out = coefficients[0] * r + coefficients[1]
    for c in coefficients[2:]:
        out = out * r + c
    return out


def inv_cdf(p: np.ndarray) -> np.ndarray:
    """Standard normal quantiles of probabilities 0 < p < 1."""
    p = np.asarray(p, dtype=float)
    q = p - 0.5
    out = np.empty_like(p)
    central = np.abs(q) <= 0.425
    qc = q[central]
    rc = 0.180625 - qc * qc
    out[central] = _horner(_CENTRAL_NUM, rc) * qc / _horner(_CENTRAL_DEN, rc)
    tails = ~central
    pt, qt = p[tails], q[tails]
    r = np.sqrt(-np.log(np.where(qt <= 0.0, pt, 1.0 - pt)))
    near = r <= 5.0
    x = np.empty_like(r)
    rn = r[near] - 1.6
    x[near] = _horner(_NEAR_NUM, rn) / _horner(_NEAR_DEN, rn)
    rf = r[~near] - 5.0
    x[~near] = _horner(_FAR_NUM, rf) / _horner(_FAR_DEN, rf)
    out[tails] = np.where(qt < 0.0, -x, x)
    return out
