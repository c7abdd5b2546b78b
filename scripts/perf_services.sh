#!/usr/bin/env bash
# Profiles each service of the pipeline as its own process over Kafka and MongoDB, as compose
# runs them: cache, llm, score and store (`veredicto serve ...`), fed by a generator at a fixed
# rate. Each service runs under `perf record -g`; at the end, its CPU per asking (from /proc,
# its whole life) and the top of its profile are printed.
#
# Usage (the broker and the MongoDB server of the test environment):
#   scripts/test-env.sh scripts/perf_services.sh [TOTAL] [RATE]
# TOTAL askings (default 60000) at RATE per second (default 2000), Zipf-popular, of 20,000
# generated questions (`veredicto dataset synth`, seed 42), as the bench's runs ask. Needs perf and a release build (swift build -c release). The profiles stay in
# $PERF_SERVICES_DIR (default a new temporary directory), one perf.data per service.
set -euo pipefail
cd "$(dirname "$0")/.."

total=${1:-60000}
rate=${2:-2000}
[[ $total =~ ^[1-9][0-9]*$ ]] || { echo "perf_services: TOTAL must be a positive whole number of askings, got '$total'" >&2; exit 2; }
[[ $rate =~ ^[1-9][0-9]*$ ]] || { echo "perf_services: RATE must be a positive whole number of askings per second, got '$rate'" >&2; exit 2; }
veredicto=.build/release/veredicto
[[ -x $veredicto ]] || { echo "perf_services: build first: swift build -c release" >&2; exit 2; }
command -v perf >/dev/null || { echo "perf_services: perf is not installed" >&2; exit 2; }
: "${VEREDICTO_TEST_KAFKA:?run under scripts/test-env.sh (VEREDICTO_TEST_KAFKA unset)}"
: "${VEREDICTO_TEST_MONGO:?run under scripts/test-env.sh (VEREDICTO_TEST_MONGO unset)}"
dir=${PERF_SERVICES_DIR:-$(mktemp -d /tmp/veredicto-perf-services.XXXXXX)}
mkdir -p "$dir"
id=$RANDOM$RANDOM
export KAFKA_BOOTSTRAP_SERVERS=$VEREDICTO_TEST_KAFKA MONGO_URI=$VEREDICTO_TEST_MONGO MONGO_DB=perf_$id \
    TOPIC_PREFIX=perf_${id}_ TOPIC_PARTITIONS=1 KAFKA_SESSION_TIMEOUT_MS=6000 METRICS_PORT=0
$veredicto topics create >"$dir/topics.log" 2>&1
$veredicto dataset synth --rows 20000 --out "$dir/questions.csv" >/dev/null

pids=()
services=(cache llm score store)
store_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for service in "${services[@]}"; do
    port=0
    [[ $service == store ]] && port=$store_port
    METRICS_PORT=$port METRICS_HOST=127.0.0.1 perf record -q -F 999 -g -o "$dir/$service.perf.data" -- \
        $veredicto serve "$service" >"$dir/$service.log" 2>&1 &
    pids+=($!)
done
# SIGTERM to each service (it finishes its batch, commits and exits); its perf then ends.
stop() {
    for pid in "${pids[@]}"; do pkill -TERM -P "$pid" 2>/dev/null || true; done
    wait || true
}
trap stop EXIT
sleep 8  # the four groups join (6 s session timeout on a fresh broker)
$veredicto serve generator --dataset "$dir/questions.csv" --total "$total" --distribution constant \
    --rate "$rate" --log-dir "$dir" >"$dir/generator.log" 2>&1
# Until the store has consumed a decision for every asking (at most 5 minutes).
consumed=0
for _ in $(seq 600); do
    consumed=$(curl -s "http://127.0.0.1:$store_port/metrics" \
        | awk '/^veredicto_messages_consumed_total/ { sum += $NF } END { printf "%d", sum }')
    (( consumed >= total )) && break
    sleep 0.5
done
echo "store consumed $consumed decisions for $total askings"
# The services' own process ids are the children of their perf processes.
for i in "${!services[@]}"; do
    child=$(pgrep -P "${pids[$i]}" | head -1 || true)
    if [[ -n $child ]]; then
        ticks=$(awk '{print $14 + $15}' "/proc/$child/stat")
        echo "${services[$i]}: $(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$total" \
            'BEGIN { printf "%.1f µs CPU per asking (%.2f s over its life)", t / hz * 1e6 / n, t / hz }')"
    fi
done
stop
trap - EXIT
for service in "${services[@]}"; do
    echo
    echo "== $service: self time by function (top 15), then by thread"
    perf report -q -i "$dir/$service.perf.data" --no-children --sort symbol -g none 2>/dev/null \
        | grep -v '^$' | head -15 | cut -c1-150 || true
    perf report -q -i "$dir/$service.perf.data" --no-children --sort comm -g none 2>/dev/null \
        | grep -v '^$' | head -5 || true
done
echo
echo "profiles and logs: $dir"
