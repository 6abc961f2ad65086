#!/usr/bin/env python3
"""Contracts per year of a run beside the observed ones.

Usage: scripts/contracts_per_year.py RUN_DIR [--from 2010] [--to 2030] [--by-buyer]

RUN_DIR is an `armsmarket run` output folder holding `contracts.csv` and
`summary.csv` (for the number of replications). Prints, per year, the median
and 5-95 % range over replications of the number of contracts signed (all
buyers, or per buyer with --by-buyer), beside the observed count from
scenarios/data/contracts_per_year_summary.csv and _observed.csv (2010-2023).
Standard library only.
"""
import argparse
import csv
import os
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "scenarios", "data")


def quantile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    h = (len(xs) - 1) * p
    lo, hi = int(h), min(int(h) + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir")
    ap.add_argument("--from", dest="first", type=int, default=2010)
    ap.add_argument("--to", dest="last", type=int, default=2030)
    ap.add_argument("--by-buyer", action="store_true")
    a = ap.parse_args()
    with open(os.path.join(a.run_dir, "summary.csv")) as f:
        reps = sorted({int(r["replication"]) for r in csv.DictReader(f)})
    counts = defaultdict(int)  # (replication, year, buyer) -> contracts
    buyers = set()
    with open(os.path.join(a.run_dir, "contracts.csv")) as f:
        for r in csv.DictReader(f):
            b = r["buyer"] if a.by_buyer else "all"
            buyers.add(b)
            counts[(int(r["replication"]), int(r["year"]), b)] += 1
    observed = defaultdict(int)
    if a.by_buyer:
        with open(os.path.join(DATA, "contracts_per_year_observed.csv")) as f:
            for r in csv.DictReader(f):
                observed[(int(r["year"]), r["buyer"])] += int(r["count"])
                buyers.add(r["buyer"])
    else:
        with open(os.path.join(DATA, "contracts_per_year_summary.csv")) as f:
            for r in csv.DictReader(f):
                observed[(int(r["year"]), "all")] = int(r["contracts"])
    print("buyer,year,median,p5,p95,observed")
    for b in sorted(buyers):
        for y in range(a.first, a.last + 1):
            xs = [counts[(rep, y, b)] for rep in reps]
            obs = observed.get((y, b), "" if y > 2023 else 0)
            print(f"{b},{y},{quantile(xs, .5):g},{quantile(xs, .05):g},{quantile(xs, .95):g},{obs}")


if __name__ == "__main__":
    main()
