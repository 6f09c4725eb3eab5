#!/usr/bin/env bash
# A local Ethereum dev chain: anvil from the npm package @foundry-rs/anvil (node_modules/.bin).
#
# usage: deploy/local/anvil.sh start|stop|status
#
# Environment (all optional):
#   ANVIL_PORT           JSON-RPC port                                        (8545)
#   ANVIL_BLOCK_TIME     seconds per block; unset mines one block per tx      (unset)
#   ANVIL_STATE_FILE     chain state kept across restarts, so deployed         (<repo>/.run/anvil-state.json)
#                        contracts survive down.sh/up.sh; "none" starts fresh
#   ANVIL_RUN_DIR        pid file and log                                     (<repo>/.run)
#   ANVIL_START_TIMEOUT  seconds to wait for eth_chainId                      (30)
set -euo pipefail

log_component=anvil
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lib/log.sh
source "$here/lib/log.sh"
# shellcheck source=lib/background-process.sh
source "$here/lib/background-process.sh"

host=127.0.0.1
port=${ANVIL_PORT:-8545}
run_dir=${ANVIL_RUN_DIR:-$repo/.run}
state_file=${ANVIL_STATE_FILE:-$run_dir/anvil-state.json}
start_timeout=${ANVIL_START_TIMEOUT:-30}
binary="$repo/node_modules/.bin/anvil"
pid_file="$run_dir/anvil.pid"
log_file="$run_dir/anvil.log"
rpc_url="http://$host:$port"

[[ $port =~ ^[0-9]+$ ]] || die "ANVIL_PORT must be a number, got '$port'"

chain_id() {
  curl -sf --max-time 2 -H 'content-type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$1" |
    sed -n 's/.*"result":"\(0x[0-9a-fA-F]*\)".*/\1/p'
}

block_number() {
  curl -sf --max-time 2 -H 'content-type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$1" |
    sed -n 's/.*"result":"\(0x[0-9a-fA-F]*\)".*/\1/p'
}

# The port a running anvil was started with (its command line carries it).
port_of() { tr '\0' ' ' <"/proc/$1/cmdline" | sed -n 's/.*--port \([0-9]*\).*/\1/p'; }

cmd_start() {
  local pid
  mkdir -p "$run_dir"
  if pid=$(running_pid "$pid_file" "anvil"); then
    local current
    current=$(port_of "$pid")
    [[ $current == "$port" ]] || die "already running (pid $pid) on port $current, not $port: stop it first"
    info "already running (pid $pid) on $rpc_url"
    return 0
  fi
  rm -f "$pid_file"
  [[ -x $binary ]] || die "$binary is missing: run npm ci first"
  require_free_port "$host" "$port"
  local -a args=(--host "$host" --port "$port")
  if [[ -n ${ANVIL_BLOCK_TIME:-} ]]; then args+=(--block-time "$ANVIL_BLOCK_TIME"); fi
  if [[ $state_file != none ]]; then
    args+=(--state "$state_file")
    if [[ -f $state_file ]]; then info "loading chain state from $state_file"; fi
  fi
  info "starting anvil on $rpc_url (log $log_file)"
  printf '\n--- %s anvil.sh start\n' "$(date -Is)" >>"$log_file"
  start_detached "$pid_file" "$log_file" "$binary" "${args[@]}"
  pid=$(<"$pid_file")
  local waited=0 id=''
  until id=$(chain_id "$rpc_url") && [[ -n $id ]]; do
    if ! group_alive "$pid"; then
      tail -n 20 "$log_file" >&2
      rm -f "$pid_file"
      die "anvil exited during start"
    fi
    if ((waited >= start_timeout * 5)); then
      stop_process_group "$pid" 5
      rm -f "$pid_file"
      die "anvil did not answer eth_chainId within ${start_timeout}s"
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  info "ready: RPC_URL=$rpc_url (chain id $((id)))"
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid "$pid_file" "anvil"); then
    rm -f "$pid_file"
    info "not running"
    return 0
  fi
  local saving=''
  # The running process, not this shell's environment, knows whether it keeps state.
  if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- '--state '; then saving=', saving its chain state'; fi
  info "stopping anvil (pid $pid)$saving ..."
  stop_process_group "$pid" 15
  rm -f "$pid_file"
  info "stopped"
}

cmd_status() {
  local pid id url
  if ! pid=$(running_pid "$pid_file" "anvil"); then
    info "not running"
    return 3
  fi
  url="http://$host:$(port_of "$pid")"
  if id=$(chain_id "$url") && [[ -n $id ]]; then
    info "running (pid $pid) on $url, chain id $((id)), block $(($(block_number "$url")))"
  else
    info "running (pid $pid) but $url does not answer (see $log_file)"
    return 1
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
