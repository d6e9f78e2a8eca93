#!/usr/bin/env bash
# Side-by-side benchmark with the shared harness (../shared/bench): the incumbent NestJS design,
# Switchboard's native executable and Switchboard on the JVM, same machine, same scenario, back to
# back. Prints JSON lines on stdout (and appends them to target/bench/results.jsonl).
#
#   ./mvnw package -DskipTests && .ci/native   # the jar and the native executable (target/native-build)
#   bench/run.sh [PEER] [SCENARIO]             # default: all default
#   bench/run.sh all suite                     # the three-way suite of docs/benchmarks.md
#   bench/table.js target/bench/results.jsonl  # the three-way table from those lines
#
# PEER: nestjs | native | jvm (alias switchboard) | both (nestjs, jvm) | all (nestjs, native, jvm)
# Scenarios (docs/benchmarks.md):
#   default  the harness's own: 2 nodes, 2,000 clients x 10 rooms, 200 members/room, 200 publishes/s
#   load3x   the same at 3x the publish rate (120,000 deliveries/s)
#   memory   1,000 then 2,000 clients per node at a low rate; prints memory per additional connection
#   churn    a second wave of 2,000 connections against the same, already warm nodes (a reconnect
#            storm after a deploy); prints the second wave, so handshakes are measured without warm-up
#   startup  Switchboard only: time from process start to /q/health/ready UP and idle RSS, 5 starts
#   sparse   4 nodes, 2,000 rooms of 2 members; prints the bytes each node received from Redis
#   hot      one room with every client in it, 20 publishes/s (the same 40,000 deliveries/s)
#   history  Switchboard only: the default scenario with every room given a history (100 messages,
#            5 minutes); against default it is the price of history (docs/benchmarks.md)
#   floor    the kernel floor of one delivery (bench/floor), once, whatever the peer
#   suite    floor, startup, default, churn, memory, load3x and history, each for every peer before
#            the next scenario
# Switchboard runs with the options it ships with, read from the images' own files: JVM options
# from src/main/docker/Dockerfile.jvm (JAVA_OPTS_APPEND), native runtime options from the ENTRYPOINT
# of src/main/docker/Dockerfile.native. No benchmark-only tuning.
# Env: NATIVE_EXE (default: target/native-build/*-runner, else target/*-runner), and the harness's own
# knobs (CONNS ROOMS JOINS PUBLISHERS RATE DURATION PAYLOAD RAMP PROCS GRACE REDIS_PORT PORTS).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
WHICH="${1:-all}"
SCENARIO="${2:-default}"
HARNESS="${BENCH_HARNESS:-$ROOT/../shared/bench}"
WORK="$ROOT/target/bench"
H="$WORK/harness"
# The shared harness is read-only and installs npm packages next to itself, so it runs from a copy
# (kept between runs, so the packages are installed once).
if [ ! -d "$H" ]; then
  mkdir -p "$WORK" && cp -r "$HARNESS" "$H" && chmod -R u+w "$H"
fi
# HS256 needs a 32-byte secret on Switchboard; both peers get the same one.
export JWT_SECRET="${JWT_SECRET:-bench-secret-0123456789abcdef0123456789abcdef}"

# The shipped options: every -X option of the images' own command lines.
shipped() { # file pattern: the -X... words of the first line matching pattern
  grep -m1 -E "$2" "$1" | grep -oE '(^|[ "])-X[^ ",]+' | tr -d ' "' | tr '\n' ' '
}
JVM_OPTS="$(shipped src/main/docker/Dockerfile.jvm '^ENV JAVA_OPTS_APPEND=')"
NATIVE_OPTS="$(shipped src/main/docker/Dockerfile.native '^ENTRYPOINT')"
APP_ARGS="-Dquarkus.http.port={port} -Dquarkus.http.host=127.0.0.1 \
 -Dswitchboard.cluster.redis-url={redis} -Dsmallrye.jwt.verify.secretkey={secret} \
 -Dswitchboard.rooms.rules[0].pattern=r* -Dswitchboard.rooms.rules[0].join=user \
 -Dswitchboard.rooms.rules[0].publish=user -Dswitchboard.limits.connections-per-user=100"

prepare() { # peer: checks what it runs and sets SERVER_CMD
  case "$1" in
    jvm)
      [ -f target/quarkus-app/quarkus-run.jar ] || { echo "build first: ./mvnw package -DskipTests" >&2; exit 1; }
      rm -rf "$WORK/app" && cp -r target/quarkus-app "$WORK/app"
      export SERVER_CMD="java $JVM_OPTS $APP_ARGS -jar $WORK/app/quarkus-run.jar" ;;
    native)
      local exe="${NATIVE_EXE:-}"
      if [ -z "$exe" ]; then
        exe="$(ls target/native-build/*-runner target/*-runner 2>/dev/null | head -1 || true)"
      fi
      [ -n "$exe" ] && [ -x "$exe" ] || { echo "no native executable: run .ci/native (or set NATIVE_EXE)" >&2; exit 1; }
      export SERVER_CMD="$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe") $NATIVE_OPTS $APP_ARGS" ;;
  esac
}
harness() { # peer [run.js options]: one harness run, one JSON line
  local peer="$1"; shift
  case "$peer" in
    nestjs) "$H/bench.sh" nestjs "$@" --label nestjs ;;
    *) "$H/bench.sh" cmd "$@" --label "$peer" ;;
  esac
}

memory() { # peer: peak RSS per node at 1,000 and 2,000 clients per node; the slope is per added connection
  local peer="$1" small="$WORK/memory-$1-1000.json" large="$WORK/memory-$1-2000.json"
  CONNS=2000 ROOMS=100 RATE=20 DURATION=10 harness "$peer" >"$small"
  CONNS=4000 ROOMS=200 RATE=20 DURATION=10 harness "$peer" >"$large"
  node -e '
    const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
    const peak = (r) => r.servers.filter((s) => s.label !== "redis").map((s) => s.peak_rss_mb);
    const mean = (xs) => xs.reduce((x, y) => x + y, 0) / xs.length;
    const perNode = (r) => r.connections.succeeded / (r.servers.length - 1);
    const kb = ((mean(peak(b)) - mean(peak(a))) * 1024) / (perNode(b) - perNode(a));
    console.log(JSON.stringify({ scenario: "memory", target: a.target, label: a.label,
      peak_rss_mb: { [perNode(a)]: peak(a), [perNode(b)]: peak(b) },
      lost: a.messages.lost + b.messages.lost,
      kb_per_additional_connection: Math.round(kb * 10) / 10 }));' "$small" "$large"
}

churn() ( # peer: two waves against the same nodes; prints the second. A subshell, for its own cleanup.
  peer="$1" redis_port="${REDIS_PORT:-6390}" pids=() urls=""
  read -r -a ports <<<"${PORTS:-7101 7102}"
  tmp="$(mktemp -d)"
  # Redis is waited for, so the next run finds its port free
  trap 'kill "${pids[@]}" 2>/dev/null; wait "${pids[0]}" 2>/dev/null; rm -rf "$tmp"' EXIT
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$tmp/redis.log" 2>&1 &
  pids+=("$!")
  until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done
  if [ "$peer" = nestjs ]; then
    "$H/peers/nestjs-gateway/run.sh" --detach --pidfile "$tmp/pids" --logdir "$tmp" "redis://127.0.0.1:$redis_port" "${ports[@]}" >/dev/null
    read -r -a more <"$tmp/pids"; pids+=("${more[@]}")
    target=socketio; kind=nestjs
    for p in "${ports[@]}"; do urls+="${urls:+,}http://127.0.0.1:$p"; done
  else
    for p in "${ports[@]}"; do
      cmd="${SERVER_CMD//\{port\}/$p}"; cmd="${cmd//\{redis\}/redis://127.0.0.1:$redis_port}"; cmd="${cmd//\{secret\}/$JWT_SECRET}"
      bash -c "exec $cmd" >"$tmp/node-$p.log" 2>&1 &
      pids+=("$!")
    done
    for p in "${ports[@]}"; do until (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do sleep 0.1; done; done
    target=switchboard; kind=cmd
    for p in "${ports[@]}"; do urls+="${urls:+,}ws://127.0.0.1:$p/ws"; done
  fi
  [ -d "$H/loadgen/node_modules" ] || (cd "$H/loadgen" && npm ci --no-audit --no-fund >&2)
  watch="" n=0
  for p in "${pids[@]:1}"; do n=$((n + 1)); watch+="$kind-$n=$p,"; done
  watch+="redis=${pids[0]}"
  for wave in 1 2; do
    node "$H/loadgen/run.js" --target "$target" --urls "$urls" --secret "$JWT_SECRET" --conns "${CONNS:-2000}" \
      --rooms "${ROOMS:-100}" --joins-per-conn "${JOINS:-10}" --publishers "${PUBLISHERS:-200}" --rate "${RATE:-200}" \
      --duration "${DURATION:-10}" --payload "${PAYLOAD:-256}" --ramp "${RAMP:-500}" --procs "${PROCS:-2}" \
      --grace "${GRACE:-10}" --pids "$watch" --label "$peer" >"$tmp/wave-$wave.json"
  done
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(JSON.stringify({ scenario: "churn", ...r }));' "$tmp/wave-2.json"
)

sparse() { # peer: 4 nodes, sparse rooms; bytes each node's Redis connections received
  local peer="$1" redis_port="${REDIS_PORT:-6390}" out="$WORK/sparse-$1.json" seen="$WORK/sparse-$1.ss"
  : >"$seen"
  ( while true; do ss -tinpH "( dport = :$redis_port )" >>"$seen" 2>/dev/null; sleep 1; done ) &
  local sampler=$!
  PORTS="7101 7102 7103 7104" CONNS=2000 ROOMS=2000 JOINS=2 PUBLISHERS=200 RATE=200 harness "$peer" >"$out" || true
  kill "$sampler"
  node -e '
    const fs = require("fs");
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    // ss prints a socket line (local address, users:(("name",pid=N,...))) then its counters line.
    const lines = fs.readFileSync(process.argv[2], "utf8").split("\n");
    const max = new Map();
    for (let i = 0; i < lines.length - 1; i++) {
      const pid = /pid=(\d+)/.exec(lines[i]), local = /^\S+\s+\d+\s+\d+\s+(\S+)/.exec(lines[i]);
      const rx = /bytes_received:(\d+)/.exec(lines[i + 1]);
      if (!pid || !local || !rx) continue;
      const key = pid[1] + " " + local[1];
      max.set(key, Math.max(max.get(key) || 0, Number(rx[1])));
    }
    const byPid = {};
    for (const [key, bytes] of max) { const pid = key.split(" ")[0]; byPid[pid] = (byPid[pid] || 0) + bytes; }
    const nodes = r.servers.filter((s) => s.label !== "redis");
    const mb = (x) => Math.round(x / 1e5) / 10;
    console.log(JSON.stringify({ scenario: "sparse", target: r.target, label: r.label, delivered: r.messages.delivered,
      lost: r.messages.lost, duplicates: r.messages.duplicates, publishes: r.publishes.sent,
      redis_mb_received_per_node: nodes.map((s) => mb(byPid[s.pid] || 0)),
      cpu_s_publish_per_node: nodes.map((s) => s.cpu_s_publish), latency_ms: r.latency_ms }));' "$out" "$seen"
}

startup() { # peer: 5 cold starts of one node with Redis: time to ready, idle RSS
  [ "$1" != nestjs ] || return 0   # the incumbent has no readiness endpoint
  local redis_port="${REDIS_PORT:-6390}" ports="${PORTS:-7101 7102}"
  local port="${ports%% *}"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
  local redis=$!
  until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done
  local cmd="${SERVER_CMD//\{port\}/$port}"
  cmd="${cmd//\{redis\}/redis://127.0.0.1:$redis_port}"; cmd="${cmd//\{secret\}/$JWT_SECRET}"
  local rc=0
  node bench/startup.js "$1" "$port" $cmd || rc=$?
  # waited for, so the next peer's Redis finds the port free
  kill "$redis" && wait "$redis" || true
  return "$rc"
}

run() { # peer
  prepare "$1"
  case "$SCENARIO" in
    default) harness "$1" | scenario default ;;
    load3x) RATE=$((3 * ${RATE:-200})) harness "$1" | scenario load3x ;;
    memory) memory "$1" ;;
    churn) churn "$1" ;;
    startup) startup "$1" ;;
    sparse) sparse "$1" ;;
    hot) CONNS=2000 ROOMS=1 JOINS=1 PUBLISHERS=20 RATE=20 harness "$1" | scenario hot ;;
    history)
      [ "$1" != nestjs ] || return 0   # the incumbent has no history
      SERVER_CMD="${SERVER_CMD/ -Dswitchboard.rooms.rules\[0\].join=user/ -Dswitchboard.rooms.rules[0].history-size=100 \
 -Dswitchboard.rooms.rules[0].history-ttl=300s -Dswitchboard.rooms.rules[0].join=user}" harness "$1" | scenario history ;;
    *) echo "unknown scenario $SCENARIO" >&2; exit 2 ;;
  esac
}
scenario() { # name: tags the harness's JSON line with the scenario
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    console.log(JSON.stringify({ scenario: process.argv[1], ...JSON.parse(s) })); });' "$1"
}
case "$WHICH" in
  nestjs | native | jvm) PEERS=("$WHICH") ;;
  switchboard) PEERS=(jvm) ;;
  both) PEERS=(nestjs jvm) ;;
  all) PEERS=(nestjs native jvm) ;;
  *) echo "usage: $0 [nestjs|native|jvm|both|all] [default|load3x|memory|churn|startup|sparse|hot|history|floor|suite]" >&2; exit 2 ;;
esac
if [ "$SCENARIO" = suite ]; then SCENARIOS=(floor startup default churn memory load3x history); else SCENARIOS=("$SCENARIO"); fi
mkdir -p "$WORK"
for SCENARIO in "${SCENARIOS[@]}"; do
  if [ "$SCENARIO" = floor ]; then
    echo "[bench] floor" >&2
    bench/floor/run.sh | scenario floor | tee -a "$WORK/results.jsonl"
    continue
  fi
  for peer in "${PEERS[@]}"; do
    echo "[bench] $peer $SCENARIO" >&2
    run "$peer" | tee -a "$WORK/results.jsonl"
  done
done
