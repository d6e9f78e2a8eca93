#!/usr/bin/env bash
# Runs a local Switchboard cluster on loopback: one redis-server and N gateway nodes from the built
# jar, with a dev HS256 secret and dev room rules, until Ctrl-C (then everything is stopped).
#
#   ./mvnw package -DskipTests          # once, to build target/quarkus-app
#   deploy/local/cluster.sh [NODES=3]   # env: BASE_PORT (8081), REDIS_PORT (6391), SECRET
set -euo pipefail
cd "$(dirname "$0")/../.."
NODES="${1:-3}"
BASE_PORT="${BASE_PORT:-8081}"
REDIS_PORT="${REDIS_PORT:-6391}"
SECRET="${SECRET:-local-cluster-secret-change-me-0123456789}"
JAR=target/quarkus-app/quarkus-run.jar
[ -f "$JAR" ] || { echo "build first: ./mvnw package -DskipTests" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server missing (apt-get install -y redis-server)" >&2; exit 1; }
LOGS="$(mktemp -d "${TMPDIR:-/tmp}/switchboard-cluster.XXXXXX")"
PIDS=()

stop() {
  trap - EXIT INT TERM
  echo; echo "stopping ${#PIDS[@]} processes"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "logs kept in $LOGS"
}
trap stop EXIT INT TERM

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$LOGS/redis.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

for i in $(seq 1 "$NODES"); do
  port=$((BASE_PORT + i - 1))
  java -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
    -Dswitchboard.node.name="node-$i" \
    -Dswitchboard.cluster.redis-url="redis://127.0.0.1:$REDIS_PORT" \
    -Dsmallrye.jwt.verify.secretkey="$SECRET" \
    '-Dswitchboard.rooms.rules[0].pattern=chat:*' '-Dswitchboard.rooms.rules[0].join=user' \
    '-Dswitchboard.rooms.rules[0].publish=user' \
    -jar "$JAR" >"$LOGS/node-$i.log" 2>&1 &
  PIDS+=("$!")
done
for i in $(seq 1 "$NODES"); do
  port=$((BASE_PORT + i - 1))
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null && break; sleep 0.2; done
  echo "node-$i  ws://127.0.0.1:$port/ws   (health http://127.0.0.1:$port/q/health, metrics /q/metrics)"
done
cat <<TXT

Redis on 127.0.0.1:$REDIS_PORT. Tokens are HS256 with the secret "$SECRET" and need
"sub" and "groups": ["user"], e.g. (Node 20+, no dependencies):

  node -e 'const c=require("crypto"),b=o=>Buffer.from(JSON.stringify(o)).toString("base64url");
    const h=b({alg:"HS256",typ:"JWT"}),p=b({sub:"alice",groups:["user"],exp:Math.floor(Date.now()/1000)+3600});
    console.log(h+"."+p+"."+c.createHmac("sha256",process.argv[1]).update(h+"."+p).digest("base64url"))' "$SECRET"

Connect to any node with Authorization: Bearer <token> (or the bearer.<token> subprotocol), join
a chat:* room and publish: members on every node receive it. Ctrl-C stops everything.
TXT
wait
