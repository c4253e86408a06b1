#!/usr/bin/env bash
# Lint checkouts of real projects and print a markdown table: project, commit, files, lines,
# time, findings by lint. It reads the given directory only: it never fetches, builds or runs
# the projects' code. One fdlint run per project, so cross-file summaries see the whole tree.
#
#   scripts/real-world.sh [-o OUT_DIR] [-t SECONDS] CHECKOUTS [PROJECT[:SUBDIR]...]
#
# With no PROJECT, every directory under CHECKOUTS is linted whole. `redis:src` lints
# CHECKOUTS/redis/src. The concise and json findings of each run are kept in OUT_DIR
# (default: a fresh temporary directory, printed on stderr) for triage.
set -euo pipefail

out_dir=""
time_limit=600
while getopts "o:t:" opt; do
  case $opt in
    o) out_dir=$OPTARG ;;
    t) time_limit=$OPTARG ;;
    *) echo "usage: $0 [-o OUT_DIR] [-t SECONDS] CHECKOUTS [PROJECT[:SUBDIR]...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 [-o OUT_DIR] [-t SECONDS] CHECKOUTS [PROJECT[:SUBDIR]...]" >&2
  exit 2
fi
checkouts=$(cd "$1" && pwd)
shift

repo_root=$(cd "$(dirname "$0")/.." && pwd)
fdlint=${FDLINT:-$repo_root/target/release/fdlint}
if [ ! -x "$fdlint" ]; then
  echo "no $fdlint: run \`cargo build --release\` first (or set FDLINT)" >&2
  exit 2
fi
out_dir=${out_dir:-$(mktemp -d)}
mkdir -p "$out_dir"
echo "findings are kept in $out_dir" >&2

projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then
  for dir in "$checkouts"/*/; do
    projects+=("$(basename "$dir")")
  done
fi

# The files fdlint reads: C and Rust sources, without build output.
source_files() {
  find "$1" \( -name target -o -name .git \) -prune -o -type f \
    \( -name '*.c' -o -name '*.h' -o -name '*.rs' \) -print0
}

count_code() {
  grep -o "\"code\":\"$1\"" "$2" | wc -l | tr -d ' '
}

echo "| project | commit | files | lines | partly parsed | time (s) | FDL001 | FDL002 | FDL003 | FDL004 | status |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for spec in "${projects[@]}"; do
  name=${spec%%:*}
  subdir=""
  [[ $spec == *:* ]] && subdir=${spec#*:}
  root="$checkouts/$name"
  target="$root${subdir:+/$subdir}"
  if [ ! -d "$target" ]; then
    echo "| $spec | - | - | - | - | - | - | - | - | - | no such directory |"
    continue
  fi
  commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo "-")
  files=$(source_files "$target" | tr -cd '\0' | wc -c | tr -d ' ')
  lines=$(source_files "$target" | xargs -0 cat -- 2>/dev/null | wc -l | tr -d ' ')
  label=${spec//[:\/]/_}
  start=$(date +%s.%N)
  status=ok
  # Exit 1 means findings at deny level; 124 is the time limit; anything else is a failure.
  set +e
  timeout "$time_limit" "$fdlint" --output-format json "$target" \
    >"$out_dir/$label.jsonl" 2>"$out_dir/$label.stderr"
  rc=$?
  set -e
  elapsed=$(echo "$(date +%s.%N) - $start" | bc)
  case $rc in
    0 | 1) ;;
    124) status="cut after ${time_limit}s" ;;
    *) status="exit $rc" ;;
  esac
  "$fdlint" --output-format concise "$target" >"$out_dir/$label.concise" 2>/dev/null || true
  # A file with syntax errors gets one note; fdlint analyses what it could parse.
  partly_parsed=$(grep -c "^note: .*could not parse" "$out_dir/$label.stderr" || true)
  other_stderr=$(grep -vc "^note: .*could not parse" "$out_dir/$label.stderr" || true)
  [ "$other_stderr" -gt 0 ] && status="$status; $other_stderr other stderr lines"
  printf "| %s | %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s |\n" \
    "$spec" "$commit" "$files" "$lines" "$partly_parsed" "$elapsed" \
    "$(count_code FDL001 "$out_dir/$label.jsonl")" "$(count_code FDL002 "$out_dir/$label.jsonl")" \
    "$(count_code FDL003 "$out_dir/$label.jsonl")" "$(count_code FDL004 "$out_dir/$label.jsonl")" \
    "$status"
done
