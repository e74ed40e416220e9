#!/usr/bin/env bash
# Runs the seven benchmarks one after the other, JSON lines to stdout, progress to stderr.
# Usage: benchmarks/run-all.sh [--quick]   (after ./mvnw -B -DskipTests package)
set -euo pipefail
jar="$(dirname "$0")/target/stickyws-benchmarks.jar"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(java -version 2>&1 | head -1), load: $(uptime | sed 's/.*load average: //')" >&2
for name in overhead reconnect storm memory jar filejar tls; do
  start=$(date +%s)
  java -jar "$jar" "$name" --json "$@" || echo "# $name FAILED" >&2
  echo "# $name took $(( $(date +%s) - start )) s, load: $(uptime | sed 's/.*load average: //')" >&2
done
