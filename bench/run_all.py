"""`make bench`: every benchmark, each printing its figures beside its baseline.

    .venv/bin/python -m bench.run_all            # SQLite
    LMS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.run_all

The exam load run keeps the issue's shape (1,000 candidates, all starting within 10 s,
autosaving every 30 s) at the real 30 s pace with two autosave rounds.
"""
import subprocess
import sys

RUNS = [
    ("Question import: 10,000 GIFT questions vs parsing only", ["bench.bench_gift_import"]),
    ("Account provisioning: 500 imported staff in one command vs their staff import", ["bench.bench_provisioning", "--staff", "500"]),
    ("Certificates: 1,000 issued and signed vs the signature alone; /verify vs a bare Flask endpoint", ["bench.bench_certificates"]),
    ("HR reports at city scale (120,000 staff, 1,000,000 attempts) vs their bare SQL", ["bench.bench_reports"]),
    ("The 3718 ranking of every bloc at city scale vs the bare SQL of its inputs", ["bench.bench_rankings"]),
    ("Exam load: 1,000 candidates vs a bare Flask endpoint", ["bench.bench_exam_load", "--candidates", "1000", "--speedup", "1", "--rounds", "2"]),
]


def main():
    failures = 0
    for title, module_and_args in RUNS:
        print(f"\n=== {title} ===", flush=True)
        failures += subprocess.call([sys.executable, "-m", *module_and_args]) != 0
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
