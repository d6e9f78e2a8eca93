#!/usr/bin/env bash
# The kernel floor of one delivery on this machine (see socket_floor.c). Prints one JSON line.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p target/bench
cc -O2 -o target/bench/socket_floor bench/floor/socket_floor.c
target/bench/socket_floor "${WRITES:-400000}"
