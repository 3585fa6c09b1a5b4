#!/usr/bin/env bash
# The one command to build and run Charla on a fresh Debian 12 machine:
#   scripts/run.sh                 login window, contact on port 5000
#   scripts/run.sh -l              local mode: two instances on this computer
# Any arguments go to charla (see scripts/run.sh --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
exec "${CHARLA_BUILD_DIR:-$root/build}/bin/charla" "$@"
