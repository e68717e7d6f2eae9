#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs, then lint,
# types, unit, kernel, API and end-to-end tests. Kernel tests need root and
# are never skipped in CI.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh || exit 1

rm -rf .test-results && mkdir -p .test-results
status=0
pnpm lint || status=1
pnpm typecheck || status=1
pnpm test || status=1
node scripts/summarize-tests.mjs .test-results || status=1
exit $status
