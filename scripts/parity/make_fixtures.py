"""Writes the SALib 1.6.0 reference fixtures in ../../tests/data/.

Run from this directory with SALib 1.6.0 installed (see README.md):

    python make_fixtures.py

Every number the Rust parity tests compare against comes from SALib's own
functions; where SALib draws bootstrap indices internally, the same NumPy
generator calls are replayed here so that the indices can be handed to the
Rust code, which then must reproduce SALib's intervals too.
"""

import hashlib
import importlib.metadata
import json
import os
import warnings

import numpy as np
import scipy
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample.morris import morris as morris_impl
from SALib.sample import sobol as sobol_sample
from SALib.sample.morris.brute import BruteForce
from SALib.test_functions import Ishigami
from SALib.util import _compute_delta

SALIB_VERSION = importlib.metadata.version("SALib")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data")
CONF = 0.95
QUANTILES = [(1 - CONF) / 2, (1 + CONF) / 2]


def versions():
    return {"SALib": SALIB_VERSION, "numpy": np.__version__, "scipy": scipy.__version__}


def unit_problem(d):
    return {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}


def dump(name, data):
    data["versions"] = versions()
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(data, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", name)


def salib_warnings(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(x.message).strip() for x in w]


# ---------------------------------------------------------------- designs

def saltelli_designs():
    cases = []
    for d, n, second, skip in [
        (2, 8, True, 0),
        (3, 16, False, 0),
        (4, 8, True, 16),
        (2, 6, False, 0),
        (3, 5, True, 3),
        (1, 4, True, 1),
        (32, 4, True, 0),
    ]:
        x, warns = salib_warnings(
            lambda: sobol_sample.sample(
                unit_problem(d), n, calc_second_order=second, scramble=False, skip_values=skip
            )
        )
        cases.append(
            {
                "dims": d,
                "base_rows": n,
                "second_order": second,
                "skip": skip,
                "x": x.tolist(),
                "warnings": len(warns),
            }
        )
    dump("saltelli_designs.json", {"cases": cases})


# ---------------------------------------------------------------- Ishigami

def ishigami():
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = sobol_sample.sample(problem, 8192, calc_second_order=True, scramble=False)
    unit = sobol_sample.sample(unit_problem(3), 8192, calc_second_order=True, scramble=False)
    y = Ishigami.evaluate(x)
    s = sobol_analyze.analyze(problem, y, calc_second_order=True, seed=1)
    dump(
        "ishigami.json",
        {
            "base_rows": 8192,
            "rows": int(x.shape[0]),
            # SHA-256 of the design, row-major little-endian f64: unit
            # coordinates and scaled to [-pi, pi].
            "unit_sha256": hashlib.sha256(unit.astype("<f8").tobytes()).hexdigest(),
            "x_sha256": hashlib.sha256(x.astype("<f8").tobytes()).hexdigest(),
            "s1": s["S1"].tolist(),
            "st": s["ST"].tolist(),
            "s2": [s["S2"][0, 1], s["S2"][0, 2], s["S2"][1, 2]],
        },
    )


# ---------------------------------------------------------------- Sobol'

def sobol_case(name, d, n, second, y, seed, resamples):
    problem = unit_problem(d)
    s = sobol_analyze.analyze(
        problem,
        y,
        calc_second_order=second,
        num_resamples=resamples,
        conf_level=CONF,
        keep_resamples=True,
        seed=seed,
    )
    # The indices SALib draws: rng = default_rng(seed).integers;
    # r = rng(N, size=(N, num_resamples)); resample b is r[:, b].
    r = np.random.default_rng(seed).integers(n, size=(n, resamples))
    # Percentile intervals of SALib's own bootstrap estimates.
    s1_q = np.quantile(s["S1_conf_all"], QUANTILES, axis=0)
    st_q = np.quantile(s["ST_conf_all"], QUANTILES, axis=0)
    case = {
        "name": name,
        "dims": d,
        "second_order": second,
        "y": y.tolist(),
        "resamples": r.T.tolist(),
        "s1": s["S1"].tolist(),
        "s1_conf": s["S1_conf"].tolist(),
        "s1_lo": s1_q[0].tolist(),
        "s1_hi": s1_q[1].tolist(),
        "st": s["ST"].tolist(),
        "st_conf": s["ST_conf"].tolist(),
        "st_lo": st_q[0].tolist(),
        "st_hi": st_q[1].tolist(),
    }
    if second:
        ys = (y - y.mean()) / y.std()
        A, B, AB, BA = sobol_analyze.separate_output_values(ys, d, n, True)
        pairs = []
        for j in range(d):
            for k in range(j + 1, d):
                boot = sobol_analyze.second_order(A[r], AB[r, j], AB[r, k], BA[r, j], B[r])
                q = np.quantile(boot, QUANTILES)
                pairs.append(
                    {
                        "j": j,
                        "k": k,
                        "s2": float(s["S2"][j, k]),
                        "conf": float(s["S2_conf"][j, k]),
                        "lo": float(q[0]),
                        "hi": float(q[1]),
                    }
                )
        case["s2"] = pairs
    return case


def sobol_parity():
    rng = np.random.default_rng(20240601)
    cases = []
    # Random outputs, shifted and scaled so that standardisation matters.
    for name, d, n, second, seed in [
        ("d3_n32_second", 3, 32, True, 11),
        ("d2_n16_first", 2, 16, False, 12),
        ("d4_n64_second", 4, 64, True, 13),
    ]:
        block = 2 * d + 2 if second else d + 2
        y = 100.0 + 5.0 * rng.standard_normal(n * block)
        cases.append(sobol_case(name, d, n, second, y, seed, 50))
    # A structured output on SALib's unscrambled design: y = 3 x0 + x1^2 +
    # x0 x2 + noise.
    d, n = 3, 64
    x = sobol_sample.sample(unit_problem(d), n, calc_second_order=True, scramble=False)
    y = 3 * x[:, 0] + x[:, 1] ** 2 + x[:, 0] * x[:, 2] + 0.1 * rng.standard_normal(len(x))
    cases.append(sobol_case("structured_d3_n64", d, n, True, y, 14, 100))
    # A and B constant, AB and BA not: SALib's guards return 0.
    d, n = 2, 8
    y = np.full(n * (2 * d + 2), 5.0)
    for i in range(n):
        for off in range(1, 2 * d + 1):
            y[i * (2 * d + 2) + off] = rng.standard_normal()
    case, warns = salib_warnings(lambda: sobol_case("flat_a_b", d, n, True, y, 15, 20))
    cases.append(case)
    dump("sobol_parity.json", {"conf_level": CONF, "cases": cases})


# ---------------------------------------------------------------- Morris

def morris_construction():
    """SALib's trajectory construction, with the draws that made it."""
    out = []
    for d, p, seed in [(3, 4, 1), (5, 6, 2), (4, 8, 3), (2, 4, 4), (6, 4, 5)]:
        group = np.eye(d)
        want = morris_impl._generate_trajectory(group, np.random.default_rng(seed), p)
        # Replay _generate_trajectory's draws: P*, then D*, then x*.
        rng = np.random.default_rng(seed)
        p_star = np.eye(d)
        rng.shuffle(p_star)
        signs = rng.choice([-1, 1], d)
        delta = _compute_delta(p)
        grid = np.linspace(0, 1 - delta, int(p / 2))
        x_star = rng.choice(grid, d)
        # Parameter m moves at step pi(m) + 1, pi(m) the column of row m's 1.
        order = np.argsort(p_star.argmax(axis=1)).tolist()
        out.append(
            {
                "dims": d,
                "levels": p,
                "x_star": x_star.tolist(),
                "order": order,
                "up": [bool(s > 0) for s in signs],
                "trajectory": want.tolist(),
                "grid": grid.tolist(),
            }
        )
    return out


def morris_analysis_case(name, d, t, p, seed, analyze_seed, resamples, f):
    problem = unit_problem(d)
    x = morris_sample.sample(problem, t, num_levels=p, seed=seed)
    y = f(x, np.random.default_rng(seed + 1000))
    s = morris_analyze.analyze(
        problem,
        x,
        y,
        num_resamples=resamples,
        conf_level=CONF,
        num_levels=p,
        seed=analyze_seed,
    )
    ee = morris_analyze._compute_elementary_effects(x, y, d + 1, _compute_delta(p))
    # SALib's bootstrap: per parameter, rng.integers(T, size=(R, T)).
    rng = np.random.default_rng(analyze_seed)
    resample_idx, lo, hi = [], [], []
    for j in range(d):
        idx = rng.integers(t, size=(resamples, t))
        boot = np.average(np.abs(ee[j, :][idx]), axis=1)
        q = np.quantile(boot, QUANTILES)
        resample_idx.append(idx.tolist())
        lo.append(float(q[0]))
        hi.append(float(q[1]))
    return {
        "name": name,
        "dims": d,
        "levels": p,
        "trajectories": t,
        "x": x.tolist(),
        "y": y.tolist(),
        "effects": ee.tolist(),
        "resamples": resample_idx,
        "mu": np.asarray(s["mu"]).tolist(),
        "mu_star": np.asarray(s["mu_star"]).tolist(),
        "sigma": np.asarray(s["sigma"]).tolist(),
        "mu_star_conf": np.asarray(s["mu_star_conf"]).tolist(),
        "mu_star_lo": lo,
        "mu_star_hi": hi,
    }


def morris_selection():
    out = []
    for n, d, p, k, seed in [(8, 3, 4, 3, 21), (10, 2, 4, 4, 22), (12, 4, 6, 2, 23)]:
        unit = morris_impl._sample_morris(unit_problem_with_groups(d), n, np.random.default_rng(seed), p)
        chosen = BruteForce().brute_force_most_distant(unit, n, d, k)
        # The best combination must be clear of the runner-up in f64, or
        # SALib's float32 scores could pick differently from an f64 search.
        scores = f64_scores(unit, n, d, k)
        top = sorted(scores.values(), reverse=True)
        assert top[0] > top[1] * (1 + 1e-6), "near tie: pick another seed"
        assert max(scores, key=scores.get) == tuple(chosen)
        out.append(
            {
                "k": k,
                "trajectories": unit.reshape(n, d + 1, d).tolist(),
                "chosen": [int(c) for c in chosen],
            }
        )
    return out


def unit_problem_with_groups(d):
    problem = unit_problem(d)
    problem["groups"] = None
    from SALib.util import _define_problem_with_groups

    return _define_problem_with_groups(problem)


def f64_scores(unit, n, d, k):
    from itertools import combinations

    from scipy.spatial.distance import cdist

    trajs = unit.reshape(n, d + 1, d)
    dist = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            dist[i, j] = dist[j, i] = (
                0.0 if np.array_equal(trajs[i], trajs[j]) else cdist(trajs[i], trajs[j]).sum()
            )
    return {
        c: float(np.sqrt(sum(dist[a, b] ** 2 for a, b in combinations(c, 2))))
        for c in combinations(range(n), k)
    }


def morris_parity():
    def linear(x, _rng):
        return 2.0 * x[:, 0] - 0.5 * x[:, 1] + 3.0 * x[:, 2]

    def nonlinear(x, rng):
        return (
            np.sin(3 * x[:, 0]) + x[:, 1] ** 2 * x[:, 2] + 0.2 * x[:, 3] + 0.05 * rng.standard_normal(len(x))
        )

    def noise(x, rng):
        return 10 + rng.standard_normal(len(x))

    cases = [
        morris_analysis_case("linear_d3", 3, 10, 4, 31, 41, 50, linear),
        morris_analysis_case("nonlinear_d5", 5, 20, 6, 32, 42, 100, nonlinear),
        morris_analysis_case("noise_d2", 2, 6, 4, 33, 43, 30, noise),
    ]
    dump(
        "morris_parity.json",
        {
            "conf_level": CONF,
            "construction": morris_construction(),
            "analysis": cases,
            "selection": morris_selection(),
        },
    )


if __name__ == "__main__":
    assert SALIB_VERSION == "1.6.0", SALIB_VERSION
    os.makedirs(OUT, exist_ok=True)
    saltelli_designs()
    ishigami()
    sobol_parity()
    morris_parity()
