#!/usr/bin/env bash
# Prints, one per line, the Debian/Ubuntu packages holding the shared libraries that a binary
# links: the runtime stage of docker/Dockerfile installs exactly these, so its package names
# come from the distribution the binary was built on instead of being guessed (Ubuntu 24.04
# renamed several libraries with a t64 suffix). Fails when a library cannot be found at all.
#
# Usage: scripts/runtime-packages.sh BINARY
set -euo pipefail
binary="${1:?usage: scripts/runtime-packages.sh BINARY}"
linked="$(ldd "$binary")"
if grep -q "not found" <<<"$linked"; then
    echo "runtime-packages: $binary links libraries that are not installed:" >&2
    grep "not found" <<<"$linked" >&2
    exit 1
fi
awk '/=> \// {print $3}' <<<"$linked" | while read -r library; do
    # Match by file name: ldd may print /lib/... where dpkg recorded /usr/lib/... (merged /usr).
    # Libraries no package owns (none, with the Swift runtime linked statically) are skipped.
    { dpkg -S "*/$(basename "$library")" 2>/dev/null || true; } | head -n 1 | cut -d: -f1
done | sed '/^$/d' | sort -u
