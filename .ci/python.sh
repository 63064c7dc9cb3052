#!/usr/bin/env bash
# Creates the Python virtualenv the test suites use, with pinned packages from PyPI. Idempotent:
# nothing is installed when the venv already holds exactly these pins. Never fails CI: without
# Python 3.9+ or PyPI, the tests that need the venv skip with a message naming this script.
set -uo pipefail

venv="${LLMUX_PYTHON_VENV:-$HOME/.cache/llmux-venv}"

# One entry per package, grouped by the suite that needs it; keep each group sorted.
packages=(
  # client conformance suite (test/clients/python-sdks.client.ts): the official SDKs
  "anthropic==2.16.0"
  "google-genai==3.6.1"
  "openai==3.57.0"
  # OpenAPI conformance (test/security/openapi.test.ts): generated requests against the spec
  "schemathesis==4.32.5"
)

stamp="$venv/.llmux-packages"
want="${packages[*]}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "python: venv ready in $venv"
  exit 0
fi
py=$(command -v python3 || true)
if [ -z "$py" ] || ! "$py" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
  echo "python: no Python 3.9+ with venv; the Python tests will skip"
  exit 0
fi
echo "python: creating $venv with ${packages[*]}"
if "$py" -m venv "$venv" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${packages[@]}"; then
  echo "$want" > "$stamp"
else
  echo "python: install failed; the Python tests will skip"
fi
exit 0
