#!/usr/bin/env bash
# The one command to build Charla and run every test (what CI runs). Prints each step's time and,
# at the end, every test or check that skipped, with its reason.
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

# ctest shows the output of failed tests only, and a GoogleTest or QtTest skip inside a test
# counts as passed: pick the skips out of the full log so that none goes unseen. Formats:
# GoogleTest "FILE:LINE: Skipped" + the reason on the next line; QtTest "SKIP   : ..."; the
# Python tests "SKIP ...". (A test that skipped as a whole is also in ctest's "did not run" list.)
awk '/^[0-9]+\/[0-9]+ Test: / { test = $3 }
     /^Output:$/ { out = 1 }
     /^<end of output>$/ { out = 0 }
     out && /: Skipped$/ { getline reason; print "  " test ": " reason; next }
     out && /^SKIP/ { print "  " test ": " $0 }' Testing/Temporary/LastTest.log >skips.txt || true
if [ -s skips.txt ]; then
    echo "=== scripts/test.sh: skipped ($(wc -l <skips.txt)), with their reasons:"
    cat skips.txt
fi
exit $rc
