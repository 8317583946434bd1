#!/usr/bin/env bash
# Benchmarks the RPC layer (unary Ping and a 200 KB list response over mutual TLS) against the
# grpc-go peer of ../shared/bench-peers in one interleaved run, then measures the server's RSS
# before and after a long load. Run by hand; figures go into the issue's closing note.
#   bench/rpc/run.sh [--rounds N] [--duration 5s] [--soak-seconds 300]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=3 duration=5s soak=300
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --soak-seconds) soak=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
peers_src=${BENCH_PEERS:-$root/../shared/bench-peers}
peers=${BENCH_PEERS_WORK:-/tmp/bbs-bench-peers}
# shared/ is read-only: build the peers in a scratch copy.
if [ ! -x "$peers/bin/loadgen" ]; then
  mkdir -p "$peers" && cp -r "$peers_src/." "$peers/" && chmod -R u+w "$peers"
  (cd "$peers" && ./build.sh --no-swift)
fi
(cd "$root" && swift build -c release --product rpc-bench-server)
server="$root/.build/release/rpc-bench-server"
out="$root/bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

echo "== interleaved comparison (project vs grpc-go), $rounds rounds x $duration"
peer_list="grpc-go"
[ -x "$peers/bin/swift-peer" ] && peer_list="grpc-go grpc-swift-2"
(cd "$peers" && ./compare.sh --rounds "$rounds" --duration "$duration" --peers "$peer_list" \
   --server "project=$server --listen-address {listen} --ca-file {ca} --cert-file {cert} --key-file {key} --list-payload-file {payload}" \
   --out "$out/compare" 2>&1) | tee "$out/compare.log"

echo "== server RSS before and after ${soak}s of 4x64 unary load"
certs="$peers/certs"
port=18999
setsid "$server" --listen-address 127.0.0.1:$port --ca-file "$certs/ca.crt" \
  --cert-file "$certs/server.crt" --key-file "$certs/server.key" 2>"$out/soak-server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 1
load() {
  "$peers/bin/loadgen" --addr 127.0.0.1:$port --method /diego.bbs.PingService/Ping --conns 4 --inflight 64 \
    --duration "$1" --ca-file "$certs/ca.crt" --cert-file "$certs/client.crt" --key-file "$certs/client.key" \
    --server-name localhost
}
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
load 10s >/dev/null
before=$(rss)
load "${soak}s" | tee "$out/soak.json"
after=$(rss)
echo "RSS after warm-up: ${before} kB; after ${soak}s of load: ${after} kB" | tee "$out/rss.txt"
