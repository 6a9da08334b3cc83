#!/bin/sh
# Debian's Prometheus server and promtool, for tests/integration/test_prometheus.py
# and CI. A no-op when both are on PATH. The tests run their own server on a
# free port, so whether the package starts its system service does not matter.
exec sh "$(dirname "$0")/../install-debian-package.sh" prometheus prometheus promtool
