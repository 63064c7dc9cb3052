#!/usr/bin/env bash
# Installs the real agent clients the client conformance suite (`npm run test:clients`) drives,
# pinned, into a local prefix outside the repo. Idempotent: does nothing when the pinned versions
# are already there. Never fails CI: a client that cannot be installed makes its tests skip.
# No install scripts run: Claude Code and Codex ship their native binaries inside platform packages
# (@anthropic-ai/claude-code-linux-x64, @openai/codex-linux-x64), which the suite runs directly.
set -uo pipefail

prefix="${LLMUX_CLIENTS_DIR:-$HOME/.cache/llmux-clients}"
packages=(
  "@anthropic-ai/claude-code@2.1.332"
  "@google/gemini-cli@0.61.0"
  "@openai/codex@0.171.0"
)
stamp="$prefix/.installed"
want="${packages[*]}"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "clients: already installed in $prefix"
  exit 0
fi
mkdir -p "$prefix"
echo "clients: installing ${packages[*]} into $prefix"
if npm install --prefix "$prefix" --ignore-scripts --no-audit --no-fund --no-save --loglevel=error "${packages[@]}" >/dev/null; then
  echo "$want" > "$stamp"
else
  echo "clients: install failed; the client conformance tests will skip"
fi
exit 0
