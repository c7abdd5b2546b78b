#!/bin/sh
# Starts Tansu on :9092, advertising the PLAINTEXT listener of KAFKA_ADVERTISED_LISTENERS
# (default kafka:9092). Other listeners of that variable (EXTERNAL, CONTROLLER) are not served.
set -eu
advertised="kafka:9092"
for listener in $(printf '%s' "${KAFKA_ADVERTISED_LISTENERS:-}" | tr ',' ' '); do
    case "${listener}" in
        PLAINTEXT://*) advertised="${listener#PLAINTEXT://}" ;;
    esac
done
exec /usr/local/bin/tansu broker \
    --listener-url "tcp://0.0.0.0:9092" \
    --advertised-listener-url "tcp://${advertised}" \
    --storage-engine "memory://tansu/"
