#!/bin/bash
# Readiness probe standing in for Kafka's tool of the same name: succeeds when the broker named
# by --bootstrap-server (default localhost:9092) accepts a connection and answers an
# ApiVersions request (v0) with a response carrying the same correlation id.
set -u
server="localhost:9092"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --bootstrap-server) server="${2:-}"; shift 2 ;;
        *) shift ;;
    esac
done
host="${server%:*}" port="${server##*:}"
exec 3<>"/dev/tcp/${host}/${port}" || exit 1
# Size 15 | api_key 18 | api_version 0 | correlation_id 0x7665 | client_id "probe" (length 5)
printf '\x00\x00\x00\x0f\x00\x12\x00\x00\x00\x00\x76\x65\x00\x05probe' >&3
reply="$(timeout 5 head -c 8 <&3 | od -An -tx1 | tr -d ' \n')"
exec 3<&-
[[ "${reply:8:8}" == "00007665" ]]
