#!/usr/bin/env bash
# Validate the monitoring set-up with promtool (Debian's prometheus package): the scrape config, the alert
# rules, their unit tests, that every alert has a firing and a quiet test case, and the dashboard's datasource.
#
# usage: deploy/monitoring/check.sh
set -euo pipefail

log_component=monitoring
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../local/lib/log.sh
source "$here/../local/lib/log.sh"

command -v promtool >/dev/null || die "promtool is missing (apt-get install prometheus)"
cd "$here"
# The config as compose mounts it: compose-targets/ as targets/ beside prometheus.yml and the rules.
mounted=$(mktemp -d)
trap 'rm -rf "$mounted"' EXIT
cp prometheus.yml alert-rules.yml "$mounted/"
cp -r compose-targets "$mounted/targets"
promtool check config "$mounted/prometheus.yml"
promtool check rules alert-rules.yml
promtool test rules alert-rules.test.yml

# promtool passes a file that simply leaves an alert out: each must be expected to fire somewhere and to stay
# quiet somewhere (an eval without exp_alerts).
missing=()
for alert in $(sed -n 's/^ *- alert: *\([A-Za-z0-9]*\).*/\1/p' alert-rules.yml); do
  # Per test case (eval_time + alertname [+ exp_alerts]): count the ones for $alert with and without alerts.
  read -r fires quiet < <(awk -v a="$alert" '
    function close_case() { if (hit) { if (e) f++; else q++ } hit = 0; e = 0 }
    /eval_time:|- name:/ { close_case() }
    /alertname:/ { hit = ($2 == a) }
    /exp_alerts:/ { e = 1 }
    END { close_case(); print f + 0, q + 0 }' alert-rules.test.yml)
  [[ $fires -gt 0 && $quiet -gt 0 ]] || missing+=("$alert (firing cases: $fires, quiet cases: $quiet)")
done
[[ ${#missing[@]} -eq 0 ]] || die "alerts without both a firing and a quiet test: ${missing[*]}"

# Grafana does not run here: at least the dashboard parses and every query names the provisioned datasource.
# (deploy/stack/test/stack-monitoring.e2e-spec.ts evaluates the queries against a live Prometheus.)
uid=$(sed -n 's/^ *uid: *\([A-Za-z0-9_-]*\).*/\1/p' grafana/provisioning/datasources/prometheus.yml)
node -e '
  const [file, uid] = process.argv.slice(1);
  const panels = (list) => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
  const bad = panels(JSON.parse(require("fs").readFileSync(file, "utf8")).panels)
    .flatMap((p) => (p.targets ?? []).map((t) => [p.title, t.datasource?.uid ?? p.datasource?.uid]))
    .filter(([, used]) => used !== uid);
  if (bad.length) { console.error(`queries not on datasource ${uid}: ${JSON.stringify(bad)}`); process.exit(1); }
' grafana/dashboards/microraiden.json "$uid" || die "grafana/dashboards/microraiden.json does not match the provisioning"
info "ok: $(grep -c '^ *- alert:' alert-rules.yml) alerts, each with firing and quiet tests; dashboard on datasource $uid"
