"""Peer: the H3 cell of each point of a CSV, read with Arrow and assigned by h3ronpy.

    python benchmarks/peers/h3ronpy_cells.py IN.csv [--res 9]

The least a whole H3 command can do: read lat and lon (typed, two columns only) and
assign cells in native code. It writes nothing, so ours, which also counts complainants,
finds spots and writes every row back, is judged against it within a factor.
"""

from __future__ import annotations

import argparse

import pyarrow as pa
import pyarrow.csv as pacsv
from h3ronpy.vector import coordinates_to_cells


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("in_file")
    parser.add_argument("--res", type=int, default=9)
    args = parser.parse_args()
    table = pacsv.read_csv(
        args.in_file,
        convert_options=pacsv.ConvertOptions(
            include_columns=["lat", "lon"], column_types={"lat": pa.float64(), "lon": pa.float64()}
        ),
    )
    cells = coordinates_to_cells(table.column("lat").to_numpy(), table.column("lon").to_numpy(), args.res)
    print(len(cells))


if __name__ == "__main__":
    main()
