#!/usr/bin/env bash
# The main job on the bundled sample, from a fresh clone: installs the system packages,
# builds the release binary, builds a corpus IDF model from the sample's best answers and
# scores the bundled answer/reference pairs in both IDF modes. Results go to
# data_collected/.
#
# Usage: scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh >/dev/null
echo "building the release binary..."
swift build -c release --product veredicto 2>&1 | tail -1
bin=".build/release/veredicto"
mkdir -p data_collected
pairs=Tests/ScoringTests/Fixtures/pair_parity.jsonl

"$bin" idf build --dataset data/sample/yahoo_sample.csv --out data_collected/sample.idf
"$bin" score --idf pair "$pairs" --output data_collected/scores_pair.jsonl
"$bin" score --idf corpus --model data_collected/sample.idf "$pairs" --output data_collected/scores_corpus.jsonl
echo "first scores (pair mode):"
head -3 data_collected/scores_pair.jsonl
