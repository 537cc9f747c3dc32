#!/usr/bin/env bash
# Runs a packaging command, and on a macOS runner runs it once more when it fails:
# hdiutil, which electron-builder and Tauri both call to make a .dmg, fails now and
# then on GitHub's hosted Macs with "Resource busy". Elsewhere a failure stands.
#   bash .github/scripts/retry-on-macos.sh npm run dist -w final -- --flag
set -uo pipefail
"$@" && exit 0
status=$?
[ "${RUNNER_OS:-}" = macOS ] || exit "$status"
echo "::warning::'$*' failed (exit $status); hdiutil's \"Resource busy\" comes and goes on hosted macOS, so it runs once more."
"$@"
