#!/usr/bin/env bash
# The real-model benchmark in one command: starts llama-server with a small Qwen2.5 model
# (scripts/local-model), starts `assistants serve` relaying to it, runs bench.py with the official openai
# package, and stops what it started. Too slow for CI (minutes on two cores); the figures go to BENCHMARKS.md.
#
#   swift build -c release --product assistants
#   benchmarks/real-model/run.sh [bench.py options, e.g. --stream-rounds 9 --flow-rounds 5]
#
# Environment: ASSISTANTS_BIN (.build/release/assistants), LLAMA_PORT (8081), ASSISTANTS_PORT (8090),
# LOCAL_MODEL (0.5b or 1.5b, see scripts/local-model), ASSISTANTS_TEST_VENV (.venv, shared with scripts/test).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin="${ASSISTANTS_BIN:-.build/release/assistants}"
[ -x "$bin" ] || { echo "no server binary at $bin: run 'swift build -c release --product assistants' or set ASSISTANTS_BIN" >&2; exit 1; }
llama_port="${LLAMA_PORT:-8081}"
port="${ASSISTANTS_PORT:-8090}"

venv="${ASSISTANTS_TEST_VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/compat/requirements.txt

# Leave a llama-server that was already running as it was; stop only one started here.
started_model=0
PORT="$llama_port" scripts/local-model status >/dev/null 2>&1 || started_model=1
settings="$(PORT="$llama_port" scripts/local-model start)"
model="$(sed -n 's/^ASSISTANTS_MODEL_ALIASES=gpt-4o=\([^,]*\),.*/\1/p' <<<"$settings")"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ "$started_model" = 1 ] && PORT="$llama_port" scripts/local-model stop
  rm -rf "$work"
}
trap cleanup EXIT

echo "== assistants serve on 127.0.0.1:$port (log: $work/assistants.log)"
env -u ASSISTANTS_API_KEYS $(grep "^ASSISTANTS_" <<<"$settings") \
  "$bin" serve --host 127.0.0.1 --port "$port" --data-dir "$work/data" >"$work/assistants.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "assistants serve exited:" >&2; tail -n 20 "$work/assistants.log" >&2; exit 1; }
  sleep 0.5
done

mkdir -p benchmarks/results
"$venv/bin/python" benchmarks/real-model/bench.py \
  --assistants-url "http://127.0.0.1:$port/v1" --model-url "http://127.0.0.1:$llama_port/v1" --model "$model" \
  --assistants-bin "$bin" --output "benchmarks/results/real-model-$(date -u +%Y%m%d-%H%M%S).json" "$@"
# Keep the server's log next to the results: its run failures are part of what this measures.
cp "$work/assistants.log" "benchmarks/results/real-model-assistants-$(date -u +%Y%m%d-%H%M%S).log"
