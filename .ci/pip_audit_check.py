"""Known vulnerabilities of the pinned packages (requirements-dev.txt, which includes requirements.txt).

Runs pip-audit and judges its JSON report:
- a vulnerability whose id (or one of its aliases) is not explained in .ci/pip-audit-ignore.txt fails (exit 1);
- when pip-audit cannot reach its vulnerability service (no network, or a package index without
  the JSON API), a warning is printed and the check passes: CI does not fail for lack of network;
- an ignore line without a reason fails: every ignored vulnerability says why.

`--report FILE` judges a report already written (`pip-audit -f json`) instead of running pip-audit.
Standard library only, so that it runs before anything else is installed.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore.txt"
REQUIREMENTS = ROOT / "requirements-dev.txt"


def read_ignores(path):
    """{vulnerability id: reason}; a line is `ID reason…`, `#` starts a comment."""
    ignores, problems = {}, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines() if path.exists() else [], start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            problems.append(f"{path.name}:{number}: {vuln_id} is ignored without a reason")
        ignores[vuln_id] = reason.strip()
    return ignores, problems


def judge(report, ignores):
    """(exit code, lines to print) for a pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    lines, failed = [], False
    for dependency in audited:
        for vuln in dependency.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            explained = next((i for i in ids if i in ignores), None)
            where = f"{dependency['name']} {dependency['version']}: {vuln['id']}"
            if explained:
                lines.append(f"pip-audit: ignored {where} ({explained}: {ignores[explained]})")
            else:
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
                lines.append(f"pip-audit: VULNERABLE {where} (fixed in: {fixes})")
                failed = True
    if skipped:
        lines.append(f"WARNING: pip-audit could not audit {len(skipped)} of {len(dependencies)} packages "
                     f"(e.g. {skipped[0]['name']}: {skipped[0]['skip_reason']}); the vulnerability service is not reachable "
                     "from here, so the check is incomplete.")
    if not audited and not failed:
        return 0, lines + ["WARNING: no package was audited for known vulnerabilities."]
    if not failed:
        lines.append(f"pip-audit: no unexplained vulnerability in {len(audited)} audited packages.")
    return (1 if failed else 0), lines


def run_pip_audit(output):
    pip_audit = Path(sys.executable).parent / "pip-audit"
    command = [str(pip_audit), "-r", str(REQUIREMENTS), "-f", "json", "-o", str(output), "--progress-spinner", "off"]
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=900)  # nosec B603 fixed command, no shell
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{type(error).__name__}: {error}"
    if output.exists() and output.stat().st_size:
        return None  # a report (exit 1 when it lists vulnerabilities: judged below)
    tail = (finished.stderr or finished.stdout).strip().splitlines()[-1:] or ["no output"]
    return f"exit {finished.returncode}: {tail[0]}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, help="judge this pip-audit JSON report instead of running pip-audit")
    parser.add_argument("--ignore-file", type=Path, default=IGNORE_FILE)
    args = parser.parse_args(argv)
    ignores, problems = read_ignores(args.ignore_file)
    if problems:
        print("\n".join(problems))
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        report_path = args.report
        if report_path is None:
            report_path = Path(scratch) / "pip-audit.json"
            failure = run_pip_audit(report_path)
            if failure:
                print(f"WARNING: pip-audit could not run ({failure}); known vulnerabilities were NOT checked.")
                return 0
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"WARNING: pip-audit's report could not be read ({error}); known vulnerabilities were NOT checked.")
            return 0
    code, lines = judge(report, ignores)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
