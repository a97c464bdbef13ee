#!/bin/sh
# make bench: builds the benchmark against the library and runs it from the
# top of the tree (it reads scenarios/ and bench/ and writes
# bench/results.csv).  `bench/run.sh BUILD --quick` is the smoke version.
set -e
BUILD=${1:-build}
shift || true
"$BUILD/bench" "$BUILD/cohesim" "$@"
