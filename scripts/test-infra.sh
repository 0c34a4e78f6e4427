#!/usr/bin/env bash
# Infrastructure checks (make test-infra), all offline:
#   1. package the dev and prod stages (serverless package; skipped when the inputs did not change),
#   2. the template tests in test/infra (resources, wiring, least-privilege IAM, bundles),
#   3. cfn-lint on both templates: no errors (warnings are printed),
#   4. checkov on both templates: no failed check (every skip is in the template, with its reason).
# cfn-lint and checkov live in their own virtualenv, .venv-infra, installed on first use from
# infra/requirements.txt (pinned) so they never meet PySpark's dependencies in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export PATH="$root/.tools/bin:$root/node_modules/.bin:$PATH"
export NODE_NO_WARNINGS=1

venv="$root/.venv-infra"
stamp="$venv/.install-stamp"
if [ ! -f "$stamp" ] || [ infra/requirements.txt -nt "$stamp" ]; then
  echo "creating the infrastructure tools virtualenv (.venv-infra: cfn-lint, checkov)"
  test -x "$venv/bin/python" || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r infra/requirements.txt
  touch "$stamp"
fi

stages=(dev prod)
for stage in "${stages[@]}"; do
  node infra/scripts/package-stage.mjs --stage "$stage"
done

vitest run test/infra

templates=()
for stage in "${stages[@]}"; do templates+=(".build/infra/$stage/cloudformation-template-update-stack.json"); done
failed=0

# cfn-lint's exit code is a bit mask: 1 fatal, 2 error, 4 warning, 8 informational.
set +e
"$venv/bin/cfn-lint" --format parseable "${templates[@]}" > .build/infra/cfn-lint.txt
rc=$?
set -e
for stage in "${stages[@]}"; do
  errors=$(grep -c "^.build/infra/$stage/[^:]*:[0-9]*:[0-9]*:[0-9]*:[0-9]*:E" .build/infra/cfn-lint.txt || true)
  warnings=$(grep -c "^.build/infra/$stage/[^:]*:[0-9]*:[0-9]*:[0-9]*:[0-9]*:W" .build/infra/cfn-lint.txt || true)
  echo "cfn-lint $stage: $errors errors, $warnings warnings"
done
if (( rc & 3 )); then
  grep ':E[0-9]' .build/infra/cfn-lint.txt || cat .build/infra/cfn-lint.txt
  echo "cfn-lint: FAILED (details in .build/infra/cfn-lint.txt)"
  failed=1
fi

# --skip-download: no platform look-ups (there is no network here, and the checks ship with checkov).
set +e
"$venv/bin/checkov" --compact --skip-download --framework cloudformation \
  "${templates[@]/#/--file=}" -o json > .build/infra/checkov.json 2> .build/infra/checkov.log
rc=$?
set -e
if ! "$venv/bin/python" - .build/infra/checkov.json "${templates[@]}" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
reports = report if isinstance(report, list) else [report]
checks = {k: [c for r in reports for c in r.get("results", {}).get(k, [])]
          for k in ("passed_checks", "failed_checks", "skipped_checks")}
ok = True
for template_path in sys.argv[2:]:
    stage = template_path.split("/")[2]
    count = {k: sum(1 for c in v if c["file_path"].endswith(template_path.split(".build", 1)[1])) for k, v in checks.items()}
    # Every skip must come from the template and carry a written reason.
    template = json.load(open(template_path))
    skips = [s for res in template["Resources"].values()
             for s in res.get("Metadata", {}).get("checkov", {}).get("skip", [])]
    unexplained = sorted({s["id"] for s in skips if len(str(s.get("comment", "")).strip()) < 20})
    print(f"checkov {stage}: {count['passed_checks']} passed, {count['failed_checks']} failed, "
          f"{count['skipped_checks']} skipped in the template with a reason")
    for s in unexplained:
        print(f"  skip of {s} has no written reason")
    if count["failed_checks"] or unexplained or count["passed_checks"] == 0:
        ok = False
for c in checks["failed_checks"]:
    print(f"  FAILED {c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}")
sys.exit(0 if ok else 1)
PY
then
  echo "checkov: FAILED"
  failed=1
elif (( rc != 0 )); then
  echo "checkov: exited $rc (see .build/infra/checkov.log)"
  failed=1
fi

if (( failed )); then
  echo "infrastructure checks failed"
  exit 1
fi
echo "infrastructure checks passed (dev, prod)"
