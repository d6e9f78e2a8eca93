#!/usr/bin/env bash
# Side-by-side benchmark with the shared harness (../shared/bench): the incumbent NestJS design
# and Switchboard (the packaged jar), same machine, same scenario. Prints one JSON line each.
#
#   ./mvnw package -DskipTests && bench/run.sh [nestjs|switchboard|both]   (default: both)
# Env: JVM_OPTS (default: C1 only + serial GC, see docs/benchmarks.md), and the harness's own
# knobs (CONNS ROOMS JOINS PUBLISHERS RATE DURATION PAYLOAD ...).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
WHICH="${1:-both}"
HARNESS="${BENCH_HARNESS:-$ROOT/../shared/bench}"
WORK="$ROOT/target/bench"
[ -f target/quarkus-app/quarkus-run.jar ] || { echo "build first: ./mvnw package -DskipTests" >&2; exit 1; }
# The shared harness is read-only; it installs npm packages next to itself, so run a copy.
rm -rf "$WORK/harness" "$WORK/app" && mkdir -p "$WORK"
cp -r "$HARNESS" "$WORK/harness" && chmod -R u+w "$WORK/harness"
cp -r target/quarkus-app "$WORK/app"
# HS256 needs a 32-byte secret on Switchboard; both peers get the same one.
export JWT_SECRET="${JWT_SECRET:-bench-secret-0123456789abcdef0123456789abcdef}"
JVM_OPTS="${JVM_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms64m -Xmx384m}"
export SERVER_CMD="java $JVM_OPTS -Dquarkus.http.port={port} -Dquarkus.http.host=127.0.0.1 \
 -Dswitchboard.cluster.redis-url={redis} -Dswitchboard.auth.hs256-secret={secret} \
 -Dswitchboard.rooms.rules[0].pattern=r* -Dswitchboard.rooms.rules[0].join=user \
 -Dswitchboard.rooms.rules[0].publish=user -Dswitchboard.limits.connections-per-user=100 \
 -jar $WORK/app/quarkus-run.jar"
case "$WHICH" in
  nestjs) "$WORK/harness/bench.sh" nestjs ;;
  switchboard) "$WORK/harness/bench.sh" cmd ;;
  both) "$WORK/harness/bench.sh" nestjs; "$WORK/harness/bench.sh" cmd ;;
  *) echo "usage: $0 [nestjs|switchboard|both]" >&2; exit 2 ;;
esac
