"""Peer: DBSCAN of a CSV's points with scikit-learn, labels written as a CSV column.

    python benchmarks/peers/sklearn_dbscan.py IN.csv OUT.csv [--eps-m 250] [--min-samples 3]

What an analyst would write: pandas reads the file, scikit-learn's DBSCAN with the
haversine metric on a ball tree clusters it, pandas writes it back with a label column.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN

EARTH_RADIUS_M = 6_371_008.8


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("in_file")
    parser.add_argument("out_file")
    parser.add_argument("--eps-m", type=float, default=250.0)
    parser.add_argument("--min-samples", type=int, default=3)
    args = parser.parse_args()
    frame = pd.read_csv(args.in_file)
    radians = np.radians(frame[["lat", "lon"]].to_numpy())
    model = DBSCAN(
        eps=args.eps_m / EARTH_RADIUS_M,
        min_samples=args.min_samples,
        metric="haversine",
        algorithm="ball_tree",
    )
    frame["label"] = model.fit_predict(radians)
    frame.to_csv(args.out_file, index=False)


if __name__ == "__main__":
    main()
