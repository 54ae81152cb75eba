set -x
# skipped (the machine has them): apt-get update && apt-get install -y git make
# uses: actions/checkout@v4 (skipped: GitHub action)
sh -e <<'STEP' || { echo 'step failed'; exit 1; }
git config --global --add safe.directory "$PWD"
STEP
sh -e <<'STEP' || { echo 'step failed'; exit 1; }
.ci/cgroup-leaf
STEP
sh -e <<'STEP' || { echo 'step failed'; exit 1; }
make setup all
STEP
bash -eo pipefail <<'STEP' || { echo 'step failed'; exit 1; }
mkdir -p gate-out
bench/gate-ref --ref "origin/base" --out gate-out -- --pairs 90 \
  --format md --export-gab gate-out/gab.json | tee gate-out/report.md >>"$GITHUB_STEP_SUMMARY"

STEP
# uses: actions/upload-artifact@v4 (skipped: GitHub action)
