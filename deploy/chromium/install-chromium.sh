#!/bin/sh
# Debian's headless-capable Chromium, for the page test (tests/integration/test_page.py)
# and CI. A no-op when it is on PATH. The test drives it over the DevTools protocol on
# 127.0.0.1 with its own profile directory, so nothing of the system's browser is touched.
set -eu
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
