# shellcheck shell=bash
# Start, find and stop a long-running process owned by a pid file. Sourced, not executed.
#
# Each process runs in its own session (setsid) so that stopping it reaches every child it forked
# (the npm anvil wrapper forks the real binary) and so that it outlives the shell that started it.

# Print the pid from pid file $1 if that process is alive and its command line contains $2.
# Checking the command line keeps a stale pid file from pointing us at an unrelated, recycled pid.
running_pid() {
  local pid_file=$1 marker=$2 pid
  [[ -f $pid_file ]] || return 1
  pid=$(<"$pid_file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  printf '%s\n' "$pid"
}

# Run "$@" detached in a new session, stdout+stderr to log file $2, pid into pid file $1.
start_detached() {
  local pid_file=$1 log_file=$2
  shift 2
  # Scripts run without job control, so the background child is no group leader and setsid execs in
  # place: $! is the session leader's pid, which is also the process group id used by stop_process.
  setsid "$@" >>"$log_file" 2>&1 </dev/null &
  printf '%s\n' "$!" >"$pid_file"
}

# True while any process of group $1 is alive.
group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# SIGTERM the process group $1, wait up to $2 seconds, then SIGKILL whatever is left.
stop_process_group() {
  local pgid=$1 grace=$2 waited=0
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  while group_alive "$pgid"; do
    if ((waited >= grace * 10)); then
      warn "process group $pgid still alive after ${grace}s, sending SIGKILL"
      kill -KILL -- "-$pgid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# True when something accepts TCP connections on host $1 port $2.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Fail unless port $2 on host $1 is free (a clearer message than the server's bind error).
require_free_port() {
  if port_open "$1" "$2"; then
    die "port $1:$2 is already in use by another process (pick another with the *_PORT variable)"
  fi
}
