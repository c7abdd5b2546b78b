#!/bin/sh
# Starts SecantusDB on :27017 with its data in /data/db. mongod's flags given as the command
# (--replSet, --bind_ip_all) have no SecantusDB equivalent and are ignored.
set -eu
exec /opt/secantus/bin/python -m secantus --config /etc/secantus/secantusd.toml \
    --host 0.0.0.0 --port 27017 --storage-path /data/db
