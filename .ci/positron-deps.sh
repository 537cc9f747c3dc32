#!/usr/bin/env bash
# What the Positron shell's tests need on Debian 12, installed only when missing
# (safe to run again): the headers PyGObject 3.50 and pycairo build against
# (GObject introspection 1.x, cairo), GTK 3 and WebKitGTK 4.1's GObject
# bindings for toga-gtk's window and web view, and Xvfb for a screen.
# The Python side (toga-gtk, PyGObject, Django) goes into experiments/positron/.venv,
# which `npm test -- positron` makes from experiments/positron/requirements.txt.
set -euo pipefail

packages=(libgirepository1.0-dev libcairo2-dev pkg-config build-essential
  gir1.2-gtk-3.0 gir1.2-webkit2-4.1 xvfb xauth)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installing ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
