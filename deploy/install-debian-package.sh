#!/bin/sh
# install-debian-package.sh PACKAGE COMMAND...: install Debian's PACKAGE (apt, as root or
# with passwordless sudo) unless every COMMAND is already on PATH; fail unless they are after.
# Used by the tests that drive real tools (Prometheus, Chromium) and by CI.
set -eu
package=$1
shift
missing=""
for command in "$@"; do
    command -v "$command" >/dev/null 2>&1 || missing="$missing $command"
done
[ -z "$missing" ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$package" >/dev/null
for command in "$@"; do
    command -v "$command" >/dev/null
done
