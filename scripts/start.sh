#!/usr/bin/env bash
# Installs what is needed, then starts the dashboard on its defaults
# (http://127.0.0.1:7878, token printed below). Needs root: it runs labs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# The built CLI (install.sh ran `pnpm build`), started by node itself so Ctrl-C reaches it.
exec node apps/server/dist/netcanvas.js serve "$@"
