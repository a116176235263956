#!/usr/bin/env bash
# Did a change make primbench's numbers worse? Runs a baseline and a candidate
# build of primbench on this runner with `primbench ab`: rounds in which each
# family runs once per build, back to back, the order alternating; the verdict
# is decided on the rounds (see scripts/ci/README.md). The same executable as
# both builds is an A/A run: it measures this runner's noise and writes
# OUT_DIR/noise.json, which later runs take through AB_ARGS="--noise FILE".
#
# Usage: scripts/ci/compare_builds.sh BASE_PRIMBENCH NEW_PRIMBENCH [OUT_DIR] [-- RUN_ARGS...]
#   ROUNDS=6                     rounds (each runs every selected family once per build)
#   RUN_ARGS                     passed to `primbench run`, e.g. --quick --family pipe
#   AB_ARGS="--threshold 5% --alpha 0.05 --noise noise.json --fail-on regression"
# Exit status: primbench ab's (0 ok, 1 regression or a benchmark NEW broke, 2 bad input).
# Writes OUT_DIR/compare.md, OUT_DIR/compare.json, OUT_DIR/base.json, OUT_DIR/new.json
# (and OUT_DIR/noise.json for A/A); appends compare.md to $GITHUB_STEP_SUMMARY when set.
set -euo pipefail

if (($# < 2)); then
  sed -n '/^# Usage:/,/^# (and OUT_DIR/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
for exe in "$1" "$2"; do
  [[ -x $exe ]] || { echo "compare_builds.sh: $exe is not an executable" >&2; exit 2; }
done
base_exe=$(realpath "$1")
new_exe=$(realpath "$2")
shift 2
out=results/compare-builds
if (($# > 0)) && [[ $1 != -- ]]; then
  out=$1
  shift
fi
[[ ${1:-} == -- ]] && shift
read -r -a ab_args <<<"${AB_ARGS:-}"
builds=("$base_exe" "$new_exe")
[[ $base_exe == "$new_exe" ]] && builds=("$base_exe" --aa)

status=0
# The candidate runs ab: it is the build that knows the current verdict rules.
"$new_exe" ab "${builds[@]}" --rounds "${ROUNDS:-6}" --out "$out" "${ab_args[@]}" -- "$@" >/dev/null || status=$?
if ((status == 2)); then
  exit 2  # primbench has said why on stderr
fi
if [[ -n ${GITHUB_STEP_SUMMARY:-} && -f $out/compare.md ]]; then
  cat "$out/compare.md" >>"$GITHUB_STEP_SUMMARY"
fi
echo "compare_builds.sh: Markdown in $out/compare.md (exit status $status)" >&2
exit "$status"
