#!/usr/bin/env bash
# The stickyws balancer lab: three backend JVMs and HAProxy, nginx or Caddy on 127.0.0.1, no Docker.
# Uses the configurations next to this script (their {{...}} placeholders are filled with free ports at start),
# prints every process id and the URLs (and HAProxy's stats page), takes commands on its standard input
# (kill s1 | stop s1 | start s1 | drain s1 | status | quit), says when a backend dies, stops everything when the
# balancer dies or on Ctrl-C, and deletes its temporary directory. See README.md next to this script.
#   samples/lab/run-lab.sh <haproxy|nginx|caddy> [--for DURATION] [--dir DIR]
set -euo pipefail
lab="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$lab/../.." && pwd)"
jar="$root/samples/target/sticky-check.jar"
if [ ! -f "$jar" ]; then
  echo "run-lab: building $jar (once)" >&2
  (cd "$root" && ./mvnw -B -q -DskipTests -pl samples -am package)
fi
exec java -cp "$jar" io.stickyws.samples.lab.Lab "$@" --configs "$lab"
