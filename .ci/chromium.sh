#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests; installed only when missing. Never fails CI:
# without it the browser tests skip and say why.
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
echo "ci: installing chromium (Debian package) for the console's browser tests"
if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null); then
  echo "ci: chromium could not be installed; the browser tests will skip"
fi
exit 0
