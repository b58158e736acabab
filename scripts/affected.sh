#!/usr/bin/env bash
# Run `cargo ccworkspace affected` for the GitHub Action (action.yml): the JSON report to a file,
# then `--format github`, which writes matrix=, count= and jobs= to $GITHUB_OUTPUT.
set -euo pipefail

args=(affected --kind "$CCWORKSPACE_KIND" --max-jobs "$CCWORKSPACE_MAX_JOBS" --on-missing-base "$CCWORKSPACE_ON_MISSING_BASE")
if [ -n "${CCWORKSPACE_MANIFEST_PATH:-}" ]; then
  args+=(--manifest-path "$CCWORKSPACE_MANIFEST_PATH")
fi
if [ -n "${CCWORKSPACE_GROUP_BY:-}" ]; then
  args+=(--group-by "$CCWORKSPACE_GROUP_BY")
fi

# The base: the input; on a push, the previous tip (unless the branch is new); else the
# tool's default (origin/$GITHUB_BASE_REF in a pull request, else the remote default branch).
before="${CCWORKSPACE_BEFORE:-}"
if [ -n "${CCWORKSPACE_BASE:-}" ]; then
  args+=(--base "$CCWORKSPACE_BASE")
elif [ "${GITHUB_EVENT_NAME:-}" = push ] && [ -n "$before" ] && [ "$before" != 0000000000000000000000000000000000000000 ]; then
  args+=(--base "$before")
fi

# A shallow clone has no merge base: say how to fix it before the tool fails on it.
if [ "$(git rev-parse --is-shallow-repository 2>/dev/null || echo false)" = true ] && [ "$CCWORKSPACE_ON_MISSING_BASE" != all ]; then
  echo "::error::the clone is shallow, so the merge base with the base branch is missing; set 'fetch-depth: 0' on actions/checkout (or the action's on-missing-base: all)" >&2
  exit 2
fi

report="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ccworkspace-affected.json"
cargo-ccworkspace "${args[@]}" --format json >"$report"
cargo-ccworkspace "${args[@]}" --format github
echo "report=$report" >>"$GITHUB_OUTPUT"
