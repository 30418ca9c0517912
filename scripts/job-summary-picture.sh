#!/usr/bin/env bash
# Regenerates docs/job-summary.png, the README's picture of the job summary: runs the bundled
# Action (dist/index.js) on the example model twice — once as the base branch, once as a pull
# request gated against that run's report — renders the pull request's summary.md to HTML
# (scripts/render-summary-html.mjs) and screenshots it with headless Chromium.
#   npm run build && scripts/job-summary-picture.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Runs dist/index.js in $work as a workflow step would, with the given extra NAME=value pairs.
run_action() {
  (cd "$work" && env -i PATH="$PATH" HOME="$work" RUNNER_TEMP="$work" GITHUB_JOB=convert \
    GITHUB_STEP_SUMMARY="$work/step-summary.md" GITHUB_OUTPUT="$work/output.txt" \
    INPUT_MODEL="$repo/examples/tiny/model.onnx" INPUT_CONFIG="$repo/examples/tiny/convert.yml" \
    INPUT_CACHE=false "INPUT_UPLOAD-ARTIFACTS=false" "$@" node "$repo/dist/index.js" >/dev/null)
}

: >"$work/step-summary.md"
: >"$work/output.txt"
run_action "INPUT_OUTPUT-DIR=base"
printf '{"pull_request":{"number":1,"base":{"ref":"main"}}}' >"$work/event.json"
: >"$work/step-summary.md"
run_action "INPUT_OUTPUT-DIR=pr" INPUT_BASELINE=base/report.json \
  GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH="$work/event.json"

node scripts/render-summary-html.mjs "$work/step-summary.md" "$work/job-summary.html"
/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --hide-scrollbars --screenshot=docs/job-summary.png --window-size=1000,900 \
  "file://$work/job-summary.html" 2>/dev/null
echo "wrote docs/job-summary.png"
