#!/bin/sh
# Debian's Prometheus server and promtool, for tests/integration/test_prometheus.py
# and CI. A no-op when both are on PATH. The tests run their own server on a
# free port, so whether the package starts its system service does not matter.
set -eu
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v prometheus >/dev/null && command -v promtool >/dev/null
