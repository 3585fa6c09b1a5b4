#!/usr/bin/env bash
# Installs every Debian 12 package Charla needs to build, run and test; with --sanitizers also
# what scripts/test-sanitizers.sh needs (clang, its runtimes, llvm-symbolizer: ~400 MB that the
# README's commands do not use). Idempotent: it does nothing when all are present.
# docs/dependencies.md says why each one is there.
#
# --no-install-recommends keeps this list the whole truth: what Charla loads at run time by name
# (the Qt SQL driver and platform plugins, GStreamer elements, PulseAudio modules, the ALSA pulse
# plugin) and the programs the tests start (pulseaudio, pactl, parecord, ip) are named here, not
# left to a package's Recommends. CI checks it in a brand-new Debian 12 root (docs/testing.md).
set -euo pipefail

packages=(
    # build
    cmake g++ make pkg-config clang-format
    # host and SDK
    qt6-base-dev libxmlrpc-c++8-dev libcurl4-openssl-dev libboost-dev libboost-filesystem-dev
    # translations (issue 16): lupdate/lrelease (qt6-l10n-tools) and CMake's Qt6LinguistTools
    # (qt6-tools-dev) build the .qm files from translations/*.ts; Qt's own Spanish (OK, Cancel)
    # is loaded by name from qt6-translations-l10n
    qt6-l10n-tools qt6-tools-dev qt6-translations-l10n
    # the identity key and TLS (issue 13); only Suggested by libcurl4-openssl-dev
    libssl-dev
    # loaded by Qt at run time by name: the platform plugins (xcb for a desktop, offscreen for the
    # tests) ship in libqt6gui6; the text plugin's message store needs the QSQLITE driver; a font
    # for the text Qt paints; colour emoji (the 📎 of a file's line in the conversation, emoji in
    # messages), which desktops install and DejaVu lacks
    libqt6gui6 libqt6sql6-sqlite fonts-dejavu-core fonts-noto-color-emoji
    # audio plugin
    portaudio19-dev libopus-dev libspeexdsp-dev
    # audio at run time: PortAudio's ALSA backend reaches PulseAudio through ALSA's pulse plugin
    libasound2-plugins
    # video plugin (OpenCV opens cameras, files and GStreamer pipelines; GStreamer's elements are
    # loaded by name: videotestsrc, videoconvert, appsink from -base; jpegenc/jpegdec, ximagesrc,
    # rtpjpegpay, udpsrc/udpsink, v4l2src from -good; gst-launch-1.0 for the video benchmark)
    libopencv-dev libjpeg62-turbo-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-tools
    # video plugin's call codec (VP8, libvpx); the codec benchmark's H.264 comparison (OpenH264)
    libvpx-dev libopenh264-dev
    # tests: GoogleTest; Python for the tests that drive charla processes from outside; a private
    # sound server with null sinks, a sine source and a loopback (pulseaudio, its modules), pactl
    # and parecord (pulseaudio-utils); ip for the two-host test's network namespaces (iproute2);
    # the openssl command, with which the Python harness makes a TLS client's key and certificate
    # and reads a Charla's public key (the e2e and netns tests speak TLS to Charla)
    libgtest-dev python3 pulseaudio pulseaudio-utils iproute2 openssl
    # real windows without a display (xvfb-run by hand; Xvfb for the screen-sharing test),
    # measuring a recording by hand (sox); a private session bus for the notification tests
    # (dbus-daemon: the desktop's bus, where org.freedesktop.Notifications lives)
    xvfb xauth sox dbus-daemon
)
if [ "${1:-}" = "--sanitizers" ]; then
    # sanitizer and fuzz stages: clang, libFuzzer (in clang's runtime), llvm-symbolizer (llvm-14)
    # so that ASan, UBSan and fuzzer reports show function names and lines
    packages+=(clang-14 libclang-rt-14-dev llvm-14)
elif [ "${1:-}" = "--bench" ]; then
    # the codec benchmark's natural source: opencv-doc ships vtest.avi, a street filmed with a
    # real camera (96 MB to download, so not for the README's commands, which never run it)
    packages+=(opencv-doc)
elif [ $# -ne 0 ]; then
    echo "usage: $0 [--sanitizers | --bench]" >&2
    exit 2
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "Installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
