#!/usr/bin/env bash
# Compiles the C++ files a branch changed with clang 14, syntax only, with the flags the build
# uses: the sanitizer trees are built with clang 14, the main build with GCC, and code GCC accepts
# can fail there (a lambda capturing a structured binding broke the ASan build twice). A minute
# here instead of a failed sanitizer stage in CI.
#
#   scripts/clang-syntax-check.sh [--base REV] [--all] [BUILD_DIR]
#
#   --base REV  the files changed since REV's merge base with HEAD, committed or not (default: main)
#   --all       every file of the build
#   BUILD_DIR   a configured build tree (default: build); its compile_commands.json is made if
#               missing (CMAKE_EXPORT_COMPILE_COMMANDS). Generated headers (moc, ui) must exist:
#               build it once first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base=main all=0 build="$root/build"
while [ $# -gt 0 ]; do
    case "$1" in
    --base) base=$2; shift ;;
    --all) all=1 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) build=$1 ;;
    esac
    shift
done
compiler=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$compiler" ]; then
    echo "clang-syntax-check: no clang++ (scripts/install-deps.sh --sanitizers installs clang-14)" >&2
    exit 2
fi
if [ ! -f "$build/compile_commands.json" ]; then
    cmake -S "$root" -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
fi
files=()
if [ "$all" = 0 ]; then
    cd "$root"
    mapfile -t files < <( (git diff --name-only "$(git merge-base "$base" HEAD)"; git diff --name-only;
        git ls-files --others --exclude-standard) | grep -E '\.(cpp|h)$' | sort -u)
    [ ${#files[@]} -eq 0 ] && { echo "clang-syntax-check: no C++ file changed since $base"; exit 0; }
fi
python3 - "$compiler" "$build/compile_commands.json" "$root" "$all" "${files[@]}" <<'EOF'
import json, os, shlex, subprocess, sys
compiler, db, root, every, changed = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1", sys.argv[5:]
entries = json.load(open(db))
changed = {os.path.join(root, f) for f in changed}
# A changed header is checked through the sources beside it that include it.
headers = {(os.path.dirname(f), os.path.basename(f)) for f in changed if f.endswith(".h")}
def includes_changed_header(f):
    names = [name for d, name in headers if d == os.path.dirname(f)]
    if not names:
        return False
    text = open(f, errors="replace").read()
    return any(name in text for name in names)
todo, seen = [], set()
for e in entries:
    f = e["file"]
    if f in seen or "/_deps/" in f or "_autogen" in f:
        continue
    if every or f in changed or includes_changed_header(f):
        seen.add(f)
        todo.append(e)
failed = 0
for e in todo:
    args = shlex.split(e["command"])
    out = []
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a == "-c":
            continue
        out.append(a)
    cmd = [compiler, "-fsyntax-only", "-Wno-unknown-warning-option"] + out
    r = subprocess.run(cmd, cwd=e["directory"], capture_output=True, text=True)
    if r.returncode != 0:
        failed += 1
        print(f"FAILED {os.path.relpath(e['file'], root)}\n{r.stderr}", flush=True)
print(f"clang-syntax-check: {len(todo)} files, {failed} failed ({os.path.basename(compiler)})")
sys.exit(1 if failed else 0)
EOF
