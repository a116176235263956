#!/usr/bin/env bash
# Did a change make primbench's numbers worse? Runs a baseline build and a
# candidate build of primbench on the same runner, interleaved, compares them
# and publishes the Markdown.
#
# Interleaving: round k runs both builds once each, the baseline first in odd
# rounds and the candidate first in even ones (A B, B A, A B, ...). A drift of
# the runner during the job (a noisy neighbour, throttling, the governor)
# then lands on both builds alike instead of on whichever ran second, and the
# order effect cancels over pairs of rounds. Each round's runs are merged into
# one file of repetitions per build (merge_results.py) for `primbench compare`.
#
# Usage: scripts/ci/compare_builds.sh BASE_PRIMBENCH NEW_PRIMBENCH [OUT_DIR] [-- RUN_ARGS...]
#   ROUNDS=5 REPS_PER_ROUND=2   -> 10 repetitions per build (compare tests from 5)
#   RUN_ARGS                    -> passed to `primbench run`, e.g. --quick --family pipe
#   COMPARE_ARGS="--threshold 5% --alpha 0.05 --fail-on regression"
# Exit status: the candidate's `primbench compare` (0 ok, 1 regression, 2 bad input).
# Writes OUT_DIR/base.json, OUT_DIR/new.json, OUT_DIR/compare.md, OUT_DIR/compare.json;
# appends compare.md to $GITHUB_STEP_SUMMARY when set.
set -euo pipefail

if (($# < 2)); then
  sed -n '/^# Usage:/,/^# appends/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
base_exe=$(realpath "$1")
new_exe=$(realpath "$2")
shift 2
out=results/compare-builds
if (($# > 0)) && [[ $1 != -- ]]; then
  out=$1
  shift
fi
[[ ${1:-} == -- ]] && shift
run_args=("$@")
rounds=${ROUNDS:-5}
reps=${REPS_PER_ROUND:-2}
read -r -a compare_args <<<"${COMPARE_ARGS:-}"
here=$(cd "$(dirname "$0")" && pwd)

for exe in "$base_exe" "$new_exe"; do
  [[ -x $exe ]] || { echo "compare_builds.sh: $exe is not an executable" >&2; exit 2; }
done
mkdir -p "$out"

run_one() {  # side exe round
  local dir="$out/$1/round-$3"
  echo "compare_builds.sh: round $3: $1 ($2)" >&2
  "$2" run --out "$dir" --force "${run_args[@]}" "--benchmark_repetitions=$reps" >/dev/null
}

for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then
    run_one base "$base_exe" "$round"
    run_one new "$new_exe" "$round"
  else
    run_one new "$new_exe" "$round"
    run_one base "$base_exe" "$round"
  fi
done

python3 "$here/merge_results.py" "$out/base.json" "$out"/base/round-*/results.json
python3 "$here/merge_results.py" "$out/new.json" "$out"/new/round-*/results.json

status=0
"$new_exe" compare "$out/base.json" "$out/new.json" --format json "${compare_args[@]}" >"$out/compare.json" || status=$?
if ((status == 2)); then
  exit 2  # primbench has said why on stderr
fi
# The same verdicts again, as Markdown for the PR and as a table for the log.
"$new_exe" compare "$out/base.json" "$out/new.json" --format markdown "${compare_args[@]}" >"$out/compare.md" || true
"$new_exe" compare "$out/base.json" "$out/new.json" "${compare_args[@]}" || true
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  cat "$out/compare.md" >>"$GITHUB_STEP_SUMMARY"
fi
echo "compare_builds.sh: Markdown in $out/compare.md (exit status $status)" >&2
exit "$status"
