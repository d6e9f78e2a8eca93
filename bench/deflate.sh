#!/usr/bin/env bash
# What permessage-deflate would cost per connection: one node, 500 clients that offer it (as every
# browser does), RSS before and after. Run bench/run.sh once first (it prepares target/bench).
#
#   bench/deflate.sh                 # as shipped: the offer is declined
#   bench/deflate.sh -Dquarkus.websockets-next.server.per-message-compression-supported=true
set -euo pipefail
cd "$(dirname "$0")/../target/bench"
[ -d harness/loadgen/node_modules ] || { echo "run bench/run.sh first" >&2; exit 1; }
SECRET=bench-secret-0123456789abcdef0123456789abcdef REDIS_PORT=6392 PORT=7112 N="${N:-500}"
redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
REDIS=$!
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms64m -Xmx384m "$@" -Dquarkus.http.port=$PORT \
  -Dquarkus.http.host=127.0.0.1 -Dswitchboard.cluster.redis-url=redis://127.0.0.1:$REDIS_PORT \
  -Dsmallrye.jwt.verify.secretkey=$SECRET -Dswitchboard.limits.connections-per-user=$N \
  -jar app/quarkus-run.jar >deflate-node.log 2>&1 &
NODE=$!
trap 'kill $NODE $REDIS 2>/dev/null; wait $NODE $REDIS 2>/dev/null' EXIT
until (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do
  kill -0 $NODE 2>/dev/null || { echo "the node did not start; see target/bench/deflate-node.log" >&2; exit 1; }
  sleep 0.2
done
sleep 2
before=$(awk '/VmRSS/ {print $2}' /proc/$NODE/status)
# Every client opens, offers permessage-deflate, reads its welcome; then the node's RSS is read.
(cd harness/loadgen && N=$N PORT=$PORT SECRET=$SECRET node -e '
  const jwt = require("jsonwebtoken"), WebSocket = require("ws");
  const token = jwt.sign({ sub: "u1", groups: ["user"], exp: Math.floor(Date.now() / 1000) + 600 }, process.env.SECRET);
  const n = Number(process.env.N); let welcomed = 0, ext = "";
  for (let i = 0; i < n; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${process.env.PORT}/ws`, ["switchboard.v1", "bearer." + token], { perMessageDeflate: true });
    ws.on("message", () => { ext = ws.extensions; if (++welcomed === n) { console.log(JSON.stringify({ negotiated: ext })); setTimeout(() => process.exit(0), 3000); } });
  }' ) &
CLIENTS=$!
sleep 1
for _ in $(seq 1 300); do
  [ "$(ss -tnH state established "( sport = :$PORT )" | wc -l)" -ge "$N" ] && break
  sleep 0.2
done
sleep 1
after=$(awk '/VmRSS/ {print $2}' /proc/$NODE/status)
wait $CLIENTS
echo "{\"clients\":$N,\"rss_before_kb\":$before,\"rss_after_kb\":$after,\"kb_per_connection\":$(( (after - before) / N ))}"
