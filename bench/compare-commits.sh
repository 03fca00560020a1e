#!/usr/bin/env bash
# A/B of Loom at two commits on the bench's getUser scenario: same backend
# (../shared/peer-bench), same flags as `npm start`, same autocannon load
# (50 connections, 3 s warm-up, 8 s measured), run alternately PAIRS times each
# (default 2); prints RPS, CPU ms per request (user + sys of Loom / requests) and p99.
# QUERY='{ listOrders(limit: 20) { id total status user { id name email } } }' loads another document
# (QUERY=spread-bomb: the bench's hostile one);
# BFF=cached loads the response-cache BFF (the cache-hit row) instead of `bench`.
# PIN=1 pins Loom to CPU 1 and the backend and autocannon to CPU 0 (taskset): on a
# 2-core machine that keeps the load generator off Loom's core, and CPU ms per
# request varies less from run to run; measures a change, not the bench's figures.
# Both sides share this checkout's node_modules, patches (patches/) included.
# Usage: bench/compare-commits.sh <base-commit> [<other-commit, default: the work tree>]
#    or: bench/compare-commits.sh --patch patches/<file>.patch: the work tree without that patch
#        (git apply -R on node_modules) against it with the patch, alternately; the patch is
#        applied again at the end.
# Everything listens on 127.0.0.1; the base is checked out as a git worktree
# beside this repository (so ../shared resolves the same) and removed at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
USAGE='usage: bench/compare-commits.sh <base-commit> [<other-commit>] | --patch patches/<file>.patch'
BASE=${1:?$USAGE}
PATCH=
if [ "$BASE" = --patch ]; then PATCH=$(cd "$(dirname "${2:?$USAGE}")" && pwd)/$(basename "$2"); fi
PEER="$ROOT/../shared/peer-bench"
BACKEND_PORT=${BACKEND_PORT:-4011}
LOOM_PORT=${LOOM_PORT:-4099}
# QUERY: the GraphQL document to load it with (default: the bench's getUser).
DOCUMENT=${QUERY:-'{ getUser(id: 1) { id name email } }'}
# QUERY=spread-bomb: the bench's hostile document (bench/lib/hostile.ts, 3 fragments of 300 spreads);
# with BFF=guarded it is refused (400 COST_LIMIT_EXCEEDED), and CPU ms per request is the refusal's cost.
if [ "$DOCUMENT" = spread-bomb ]; then
  DOCUMENT=$(cd "$ROOT" && node -e "require('tsx/cjs/api').register(); console.log(require('./bench/lib/hostile.ts').spreadBomb())")
fi
QUERY=$(node -e 'console.log(JSON.stringify({ query: process.argv[1] }))' "$DOCUMENT")

checkout() { # commit -> directory with that commit and this repo's node_modules
  local dir="$ROOT/../loom-compare-$1"
  git -C "$ROOT" worktree add -q --detach "$dir" "$1"
  ln -s "$ROOT/node_modules" "$dir/node_modules"
  echo "$dir"
}
# with_patch on|off: node_modules with or without $PATCH (a no-op when it is already so).
with_patch() {
  if [ "$1" = on ]; then
    git -C "$ROOT" apply --check "$PATCH" 2>/dev/null && git -C "$ROOT" apply "$PATCH"
  else
    git -C "$ROOT" apply -R --check "$PATCH" 2>/dev/null && git -C "$ROOT" apply -R "$PATCH"
  fi
  return 0
}
if [ -n "$PATCH" ]; then
  git -C "$ROOT" apply -R --check "$PATCH" || { echo "$PATCH is not applied to node_modules (npm ci applies it)" >&2; exit 1; }
  A=$ROOT; B=$ROOT
else
  A=$(checkout "$BASE")
  B=$ROOT
  if [ -n "${2:-}" ]; then B=$(checkout "$2"); fi
fi
cleanup() {
  kill "${BACKEND_PID:-}" 2>/dev/null || true
  if [ -n "$PATCH" ]; then with_patch on; return; fi
  git -C "$ROOT" worktree remove --force "$A" 2>/dev/null || true
  if [ "$B" != "$ROOT" ]; then git -C "$ROOT" worktree remove --force "$B" 2>/dev/null || true; fi
}
trap cleanup EXIT

PIN_LOAD=(); PIN_LOOM=()
if [ "${PIN:-0}" = 1 ]; then PIN_LOAD=(taskset -c 0); PIN_LOOM=(taskset -c 1); fi
BACKEND_PORT=$BACKEND_PORT "${PIN_LOAD[@]}" node "$PEER/backend/server.mjs" >/dev/null 2>&1 &
BACKEND_PID=$!
for side in $(for _ in $(seq 1 "${PAIRS:-2}"); do echo A B; done); do
  if [ "$side" = A ]; then dir=$A; else dir=$B; fi
  if [ -n "$PATCH" ]; then with_patch "$([ "$side" = A ] && echo off || echo on)"; fi
  # LOOM_RUN_TS=1: both sides run their TypeScript sources (a checkout has no dist/, the work tree may have one).
  (cd "$dir" && BENCH_BACKEND_URL=http://127.0.0.1:$BACKEND_PORT NODE_ENV=production LOOM_RUN_TS=1 \
    exec "${PIN_LOOM[@]}" node --max-semi-space-size=32 bin/loom.js serve --config bench/loom-shop.config.ts --port "$LOOM_PORT" >/dev/null 2>&1) &
  pid=$!
  for _ in $(seq 1 200); do curl -sf -o /dev/null "http://127.0.0.1:$LOOM_PORT/healthz" && break; sleep 0.1; done
  load() { "${PIN_LOAD[@]}" npx autocannon --json --no-progress -c 50 -d "$1" -m POST -H content-type=application/json -b "$QUERY" "http://127.0.0.1:$LOOM_PORT/${BFF:-bench}/graphql" 2>/dev/null; }
  cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
  load 3 >/dev/null
  before=$(cpu_ticks "$pid")
  result=$(load 8)
  after=$(cpu_ticks "$pid")
  # CPU ms per request (user + sys of the Loom process over the measured window): steadier than RPS on a busy machine.
  summary=$(echo "$result" | node -e "
    const r = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const cpuMs = (($after - $before) * 1000) / $(getconf CLK_TCK);
    console.log(Math.round(r.requests.average) + ' req/s (mean), ' + (cpuMs / r.requests.total).toFixed(3) + ' CPU ms/request, p99 ' + r.latency.p99 + ' ms');")
  if [ -n "$PATCH" ]; then label="$([ "$side" = A ] && echo without || echo with) $(basename "$PATCH")"
  else label="$(git -C "$dir" rev-parse --short HEAD)$([ "$dir" = "$ROOT" ] && echo ' (work tree)')"; fi
  echo "$label: $summary"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
