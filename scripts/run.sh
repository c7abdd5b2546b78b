#!/usr/bin/env bash
# The main job on the embedded default, from a fresh clone: installs the system packages,
# builds the release binary, and runs the whole pipeline (generator, cache, LLM, score,
# store) in one process over the bundled sample with the offline LLM, then writes the HTML
# report. Results go to data_collected/.
#
# Usage: scripts/run.sh [extra `veredicto run` flags]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh >/dev/null
echo "building the release binary..."
swift build -c release --product veredicto 2>&1 | tail -1
bin=".build/release/veredicto"
# 5,000 askings of the sample's questions with Zipf popularity, paced at 2,000 per second so
# that repeats can meet answers already decided and be served from the cache.
"$bin" run --total 5000 --rate 2000 "$@"
"$bin" report
