"""The users commands: create-admin with the password on standard input, provision, slips."""
import io

from pypdf import PdfReader
from sqlalchemy import func, select

from lms.auth.models import User
from lms.auth.passwords import verify_password
from lms.mail import MailMessage
from lms.org.models import Staff, Unit

PASSWORD = "Quan-tri-Ha-Noi-2026"


def test_create_admin_reads_the_password_from_standard_input(runner, db):
    piped = runner.invoke(args=["users", "create-admin", "--username", "quantri"], input=PASSWORD + "\n")
    assert piped.exit_code == 0, piped.output
    user = db.session.execute(select(User).where(User.username == "quantri")).scalar_one()
    assert user.has_role("admin") and verify_password(user.password_hash, PASSWORD)
    flagged = runner.invoke(args=["users", "create-admin", "--username", "quantri2", "--password-stdin"], input=PASSWORD + "\r\n")
    assert flagged.exit_code == 0, flagged.output
    assert verify_password(db.session.execute(select(User.password_hash).where(User.username == "quantri2")).scalar_one(), PASSWORD)


def test_create_admin_from_standard_input_refuses_what_it_cannot_use(runner, db):
    no_name = runner.invoke(args=["users", "create-admin"], input=PASSWORD + "\n")
    assert no_name.exit_code != 0 and "--username" in no_name.output
    empty = runner.invoke(args=["users", "create-admin", "--username", "quantri"], input="")
    assert empty.exit_code != 0 and "không có mật khẩu" in empty.output
    weak = runner.invoke(args=["users", "create-admin", "--username", "quantri"], input="12345678\n")
    assert weak.exit_code != 0 and "phổ biến" in weak.output
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 0


def test_provision_a_subtree_and_write_the_slips_of_those_without_email(runner, demo, db, tmp_path):
    people = db.session.execute(select(Staff).join(Unit).where(Unit.code == "LB-NGOCLAM").order_by(Staff.full_name)).scalars().all()
    people[0].email = ""
    db.session.commit()
    result = runner.invoke(args=["users", "provision", "--unit", "LB", "--include-subunits", "--slips-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Quận Long Biên: tạo " in result.output and "1 cần phiếu đăng nhập" in result.output
    slip = tmp_path / "phieu-dang-nhap-LB-NGOCLAM.pdf"
    assert slip.exists() and sorted(path.name for path in tmp_path.iterdir()) == [slip.name]
    text = PdfReader(io.BytesIO(slip.read_bytes())).pages[0].extract_text()
    assert people[0].full_name in text and people[0].id_number in text
    assert db.session.execute(select(func.count(MailMessage.id)).where(MailMessage.sent_at.is_not(None),
                                                                        MailMessage.kind == "account.activation")).scalar_one() > 0
    again = runner.invoke(args=["users", "provision", "--unit", "LB", "--include-subunits"])
    assert "tạo 0 tài khoản" in again.output

    printed = runner.invoke(args=["users", "slips", "--unit", "LB-NGOCLAM", "--all-pending", "-o", str(tmp_path / "moi")])
    assert printed.exit_code == 0 and f"{len(people)} người" in printed.output
    nothing = runner.invoke(args=["users", "slips", "--unit", "LB-BODE", "-o", str(tmp_path / "bode")])
    assert nothing.exit_code != 0 and "không có ai cần phiếu" in nothing.output


def test_provision_an_unknown_unit_fails_and_changes_nothing(runner, demo, db):
    before = db.session.execute(select(func.count(User.id))).scalar_one()
    result = runner.invoke(args=["users", "provision", "--unit", "KHONG-CO"])
    assert result.exit_code != 0 and "Không có đơn vị mã KHONG-CO" in result.output
    assert db.session.execute(select(func.count(User.id))).scalar_one() == before


def test_staff_import_with_provision_creates_the_accounts(app, runner, demo, db, tmp_path):
    path = tmp_path / "can-bo.csv"
    path.write_text("Họ và tên,Số định danh,Mã đơn vị,Email\nNguyễn Thị Ánh Tuyết,001188012345,LB-BODE,tuyet@longbien.hanoi.gov.vn\n",
                    encoding="utf-8")
    result = runner.invoke(args=["staff", "import", str(path), "--provision"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.username == "001188012345")).scalar_one()
    assert user.staff.full_name == "Nguyễn Thị Ánh Tuyết" and not user.has_password
    assert "gửi 1 thư mã kích hoạt" in result.output
    assert app.config["PROVISION_ON_IMPORT"] is False  # the option held for that command only
