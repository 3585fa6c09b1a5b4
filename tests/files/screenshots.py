#!/usr/bin/env python3
"""The files plugin's screenshots for the docs (not a test): under a private Xvfb, Bob's real
chat window while Alice (offscreen) sends him a picture (received, thumbnail), a file he has to
accept (the offer) and a file moving through a 2 MB/s fault proxy (progress). Saves
docs/screenshots/files.png (the whole window) and files-panel.png (the strip).

Usage: screenshots.py PATH_TO_CHARLA OUT_DIR
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "faults"), os.path.join(HERE, "..", "support")]
from faultproxy import FaultProxy  # noqa: E402
from charla_harness import Charla, free_ports, isolated_env, wait_for  # noqa: E402
from files_e2e_test import STATES, transfers  # noqa: E402


def main():
    binary, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="charla-files-shots-")
    display = ":%d" % (90 + os.getpid() % 50)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1000x760x24", "-nolisten", "tcp"])
    time.sleep(1)
    pa, pb = free_ports(2)
    proxy = FaultProxy(pa).start()
    a = b = None
    try:
        pic = os.path.join(work, "harbour.png")
        # A real picture: Qt draws one offscreen in a helper (no image libraries in Python).
        subprocess.run(["convert", "-size", "640x400", "plasma:skyblue-navy", pic], check=True)
        big = os.path.join(work, "holiday-video.mkv")
        with open(big, "wb") as f:
            f.truncate(900 * 1000 * 1000)
        medium = os.path.join(work, "thesis-draft.pdf")
        with open(medium, "wb") as f:
            f.write(b"%PDF-1.4\n" + os.urandom(60 * 1000 * 1000))
        broot = os.path.join(work, "Bob")
        os.makedirs(broot, exist_ok=True)
        env = isolated_env(broot)
        env["QT_QPA_PLATFORM"] = "xcb"
        env["DISPLAY"] = display
        blog = open(os.path.join(broot, "stderr.log"), "ab")
        bproc = subprocess.Popen(
            [binary, "-l", "--port", str(pb), "--peer", "localhost:%d" % proxy.port, "--user",
             "Bob", "--plugin-option", "files.download_dir=" + os.path.join(broot, "dl"),
             "--plugin-option", "files.auto_accept_mb=100", "--plugin-option",
             "audio.input=none", "--plugin-option", "audio.output=none", "--allow-plaintext"],
            env=env, stdout=blog, stderr=blog)
        b = type("B", (), {"root": broot})()
        a = Charla(binary, work, "Alice", pa, pb, ["--send-file", pic])
        a.wait_serving()
        wait_for(lambda: os.path.exists(os.path.join(broot, "dl", "harbour.png")), 30)
        for path in (big, medium):
            a.kill()
            a.start(["--send-file", path])
            a.wait_serving()
            wait_for(lambda: len([r for r in transfers(b) if r[1] == 1]) >= (
                2 if path == big else 3), 60)
        proxy.set_rate(2_000_000)
        wait_for(lambda: [r for r in transfers(b) if r[4] == 3 and r[6] > 0], 60)
        time.sleep(6)
        os.makedirs(out, exist_ok=True)
        shot = os.path.join(out, "files.png")
        subprocess.run(["import", "-display", display, "-window", "root", "-crop",
                        "560x640+0+0", shot], check=True)
        print("saved", shot, [(r[2], STATES[r[4]]) for r in transfers(b)])
        bproc.terminate()
        bproc.wait(10)
    finally:
        if a:
            a.stop()
        proxy.stop()
        xvfb.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
