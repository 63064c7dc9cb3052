#!/usr/bin/env bash
# PostgreSQL for the ledger's shared-store tests (Debian package). Installed only when missing;
# never fails CI: without it those tests skip and say why.
set -uo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
echo "ci: installing postgresql"
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || echo "ci: postgresql could not be installed (the Postgres ledger tests will skip)"
exit 0
