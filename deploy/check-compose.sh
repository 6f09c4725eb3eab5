#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine: `config -q` parses, interpolates and schema-checks
# the file. Uses Compose v2 (`docker compose`) when the docker CLI has it, else docker-compose v1.
#
# usage: deploy/check-compose.sh [compose-file]        (default: <repo>/docker-compose.yml)
set -euo pipefail

log_component=compose
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=local/lib/log.sh
source "$here/local/lib/log.sh"

file=${1:-$(cd "$here/.." && pwd)/docker-compose.yml}
[[ -f $file ]] || die "no compose file at $file"

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose)
else
  die "neither 'docker compose' nor docker-compose is installed (apt-get install docker-compose)"
fi

info "validating $file with ${compose[*]} ($("${compose[@]}" version --short 2>/dev/null || echo unknown version))"
# The project directory is the file's folder, as when compose runs from there: build contexts resolve alike.
"${compose[@]}" --project-directory "$(dirname "$file")" -f "$file" config -q
info "ok"
