#!/usr/bin/env bash
# The one command to build Charla and run every test (what CI runs). Prints each step's time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CHARLA_BUILD_DIR:-$root/build}"
step=$SECONDS
took() { # took WHAT: prints the time since the last step
    echo "=== scripts/test.sh: $1 took $((SECONDS - step)) s"
    step=$SECONDS
}
"$root/scripts/install-deps.sh"
took "installing packages"
"$root/scripts/build.sh"
took "building"
cd "$build"
rc=0
ctest --output-on-failure --timeout 300 -j"$(nproc)" || rc=$?
took "running the tests"
exit $rc
