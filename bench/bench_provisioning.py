"""Provision the accounts of a unit of 500 freshly imported staff in one command, next to the
staff import of the same people alone.

    .venv/bin/python -m bench.bench_provisioning [--staff N]

A fresh SQLite database in a temporary directory gets the catalogues and a ward; a generated
staff list (Vietnamese names, CCCD numbers, every other person with an e-mail address) is
imported through lms.org.imports.import_staff, then `flask users provision --unit CODE` runs
as an administrator would type it: the accounts, the activation codes, the queued e-mails
committed, then the e-mails written to the outbox. The same command again, finding everyone
provisioned, shows the cost of the selection alone; the two halves of the command (the
accounts committed, then the e-mails sent) are timed apart on as many other people.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
from pathlib import Path

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Thu", "Minh", "Ngọc", "Quang", "Phương", "Hữu", "Thanh"]
GIVEN = ["Hùng", "Lan", "Dũng", "Hương", "Tuấn", "Hà", "Sơn", "Trang", "Long", "Thảo", "Quân", "Ngân", "Hải", "Yến"]
UNIT, OTHER_UNIT = "BENCH-PHUONG", "BENCH-XA"


def staff_csv(count: int, unit_code: str = UNIT, first: int = 0, seed: int = 2017) -> bytes:
    rng = random.Random(seed + first)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Họ và tên", "Ngày sinh", "Giới tính", "Số định danh", "Mã đơn vị", "Email"])
    for number in range(first, first + count):
        female = number % 2 == 1
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        email = f"canbo{number:05d}@bench.hanoi.gov.vn" if number % 2 == 0 else ""
        writer.writerow([name, f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1965, 1998)}", "Nữ" if female else "Nam",
                         f"001{1 if female else 0}88{number:06d}", unit_code, email])
    return buffer.getvalue().encode("utf-8")


def _timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def run(count: int, directory: Path) -> list:
    from flask import current_app
    from sqlalchemy import func, select

    from lms import create_app
    from lms.auth.models import User
    from lms.auth.provisioning import provision_unit
    from lms.catalogue.loader import load_catalogues
    from lms.extensions import db
    from lms.mail import MailMessage, deliver_pending
    from lms.org import services
    from lms.org.imports import import_staff
    from lms.scope import Scope

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "UPLOAD_DIR": str(directory / "uploads"), "OUTBOX_DIR": str(directory / "outbox"), "JOBS_MODE": "eager"})
    rows = []

    def imported(content):
        report = import_staff("can-bo.csv", content, Scope.city(), apply=True)
        if report.errors:
            raise SystemExit("Lỗi nhập: " + "; ".join(str(error) for error in report.errors[:3]))
        db.session.commit()
        return report

    with app.app_context():
        db.create_all()
        load_catalogues()
        city = services.create_unit("BENCH-TP", "Thành phố đo hiệu năng", "city")
        district = services.create_unit("BENCH-QUAN", "Quận đo hiệu năng", "urban_district", parent=city)
        services.create_unit(UNIT, "Phường Đo Hiệu Năng", "ward", parent=district)
        other = services.create_unit(OTHER_UNIT, "Xã Đo Hiệu Năng", "commune", parent=district)
        db.session.commit()
        seconds, report = _timed(lambda: imported(staff_csv(count)))
        rows.append((f"nhập {report.created} cán bộ (đọc + kiểm tra + ghi + commit)", seconds, "mốc so sánh"))
        db.session.remove()

    runner = app.test_cli_runner()
    for label in ("flask users provision --unit: cả lệnh", "chạy lại lệnh (mọi người đã có tài khoản)"):
        seconds, result = _timed(lambda: runner.invoke(args=["users", "provision", "--unit", UNIT]))
        if result.exit_code != 0:
            raise SystemExit(result.output)
        rows.append((label, seconds, result.output.strip().splitlines()[-1][:100]))

    with app.app_context():
        # The two halves of the command, on as many other people: the accounts, then the e-mails.
        imported(staff_csv(count, OTHER_UNIT, first=count))
        other = db.session.merge(other)
        seconds, report = _timed(lambda: (provision_unit(other), db.session.commit())[0])
        rows.insert(2, ("  trong đó: tài khoản, mã, thư vào hàng chờ, commit", seconds, f"{len(report.created)} tài khoản, {report.emailed} mã"))
        seconds, (sent, _failed) = _timed(lambda: deliver_pending(current_app.config, limit=count))
        rows.insert(3, ("  trong đó: gửi thư (tệp .eml, mỗi thư một commit)", seconds, f"{sent} thư"))
        accounts = db.session.execute(select(func.count(User.id))).scalar_one()
        mails = db.session.execute(select(func.count(MailMessage.id)).where(MailMessage.sent_at.is_not(None))).scalar_one()
        if accounts != 2 * count or mails != 2 * ((count + 1) // 2):
            raise SystemExit(f"{accounts} tài khoản, {mails} thư: không đúng với {2 * count} cán bộ")
        db.session.remove()
        db.engine.dispose()
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=500)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows = run(args.staff, Path(tmp))
    width = max(len(label) for label, *_ in rows)
    print(f"{'Bước'.ljust(width)} | {'Giây':>6} | Ghi chú")
    print(f"{'-' * width}-+-{'-' * 6}-+-{'-' * 30}")
    for label, seconds, note in rows:
        print(f"{label.ljust(width)} | {seconds:6.2f} | {note}")
    base, command, accounts, mail = (row[1] for row in rows[:4])
    print(f"\nCùng {args.staff} người, cùng lần chạy: cả lệnh / nhập cán bộ = {command / base:.2f}; "
          f"riêng tài khoản / nhập cán bộ = {accounts / base:.2f}; gửi thư: {1000 * mail / max(1, (args.staff + 1) // 2):.1f} ms một thư.")


if __name__ == "__main__":
    main()
