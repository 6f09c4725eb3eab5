# shellcheck shell=bash
# Progress messages for the deploy/local scripts. Sourced, not executed.

# The prefix names the component so the interleaved output of up.sh stays readable.
log_component="${log_component:-local}"

info() { printf '[%s] %s\n' "$log_component" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$log_component" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "$log_component" "$*" >&2
  exit 1
}
