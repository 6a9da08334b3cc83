#!/bin/sh
# Debian's Chromium, for the page test (tests/integration/test_page_in_browser.py) and CI. A no-op
# when it is on PATH. The test drives it headless over the DevTools protocol on 127.0.0.1
# with its own profile directory, so nothing of a system browser is touched.
exec sh "$(dirname "$0")/../install-debian-package.sh" chromium chromium
