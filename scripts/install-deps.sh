#!/usr/bin/env bash
# Installs every Debian 12 package Charla needs to build, run and test. Idempotent: it does
# nothing when all are present. docs/dependencies.md says why each one is there.
set -euo pipefail

packages=(
    # build
    cmake g++ make pkg-config clang-format
    # host and SDK
    qt6-base-dev libxmlrpc-c++8-dev libcurl4-openssl-dev libboost-dev libboost-filesystem-dev
    # audio plugin
    portaudio19-dev libopus-dev libspeexdsp-dev
    # video plugin (OpenCV opens files and GStreamer pipelines; the GStreamer plugins give the
    # test sources and the RTP/JPEG baseline of the benchmark)
    libopencv-dev libjpeg62-turbo-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-tools
    # tests: a display, a sound server with null sinks, audio measuring
    libgtest-dev python3 xvfb xauth pulseaudio pulseaudio-utils libasound2-plugins sox
    # fuzzing (libFuzzer ships with clang's runtime)
    clang-14 libclang-rt-14-dev
)

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
