#!/usr/bin/env bash
# Installs everything netcanvas needs on Debian 12 with Node 20, then builds it.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# System tools the product drives (iproute2, ping, fping for `check`, traceroute,
# tcpdump), the server's kernel helper (Debian's python3 with pyroute2:
# /usr/bin/python3 runs it by path) and the browser the end-to-end tests use
# (Playwright cannot download one here).
packages=(iproute2 iputils-ping fping traceroute tcpdump chromium python3 python3-pyroute2 make g++)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "netcanvas: installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# corepack fails signature checks on these machines: install the pinned pnpm with npm.
if [ "$(pnpm --version 2>/dev/null || true)" != "12.4.2" ]; then
  echo "netcanvas: installing pnpm 12.4.2"
  as_root npm install -g pnpm@12.4.2
fi

# better-sqlite3 compiles from source; nodedir keeps node-gyp from downloading headers.
export npm_config_nodedir=/usr
pnpm install --frozen-lockfile
pnpm build
