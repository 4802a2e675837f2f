#!/usr/bin/env bash
# Disk watchdog (no_agent): prints a warning only when a filesystem is fuller than the
# threshold; prints nothing otherwise, which makes the run silent.
set -euo pipefail
threshold="${DISK_WATCH_THRESHOLD:-90}"
df -P | awk -v t="$threshold" 'NR > 1 { use = $5; sub("%", "", use); if (use + 0 >= t) printf "%s is %s%% full\n", $6, use }'
