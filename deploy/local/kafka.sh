#!/usr/bin/env bash
# Real Apache Kafka (KRaft, one node acting as broker and controller) without a Docker engine: the broker
# jars come from Maven Central (deploy/local/kafka/pom.xml) and run on the local JVM.
#
# usage: deploy/local/kafka.sh start|stop|status
#
# Environment (all optional):
#   KAFKA_PORT             client listener port                     (9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener port           (KAFKA_PORT + 1)
#   KAFKA_PARTITIONS       num.partitions of auto-created topics    (1)
#   KAFKA_RUN_DIR          config, data, log and pid file           (<repo>/.run/kafka)
#   KAFKA_LIBS_DIR         cache of the broker jars                 (<repo>/.cache/kafka/libs)
#   KAFKA_HEAP_OPTS        JVM heap flags                           (-Xmx512m -Xms256m)
#   KAFKA_JVM_OPTS         extra JVM flags; test runs pass -XX:TieredStopAtLevel=1 (about 30% less
#                          start-up CPU, lower peak throughput: keep it off for benchmarks)   (none)
#   KAFKA_START_TIMEOUT    seconds to wait for a metadata answer    (60)
#   KAFKA_STOP_TIMEOUT     seconds between SIGTERM and SIGKILL      (30)
#   KAFKA_OWNER_PID        stop the broker when this process exits (test runs use it so a killed
#                          test runner never leaks a broker)
set -euo pipefail

log_component=kafka
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lib/log.sh
source "$here/lib/log.sh"
# shellcheck source=lib/background-process.sh
source "$here/lib/background-process.sh"

host=127.0.0.1
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
partitions=${KAFKA_PARTITIONS:-1}
run_dir=${KAFKA_RUN_DIR:-$repo/.run/kafka}
libs_dir=${KAFKA_LIBS_DIR:-$repo/.cache/kafka/libs}
heap_opts=${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}
jvm_opts=${KAFKA_JVM_OPTS:-}
start_timeout=${KAFKA_START_TIMEOUT:-60}
stop_timeout=${KAFKA_STOP_TIMEOUT:-30}
pom="$here/kafka/pom.xml"
pid_file="$run_dir/kafka.pid"
config="$run_dir/server.properties"
# The pid file alone could match any JVM: the config path in the command line identifies this broker.
marker="kafka.Kafka $config"

for value in "$port" "$controller_port" "$partitions" "$start_timeout" "$stop_timeout"; do
  [[ $value =~ ^[0-9]+$ ]] || die "expected a number, got '$value' (check the KAFKA_* variables)"
done
[[ $port != "$controller_port" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"

# Fetch the broker jars once. A marker holding the pom's checksum says the folder is complete, so an
# interrupted download or an edited pom triggers a fresh fetch.
fetch_jars() {
  local checksum marker_file="$libs_dir/.complete"
  checksum=$(sha256sum "$pom" | cut -d' ' -f1)
  if [[ -f $marker_file && $(<"$marker_file") == "$checksum" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn is required to fetch the Kafka jars (apt-get install maven)"
  mkdir -p "$(dirname "$libs_dir")"
  # Parallel test runs may all need the jars at once: one fetches, the others wait for it.
  exec 9>"$libs_dir.lock"
  flock 9
  if [[ -f $marker_file && $(<"$marker_file") == "$checksum" ]]; then
    exec 9>&-
    return 0
  fi
  info "fetching Kafka jars from Maven Central into $libs_dir ..."
  local staging="$libs_dir.tmp.$$"
  rm -rf "$staging"
  local mvn_log="$libs_dir.mvn.log"
  if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$staging" \
    -DincludeScope=runtime >"$mvn_log" 2>&1; then
    cat "$mvn_log" >&2
    rm -rf "$staging"
    die "mvn could not fetch the Kafka jars (is Maven Central reachable?)"
  fi
  rm -f "$mvn_log"
  printf '%s\n' "$checksum" >"$staging/.complete"
  rm -rf "$libs_dir"
  mv "$staging" "$libs_dir"
  exec 9>&-
  info "fetched $(find "$libs_dir" -name '*.jar' | wc -l) jars"
}

write_config() {
  mkdir -p "$run_dir/data"
  cat >"$config" <<EOF
# Written by deploy/local/kafka.sh on every start; edits are overwritten.
node.id=1
process.roles=broker,controller
listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$controller_port
advertised.listeners=PLAINTEXT://$host:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
# A static voter set (not a dynamic --standalone quorum) so a restart on other ports reuses the data.
controller.quorum.voters=1@$host:$controller_port
log.dirs=$run_dir/data
auto.create.topics.enable=true
num.partitions=$partitions
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
# One offsets partition: creating the default 50 slows the first consumer group join by seconds.
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cat >"$run_dir/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $run_dir/kafka.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
# Per-request and per-partition state chatter drowns the useful lines.
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
}

java_cmd() {
  # shellcheck disable=SC2086 # heap_opts and jvm_opts hold several flags each
  printf '%s\0' java $heap_opts $jvm_opts -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$run_dir/log4j2.properties" -cp "$libs_dir/*" "$@"
}

format_storage() {
  if [[ -f $run_dir/data/meta.properties ]]; then
    return 0
  fi
  local cluster_id
  # Kafka cluster ids are 16 random bytes in base64url; a leading '-' would read as a CLI flag.
  cluster_id=$(node -e "let id; do id = require('crypto').randomBytes(16).toString('base64url'); while (id.startsWith('-')); console.log(id)")
  info "formatting storage in $run_dir/data (cluster id $cluster_id)"
  local -a cmd
  # A one-shot tool never reaches the optimising compiler: skipping it saves start-up CPU.
  local jvm_opts="$jvm_opts -XX:TieredStopAtLevel=1"
  mapfile -d '' cmd < <(java_cmd kafka.tools.StorageTool format --config "$config" --cluster-id "$cluster_id" --ignore-formatted)
  "${cmd[@]}" >"$run_dir/format.log" 2>&1 || {
    cat "$run_dir/format.log" >&2
    die "formatting the storage failed"
  }
}

# Stop the broker once KAFKA_OWNER_PID exits, unless the broker was stopped first.
start_owner_watchdog() {
  local owner=$1 broker_pid=$2
  [[ $owner =~ ^[0-9]+$ ]] || die "KAFKA_OWNER_PID must be a pid, got '$owner'"
  # shellcheck disable=SC2016 # the script expands its own positional arguments
  setsid bash -c '
    owner=$1 broker=$2 grace=$3
    while kill -0 "$owner" 2>/dev/null && kill -0 "$broker" 2>/dev/null; do sleep 1; done
    kill -0 "$broker" 2>/dev/null || exit 0
    kill -TERM -- "-$broker" 2>/dev/null
    for ((i = 0; i < grace * 10; i++)); do kill -0 -- "-$broker" 2>/dev/null || exit 0; sleep 0.1; done
    kill -KILL -- "-$broker" 2>/dev/null
  ' kafka-owner-watchdog "$owner" "$broker_pid" "$stop_timeout" >/dev/null 2>&1 </dev/null &
}

# Wait for metadata answers from broker $1; on failure show the log and, if $2 is "stop-on-failure",
# stop the broker this invocation started.
wait_until_ready() {
  local pid=$1 on_failure=${2:-keep}
  info "waiting for the broker on $host:$port to answer metadata requests (up to ${start_timeout}s) ..."
  if ! node "$here/lib/kafka-ready.mjs" "$host:$port" "$((start_timeout * 1000))" "$pid"; then
    warn "last lines of $run_dir/kafka.log:"
    tail -n 30 "$run_dir/kafka.log" >&2 2>/dev/null || true
    tail -n 30 "$run_dir/kafka.out" >&2 2>/dev/null || true
    if [[ $on_failure == stop-on-failure ]]; then
      if group_alive "$pid"; then stop_process_group "$pid" "$stop_timeout"; fi
      rm -f "$pid_file"
    fi
    die "Kafka did not become ready"
  fi
}

running_port() { sed -n 's/^advertised.listeners=PLAINTEXT:\/\/[^:]*:\([0-9]*\)$/\1/p' "$config" 2>/dev/null; }

cmd_start() {
  local pid started
  started=$(date +%s.%N)
  if pid=$(running_pid "$pid_file" "$marker"); then
    local current
    current=$(running_port)
    [[ $current == "$port" ]] || die "already running (pid $pid) on port $current, not $port: stop it first"
    info "already running (pid $pid) on $host:$port"
    wait_until_ready "$pid"
    return 0
  fi
  rm -f "$pid_file"
  command -v java >/dev/null || die "java (17+) is required"
  command -v node >/dev/null || die "node is required for the readiness check"
  [[ -d $repo/node_modules/kafkajs ]] || die "run npm ci first: the readiness check uses kafkajs"
  require_free_port "$host" "$port"
  require_free_port "$host" "$controller_port"
  fetch_jars
  write_config
  format_storage
  info "starting broker on $host:$port (controller $host:$controller_port, data $run_dir/data)"
  local -a cmd
  mapfile -d '' cmd < <(java_cmd kafka.Kafka "$config")
  start_detached "$pid_file" "$run_dir/kafka.out" "${cmd[@]}"
  pid=$(<"$pid_file")
  if [[ -n ${KAFKA_OWNER_PID:-} ]]; then start_owner_watchdog "$KAFKA_OWNER_PID" "$pid"; fi
  wait_until_ready "$pid" stop-on-failure
  info "ready in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')s: KAFKA_BROKERS=$host:$port"
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid "$pid_file" "$marker"); then
    rm -f "$pid_file"
    info "not running"
    return 0
  fi
  info "stopping broker (pid $pid) ..."
  stop_process_group "$pid" "$stop_timeout"
  rm -f "$pid_file"
  info "stopped"
}

cmd_status() {
  local pid current
  if ! pid=$(running_pid "$pid_file" "$marker"); then
    info "not running"
    return 3
  fi
  current=$(running_port)
  if node "$here/lib/kafka-ready.mjs" "$host:$current" 3000 "$pid" 2>/dev/null; then
    info "running (pid $pid) on $host:$current, answering metadata requests"
  else
    info "running (pid $pid) on $host:$current but NOT answering metadata requests (see $run_dir/kafka.log)"
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
