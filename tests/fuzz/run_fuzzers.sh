#!/usr/bin/env bash
# Fuzzes each libFuzzer target for a bounded time, starting from its seed corpus (CI, issue 6).
#
#   tests/fuzz/run_fuzzers.sh [BUILD_DIR] [SECONDS] [TARGET...]
#
# BUILD_DIR defaults to build-fuzz, SECONDS to 20 (per target; FUZZ_SECONDS overrides too),
# TARGET to every fuzz_* binary built in BUILD_DIR/bin. The repository is never written: new
# corpus entries go to a temporary directory, and crash reproducers to $FUZZ_ARTIFACTS (default:
# a temporary directory, printed). Exits non-zero if any target crashed, leaked, timed out or ran
# out of memory; the reproducer belongs in tests/fuzz/regressions/<target>/ once the bug is fixed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-fuzz}
seconds=${2:-${FUZZ_SECONDS:-20}}
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for bin in "$build"/bin/fuzz_*; do
        name=$(basename "$bin")
        [ "$name" = fuzz_seed_generator ] && continue
        [ -x "$bin" ] && targets+=("$name")
    done
fi
if [ ${#targets[@]} -eq 0 ]; then
    echo "no fuzz targets in $build/bin: build them with make -C $build charla_fuzzers" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/charla-fuzz-run.XXXXXX")
artifacts=${FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export QT_QPA_PLATFORM=offscreen
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_RUNTIME_DIR=$work/runtime
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

failed=()
for target in "${targets[@]}"; do
    bin=$build/bin/$target
    if [ ! -x "$bin" ]; then
        echo "$target: not built ($bin)" >&2
        failed+=("$target")
        continue
    fi
    # The seed corpus and the regressions are read, never written: the first directory given to
    # libFuzzer receives new inputs, so it is a scratch copy.
    corpus=$work/corpus/$target
    mkdir -p "$corpus" "$artifacts/$target"
    cp -r "$here/corpus/$target/." "$corpus/" 2>/dev/null
    seeds=("$corpus")
    [ -d "$here/regressions/$target" ] && seeds+=("$here/regressions/$target")
    dict=()
    [ -f "$here/$target.dict" ] && dict=(-dict="$here/$target.dict")
    echo "=== $target: ${seconds}s"
    "$bin" "${seeds[@]}" "${dict[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -timeout=25 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$target/" >"$work/$target.log" 2>&1
    rc=$?
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' \
        "$work/$target.log" | sed "s/^/    /"
    if [ $rc -ne 0 ]; then
        echo "!!! $target failed (exit $rc); log: $work/$target.log; reproducers:" >&2
        ls "$artifacts/$target" >&2
        grep -m5 -E 'ERROR: |==== |runtime error|uncaught exception' "$work/$target.log" >&2
        failed+=("$target")
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "FAILED: ${failed[*]} (logs and reproducers in $work)" >&2
    exit 1
fi
rm -rf "$work"
echo "all ${#targets[@]} fuzz targets ran ${seconds}s each without a crash"
