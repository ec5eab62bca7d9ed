"""Import a generated 10,000-question GIFT file and compare with parsing it only.

    .venv/bin/python -m bench.bench_gift_import [--questions N]

The file (mixed types, Vietnamese text, every GIFT escape) is written to a temporary
directory. Parsing is timed on its own; then the same file is imported into a fresh
SQLite database through lms.questionbank.services.import_questions, twice: the second
run must find every question unchanged.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from lms.questionbank.formats import gift

MODULES = ("IU01", "IU02", "IU03", "IU04", "IU05", "IU06")
WORDS = ("máy tính", "bảng tính", "văn bản", "trình chiếu", "thư điện tử", "tệp tin", "thư mục", "mật khẩu", "trình duyệt",
         "công thức", "định dạng", "phông chữ", "Unikey", "Telex", "LibreOffice", "Microsoft Word", "Windows 11", "dịch vụ công")


def _syllabus_by_module() -> dict:
    try:
        from lms.catalogue.loader import syllabus_codes
        return {module: sorted(codes) for module, codes in syllabus_codes().items() if module in MODULES}
    except Exception:  # the catalogue is optional for parsing alone
        return {}


def _phrase(rng: random.Random, n: int = 6) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def generate(count: int, seed: int = 2017) -> str:
    rng, syllabus = random.Random(seed), _syllabus_by_module()
    blocks = []
    for number in range(1, count + 1):
        module = MODULES[number % len(MODULES)]
        codes = [c for c in syllabus.get(module, []) if c.count(".") == 2]
        meta = {"module": module, "difficulty": rng.choice(["easy", "medium", "hard"]), "pool": rng.choice(["exam", "exam", "practice"])}
        if codes:
            meta["syllabus"] = rng.choice(codes)
        title = f"::BENCH-{number:05d}::"
        text = f"Câu {number}\\: {_phrase(rng)} \\{{mục {number % 7}\\}} có đúng không"
        kind = number % 6
        if kind == 0:
            body = "{\n" + "\n".join(f"\t{'=' if i == 0 else '~'}{_phrase(rng, 3)} \\# {i}#Phản hồi {i}" for i in range(4)) + "\n}"
        elif kind == 1:
            body = "{\n\t~%50%Bàn phím\n\t~%50%Máy quét\n\t~%-100%Máy in\n\t~%-100%Loa\n}"
        elif kind == 2:
            body = "{TRUE}" if number % 4 else "{FALSE}"
        elif kind == 3:
            body = "{=Hà Nội =Thành phố Hà Nội}"
        elif kind == 4:
            body = f"{{#{number % 100}.5:0.5}}"
        else:
            body = "{\n\t=SUM -> Tính tổng\n\t=MAX -> Giá trị lớn nhất\n\t=MIN -> Giá trị nhỏ nhất\n}"
        blocks.append(f"// @lms {json.dumps(meta, ensure_ascii=False)}\n{title}[markdown]{text}? {body}")
    return "\n\n".join(blocks) + "\n"


def _timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _import_into_fresh_database(content: bytes, directory: Path):
    from lms import create_app
    from lms.catalogue.loader import load_catalogues
    from lms.extensions import db
    from lms.questionbank import services

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "UPLOAD_DIR": str(directory / "uploads")})
    rows = []
    with app.app_context():
        db.create_all()
        load_catalogues()
        bank = services.create_bank("Ngân hàng đo hiệu năng", None)
        db.session.commit()
        for label in ("nhập vào CSDL trống (parse + import + commit)", "nhập lại cùng tệp (không đổi gì)"):
            def run():
                report = services.import_questions(bank, gift.parse(content), None)
                if report.errors:
                    raise SystemExit("Lỗi nhập: " + "; ".join(report.errors[:3]))
                db.session.commit()
                return report
            seconds, report = _timed(run)
            rows.append((label, seconds, report.summary()))
        db.session.remove()
        db.engine.dispose()
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--parse-only", action="store_true", help="không nhập vào cơ sở dữ liệu")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        path = directory / "bench.gift"
        path.write_text(generate(args.questions), encoding="utf-8")
        content = path.read_bytes()
        seconds, questions = _timed(lambda: gift.parse(content))
        rows = [(f"chỉ đọc (parse + validate) {len(questions):,} câu".replace(",", "."), seconds, f"{len(content) / 1024 / 1024:.1f} MB")]
        rows.append(("xuất lại GIFT (serialize)", *_timed(lambda: len(gift.serialize(questions)))[:1], ""))
        if not args.parse_only:
            rows += _import_into_fresh_database(content, directory)
    width = max(len(label) for label, *_ in rows)
    print(f"{'Bước'.ljust(width)} | {'Giây':>8} | Ghi chú")
    print(f"{'-' * width}-+-{'-' * 8}-+-{'-' * 30}")
    for label, seconds, note in rows:
        print(f"{label.ljust(width)} | {seconds:8.2f} | {note}")


if __name__ == "__main__":
    main()
