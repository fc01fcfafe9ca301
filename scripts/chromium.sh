#!/usr/bin/env bash
# Install (if needed) Debian's chromium for the browser tests (tests/test_browser.py drives it with Playwright) and
# print its executable's path on stdout. Prints nothing and exits 0 when it truly cannot be installed (the browser
# tests then skip and say why); the reason goes to stderr. Never `playwright install`: that downloads browsers
# from outside the distribution.
set -u
log() { echo "chromium.sh: $*" >&2; }
found() {
    for name in chromium chromium-browser; do
        command -v "$name" 2>/dev/null && return 0
    done
    return 1
}

if ! found >/dev/null; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        log "Chromium is not installed and cannot be installed here (needs root and apt-get)"; exit 0
    fi
    log "installing chromium from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq chromium) >&2 || { log "apt-get install chromium failed"; exit 0; }
fi
found || log "chromium was installed but no chromium executable is on PATH"
