#!/usr/bin/env python3
"""A plugin that aborts Charla while it loads: the first start dies, the second tries it once more
(one leftover guard is no proof: a SIGKILL may land during any load) and dies too, the third keeps
the plugin off (state failed, reason given) and runs; the plugin's methods are not served."""
import os, shutil, subprocess, sys, time, xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from charla_harness import free_ports, isolated_env, terminate  # noqa: E402

passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)


def main():
    charla, plugin_dir, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    env = isolated_env(work)
    port, peer = free_ports(2)
    cmd = [charla, "-l", "--port", str(port), "--peer", f"localhost:{peer}", "--user", "Crashy",
           "--plugins-dir", plugin_dir, "--allow-plaintext"]  # plain XML-RPC: about plugins

    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
    check(first.returncode != 0, f"the first start dies in the plugin (exit {first.returncode})")
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
    check(second.returncode != 0, f"the second start tries it again (exit {second.returncode})")
    check("trying it once more" in second.stderr, "the second start says it tries again")

    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        server = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/RPC2")
        methods = None
        deadline = time.time() + 20
        while time.time() < deadline and proc.poll() is None:
            try:
                methods = server.system.listMethods()
                break
            except OSError:
                time.sleep(0.2)
        check(methods is not None, "the third start runs")
        check(methods is not None and "text.send" in methods, "the other plugins are enabled")
        check(methods is not None and not any(m.startswith("crash.") for m in methods),
              "the crashing plugin is kept off")
    finally:
        out = terminate(proc)
    print(out)
    check("plugin crash crashed Charla twice" in out,
          "the log says why the plugin is off")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
