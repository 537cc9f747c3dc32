#!/usr/bin/env bash
# What the Tauri shell's build and end-to-end test need on Debian 12 and Ubuntu 24.04, installed
# only when missing (safe to run again): WebKitGTK's development files and the
# rest of Tauri's Linux prerequisites, Xvfb for a screen, WebKitGTK's WebDriver,
# and tauri-driver, which puts a WebDriver front on the app.
set -euo pipefail

packages=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev
  build-essential file pkg-config xvfb xauth webkit2gtk-driver)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# As root here; through sudo on GitHub's runners, where cargo belongs to the runner's user.
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
if ((${#missing[@]})); then
  echo "Installing ${missing[*]}"
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The version the e2e test was written against; cargo builds it once (a few minutes on 2 cores).
TAURI_DRIVER_VERSION=2.1.0
if ! cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
fi
