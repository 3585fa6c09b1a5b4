#!/usr/bin/env python3
"""Installs Charla to a temporary prefix, builds examples/nudge and the plugin of
docs/plugin-guide.md (its code blocks marked <!-- guide-file: PATH -->, as written) against the
installed SDK only, installs them into the per-user directory, then runs the installed host and
calls the plugins' methods as a peer would. Prints 'N passed, N failed'."""
import argparse, os, re, shutil, subprocess, sys, time, xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from charla_harness import free_ports, terminate  # noqa: E402

passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    if ok:
        passed += 1
    else:
        failed += 1
    return ok


def run(cmd, **kw):
    print("$ " + " ".join(cmd), flush=True)
    result = subprocess.run(cmd, text=True, capture_output=True, **kw)
    if result.returncode != 0:  # show why (a compiler error), then fail as check=True would
        print(result.stdout + result.stderr, flush=True)
        result.check_returncode()
    return result


def guide_files(guide_path):
    """{relative path: text} of the code blocks the guide marks with <!-- guide-file: PATH -->."""
    with open(guide_path, encoding="utf-8") as f:
        text = f.read()
    return {m.group(1): m.group(2) for m in re.finditer(
        r"^<!-- guide-file: (\S+) -->\n```\w*\n(.*?)^```$", text, re.M | re.S)}


def build_out_of_tree(source, build, prefix, env):
    # Only the install prefix is visible: not the source tree, not the build tree.
    run(["cmake", "-S", source, "-B", build, "-DCMAKE_PREFIX_PATH=" + prefix], env=env)
    run(["cmake", "--build", build, "-j2"], env=env)
    run(["cmake", "--install", build], env=env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.work_dir, ignore_errors=True)
    prefix = os.path.join(a.work_dir, "prefix")
    data_home = os.path.join(a.work_dir, "data")
    env = dict(os.environ, XDG_DATA_HOME=data_home,
               XDG_CONFIG_HOME=os.path.join(a.work_dir, "config"), QT_QPA_PLATFORM="offscreen")

    run(["cmake", "--install", a.build_dir, "--prefix", prefix])
    check(os.path.exists(os.path.join(prefix, "lib/cmake/CharlaSDK/CharlaSDKConfig.cmake")),
          "the SDK's CMake package is installed")
    # The media toolkit (charla/sdk/media, header only) is installed and compiles on its own.
    media = sorted(os.listdir(os.path.join(a.source_dir, "sdk/include/charla/sdk/media")))
    probe = os.path.join(a.work_dir, "media_probe.cpp")
    with open(probe, "w") as f:
        f.writelines('#include <charla/sdk/media/%s>\n' % h for h in media)
    check(all(os.path.exists(os.path.join(prefix, "include/charla/sdk/media", h)) for h in media),
          "the media toolkit is installed: %s" % ", ".join(media))
    run(["c++", "-std=c++20", "-fsyntax-only", "-I", os.path.join(prefix, "include"), probe])
    example = os.path.join(a.source_dir, "examples/nudge")
    with open(os.path.join(example, "CMakeLists.txt")) as f:
        # Charla::sdk must bring the C++20 its headers need (#12): the example must not set it.
        check(not re.search(r"^\s*set\s*\(\s*CMAKE_CXX_STANDARD\b", f.read(), re.M),
              "the example does not set CMAKE_CXX_STANDARD")
    build_out_of_tree(example, os.path.join(a.work_dir, "nudge-build"), prefix, env)

    files = guide_files(os.path.join(a.source_dir, "docs/plugin-guide.md"))
    check(sorted(files) == ["reactions/CMakeLists.txt", "reactions/reactions_plugin.cpp"],
          "the guide marks its plugin's files: %s" % sorted(files))
    guide_dir = os.path.join(a.work_dir, "guide")
    for path, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(guide_dir, path)), exist_ok=True)
        with open(os.path.join(guide_dir, path), "w", encoding="utf-8") as f:
            f.write(text)
    build_out_of_tree(os.path.join(guide_dir, "reactions"), os.path.join(a.work_dir, "guide-build"),
                      prefix, env)
    user_dir = os.path.join(data_home, "charla/plugins")
    check(os.path.exists(os.path.join(user_dir, "charla_nudge.json")),
          "the example installs into the per-user plugin directory")
    # charla_add_plugin_translations (installed with the SDK) put the example's Spanish inside its
    # library, where TranslatedPlugin looks: rcc keeps resource names in UTF-16.
    with open(os.path.join(user_dir, "libcharla_nudge.so"), "rb") as f:
        check("charla_nudge_es.qm".encode("utf-16-be") in f.read(),
              "the example's library holds :/i18n/charla_nudge_es.qm")

    charla = os.path.join(prefix, "bin/charla")
    listing = run([charla, "--list-plugins"], env=env).stdout
    print(listing)
    check(any(l.split()[:1] == ["nudge"] and "enabled" in l for l in listing.splitlines()),
          "the installed host finds the example with no flags")
    check(any(l.split()[:1] == ["text"] and "enabled" in l for l in listing.splitlines()),
          "the installed host finds its own installed plugins")

    port, peer_port = free_ports(2)
    proc = subprocess.Popen([charla, "-l", "--port", str(port), "--peer", f"localhost:{peer_port}",
                             "--user", "Example", "--allow-plaintext"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        server = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/RPC2")
        deadline = time.time() + 20
        methods = []
        # The host serves as soon as it listens; its plugins are enabled right after.
        while time.time() < deadline:
            try:
                methods = server.system.listMethods()
                if "nudge.nudge" in methods:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        check("nudge.nudge" in methods, "the host serves nudge.nudge: %s" % methods)
        check(server.nudge.nudge({"from": "Peer"}) == {"status": "nudged"},
              "a peer's nudge.nudge call is answered by the plugin")
        try:
            server.nudge.nudge({})
            check(False, "nudge.nudge without 'from' is refused")
        except xmlrpc.client.Fault as f:
            check(f.faultCode == -32602, "nudge.nudge without 'from' is refused (%s)" % f)
        check("reactions.react" in server.system.listMethods(), "the host serves the guide's plugin")
        check(server.reactions.react({"emoji": "\U0001F44D"}) == {"status": "shown"},
              "the guide's reactions.react answers")
        try:
            server.reactions.react({"emoji": 1})
            check(False, "reactions.react with a number is refused")
        except xmlrpc.client.Fault as f:
            check(f.faultCode == -32602 and "member 'emoji' must be a string" in f.faultString,
                  "the guide plugin's StructReader names the member (%s)" % f)
        check(proc.poll() is None, "the host is still running")
    finally:
        print(terminate(proc))

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
