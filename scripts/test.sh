#!/usr/bin/env bash
# The whole test suite, from a fresh clone: system packages, then every test (unit and
# integration) next to a real Kafka-protocol broker and a real MongoDB-protocol server
# that scripts/test-env.sh starts and stops.
#
# Usage: scripts/test.sh [extra `swift test` arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
swift build --build-tests
exec scripts/test-env.sh swift test --skip-build "$@"
