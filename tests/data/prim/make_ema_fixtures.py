"""Write the EMA Workbench parity fixtures of tests/it/prim_ema_parity.rs.

Synthetic data drawn with numpy's PCG64 (fixed seeds), run through
ema_workbench 3.0.0's Prim (pandas 2.3: EMA's integer pasting needs
pandas < 3), with PYTHONHASHSEED=0 so that EMA's iteration over sets of
category labels is repeatable:

    PYTHONHASHSEED=0 python make_ema_fixtures.py

For each case it writes <case>_data.csv (header "name:kind", kind one of
float, int, cat; last column y), <case>_config.csv and
<case>_trajectory.csv (every box of every search, with limits and
quasi-p values of the restricted columns). Floats are written with repr(),
which round-trips exactly.
"""

import os
import sys

import numpy as np
import pandas as pd
from ema_workbench.analysis import prim
from ema_workbench.analysis import scenario_discovery_util as sdutil

HERE = os.path.dirname(os.path.abspath(__file__))


def make_mixed(seed):
    rng = np.random.default_rng(seed)
    n = 1000
    x = pd.DataFrame(
        {
            "x1": rng.random(n),
            "x2": rng.random(n) * 10 - 5,
            "units": rng.integers(0, 10, n),
            "region": rng.choice(["east", "north", "south", "west"], n),
        }
    )
    y = (x.x1 > 0.6) & (x.units >= 3) & x.region.isin(["north", "east"])
    flip = rng.random(n) < 0.08
    y = (y ^ flip).astype(int).values
    return x, y


def make_shares(seed):
    rng = np.random.default_rng(seed)
    n = 800
    x = pd.DataFrame(
        {
            "a": rng.random(n),
            "b": rng.normal(0, 1, n),
            "level": rng.integers(1, 7, n),
            "mode": rng.choice(["A", "B", "C"], n),
        }
    )
    p = np.where((x.a < 0.4) & (x.level <= 3), 0.8, 0.15)
    p = np.where(x["mode"] == "C", p * 0.5, p)
    y = rng.binomial(10, p) / 10.0
    return x, y


def make_bump(seed):
    # A bump in f, rising with the integer i and damped for two of four
    # categories: peeling overshoots and pasting takes rows back.
    rng = np.random.default_rng(seed)
    n = 500
    x = pd.DataFrame(
        {
            "f": rng.random(n),
            "g": rng.random(n),
            "i": rng.integers(0, 8, n),
            "c": rng.choice(["p", "q", "r", "s"], n),
        }
    )
    prob = 0.1 + 0.7 * np.exp(-((x.f - 0.5) ** 2) / 0.02) * np.clip(
        (x.i - 1) / 4, 0, 1
    ) * np.where(x.c.isin(["p", "q"]), 1.0, 0.4)
    y = (rng.random(n) < prob).astype(int).values
    return x, y


def make_discrete(seed):
    # No float column: EMA then never pastes (its pasting stops when no
    # float column is restricted), although a category paste would pay.
    rng = np.random.default_rng(seed)
    n = 400
    x = pd.DataFrame(
        {
            "i": rng.integers(0, 6, n),
            "c": rng.choice(["p", "q", "r", "s"], n),
            "d": rng.choice(["u", "v", "w"], n),
        }
    )
    prob = 0.1 + 0.6 * (x.i >= 2) * np.where(
        x.c.isin(["p", "q", "r"]), 1.0, 0.3
    ) * np.where(x.d == "w", 0.3, 1.0)
    y = (rng.random(n) < prob).astype(int).values
    return x, y


def make_rare(seed):
    # Shares summing to less than one: EMA's coverage divides by
    # max(sum of y, 1).
    rng = np.random.default_rng(seed)
    n = 300
    x = pd.DataFrame({"s": rng.random(n), "t": rng.random(n)})
    hit = rng.random(n) < np.where(x.s > 0.7, 0.6, 0.05)
    y = np.where(hit, 0.002, 0.0)
    return x, y


def make_ties(seed):
    # Coarse values: many ties at the quantile cuts.
    rng = np.random.default_rng(seed)
    n = 600
    x = pd.DataFrame(
        {
            "u": np.round(rng.random(n), 1),
            "v": np.round(rng.random(n) * 4, 1),
            "w": rng.random(n),
            "k": rng.integers(-5, 6, n),
        }
    )
    score = -((x.u - 0.5) ** 2) - ((x.v - 2.0) ** 2) / 8 + 0.03 * x.k
    y = (score + rng.normal(0, 0.04, n) > -0.05).astype(int).values
    return x, y


def run(x, y, peel_alpha, paste_alpha, mass_min, boxes, density):
    alg = prim.Prim(
        x, y, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min
    )
    out = []
    for _ in range(boxes):
        box = alg.find_box()
        if box is None:
            break
        selected = len(box.peeling_trajectory) - 1
        if density is not None:
            pt = box.peeling_trajectory
            ok = pt[pt.density >= density]
            if ok.empty:
                out.append((box, None))
                break
            # Highest coverage, earliest on ties.
            selected = int(ok.coverage.idxmax())
            box.select(selected)
        out.append((box, selected))
    return alg, out


def fmt(v):
    return repr(float(v))


def write_case(name, x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05,
               boxes=3, density=None, data_name=None):
    kinds = []
    for c in x.columns:
        if pd.api.types.is_float_dtype(x[c]):
            kinds.append("float")
        elif pd.api.types.is_integer_dtype(x[c]):
            kinds.append("int")
        else:
            kinds.append("cat")
    data = pd.DataFrame(
        {
            f"{c}:{k}": (x[c].map(fmt) if k == "float" else x[c].astype(str))
            for c, k in zip(x.columns, kinds)
        }
    )
    data["y"] = [fmt(v) for v in y]
    if data_name is None:
        data_name = f"{name}_data.csv"
        data.to_csv(os.path.join(HERE, data_name), index=False)

    alg, found = run(x, y, peel_alpha, paste_alpha, mass_min, boxes, density)
    config = [
        ("data", data_name),
        ("peel_alpha", fmt(peel_alpha)),
        ("paste_alpha", fmt(paste_alpha)),
        ("mass_min", fmt(mass_min)),
        ("boxes", str(boxes)),
        ("selection", "last" if density is None else fmt(density)),
    ]
    pd.DataFrame(config, columns=["key", "value"]).to_csv(
        os.path.join(HERE, f"{name}_config.csv"), index=False
    )

    rows = []
    for b, (box, selected) in enumerate(found):
        pt = box.peeling_trajectory
        for i in range(len(pt)):
            lim = box.box_lims[i]
            restricted = list(sdutil._determine_restricted_dims(lim, alg.box_init))
            limits = []
            for u in restricted:
                lo, hi = lim[u]
                if isinstance(lo, set):
                    limits.append(f"{u}=" + "|".join(sorted(lo)))
                else:
                    limits.append(f"{u}={fmt(lo)}..{fmt(hi)}")
            qps = []
            for u, (ql, qh) in box.p_values[i].items():
                qps.append(f"{u}={fmt(ql)}/{fmt(qh)}")
            rows.append(
                {
                    "box": b,
                    "id": int(pt.id[i]),
                    "selected": int(selected == i),
                    "n": int(pt.n[i]),
                    "k": fmt(pt.k[i]),
                    "coverage": fmt(pt.coverage[i]),
                    "density": fmt(pt.density[i]),
                    "mass": fmt(pt.mass[i]),
                    "res_dim": int(pt.res_dim[i]),
                    "restricted": "|".join(restricted),
                    "limits": ";".join(limits),
                    "quasi_p": ";".join(qps),
                }
            )
    traj = pd.DataFrame(rows)
    traj.to_csv(os.path.join(HERE, f"{name}_trajectory.csv"), index=False)
    pastes = []
    for box, _ in found:
        lims = box.box_lims
        for i in range(1, len(lims)):
            if box.peeling_trajectory.n[i] > box.peeling_trajectory.n[i - 1]:
                pastes += [
                    u for u in x.columns if not (lims[i][u] == lims[i - 1][u]).all()
                ]
    print(
        f"{name}: {len(found)} searches, {len(traj)} boxes, pastes on {pastes}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    if os.environ.get("PYTHONHASHSEED") != "0":
        sys.exit("run with PYTHONHASHSEED=0")
    x, y = make_mixed(20240601)
    write_case("mixed", x, y, boxes=3)
    write_case(
        "mixed_density", x, y, peel_alpha=0.1, boxes=3, density=0.8,
        data_name="mixed_data.csv",
    )
    x, y = make_shares(7)
    write_case("shares", x, y, boxes=3)
    x, y = make_bump(75)
    write_case("paste_int", x, y, peel_alpha=0.1, paste_alpha=0.3, boxes=3)
    x, y = make_bump(1)
    write_case("paste_cat", x, y, peel_alpha=0.1, paste_alpha=0.1, boxes=3)
    x, y = make_discrete(25)
    write_case("no_float", x, y, peel_alpha=0.1, paste_alpha=0.3, boxes=2)
    x, y = make_rare(5)
    write_case("rare", x, y, boxes=2)
    x, y = make_ties(11)
    write_case("ties", x, y, peel_alpha=0.1, paste_alpha=0.1, boxes=3)
