#!/usr/bin/env bash
# Sets up everything missing, then serves the app with live reload.
# Usage: scripts/serve.sh [--port 8080]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
echo "Serving Redis Lab at http://127.0.0.1:${PORT:-8080}/"
exec trunk serve --port "${PORT:-8080}" "$@"
