#!/usr/bin/env python3
"""`charla --list-plugins` against the fixture plugins: every plugin the host would refuse or fail
to load shows as such with its reason, and the reason is logged (charla.plugins), not only the
manifest-level refusals but also what only loading the library reveals (issue 12)."""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from charla_harness import expect, run_checks, run_cli  # noqa: E402


def listing(binary, workdir, plugin_dir, name):
    """Runs --list-plugins with only `plugin_dir` added; returns ({id: (state, rest)}, stderr)."""
    result = run_cli(binary, ["--list-plugins", "--plugins-dir", plugin_dir], workdir, name)
    expect(result.returncode == 0, "--list-plugins exited %d: %s" % (result.returncode,
                                                                     result.stderr))
    rows = {}
    for line in result.stdout.splitlines()[1:]:
        fields = line.split(None, 3)
        if len(fields) >= 3:
            rows[fields[0]] = (fields[2], fields[3] if len(fields) > 3 else "")
    return rows, result.stderr, result.stdout


def check_refused(binary, workdir, plugin_dir, plugin_id, reason):
    rows, log, out = listing(binary, workdir, plugin_dir, plugin_id)
    expect(plugin_id in rows, "no line for %s in:\n%s" % (plugin_id, out))
    state, rest = rows[plugin_id]
    expect(state == "refused", "%s is %r, not refused:\n%s" % (plugin_id, state, out))
    expect(reason in rest, "%s's line does not say %r:\n%s" % (plugin_id, reason, out))
    expect("charla.plugins" in log and reason in log,
           "the refusal of %s is not logged with %r:\n%s" % (plugin_id, reason, log))


def check_failed_to_load(binary, workdir, fixtures):
    # A manifest the catalog accepts, naming a file that is no shared library at all.
    plugin_dir = os.path.join(workdir, "junk-library")
    os.makedirs(plugin_dir, exist_ok=True)
    with open(os.path.join(fixtures, "good", "charla_echo.json")) as f:
        manifest = json.load(f)
    manifest["id"] = "junk"
    manifest["library"] = "libcharla_junk.so"
    with open(os.path.join(plugin_dir, "charla_junk.json"), "w") as f:
        json.dump(manifest, f)
    with open(os.path.join(plugin_dir, "libcharla_junk.so"), "w") as f:
        f.write("not an ELF file\n")
    rows, log, out = listing(binary, workdir, plugin_dir, "junk")
    expect("junk" in rows, "no line for junk in:\n%s" % out)
    state, rest = rows["junk"]
    expect(state == "failed", "junk is %r, not failed:\n%s" % (state, out))
    expect("cannot load" in rest, "junk's line gives no reason:\n%s" % out)
    expect("charla.plugins" in log and "cannot load" in log,
           "the failure of junk is not logged:\n%s" % log)


def check_good_is_enabled(binary, workdir, fixtures):
    rows, _, out = listing(binary, workdir, os.path.join(fixtures, "good"), "good")
    expect(rows.get("echo", ("",))[0] == "enabled", "echo is not enabled:\n%s" % out)


def main():
    if len(sys.argv) != 3:
        print("usage: %s PATH_TO_CHARLA TEST_PLUGINS_DIR" % sys.argv[0], file=sys.stderr)
        return 2
    binary, fixtures = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    workdir = tempfile.mkdtemp(prefix="charla-list-")
    try:
        refusals = [  # (what, fixture directory, plugin id, reason)
            ("a library that is another plugin than its manifest says", "mismatch", "mismatch_b",
             "manifest says"),
            ("a library built for another ABI than its manifest says", "liar", "liar",
             "manifest says"),
            ("a library without the plugin entry points", "notplugin", "notplugin",
             "exports no Charla plugin"),
            ("a manifest for another Qt (no library loaded)", "qt", "qt515", "Qt"),
        ]
        checks = [(what + ": refused",
                   lambda d=d, i=i, r=r: check_refused(binary, workdir, os.path.join(fixtures, d),
                                                       i, r))
                  for what, d, i, r in refusals]
        checks += [
            ("a library that cannot be loaded: failed",
             lambda: check_failed_to_load(binary, workdir, fixtures)),
            ("the good plugin: enabled", lambda: check_good_is_enabled(binary, workdir, fixtures)),
        ]
        return run_checks("e2e.list_plugins", checks)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
