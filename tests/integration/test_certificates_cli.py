"""`flask --app wsgi certificates list|pdf|revoke|verify|issue`."""
from certificate_support import FAILING, PASSING, released_session

from lms.certificates import queries


def test_issue_list_pdf_verify_revoke(demo, runner, tmp_path):
    session, _candidates, _attempts = released_session([PASSING, FAILING])
    issued = runner.invoke(args=["certificates", "issue", "--session", str(session.id)])
    assert issued.exit_code == 0, issued.output
    assert "Đã cấp 1 chứng chỉ." in issued.output
    again = runner.invoke(args=["certificates", "issue", "--session", str(session.id)])
    assert "Đã cấp 0 chứng chỉ." in again.output

    listed = runner.invoke(args=["certificates", "list"])
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert len(lines) == 1
    code, serial, number, holder, kind, status = lines[0].split("\t")
    certificate = queries.by_code(code)
    assert (serial, number, holder, kind, status) == (certificate.serial, certificate.register_number, certificate.holder_name, "basic", "valid")

    path = tmp_path / "cc.pdf"
    assert runner.invoke(args=["certificates", "pdf", code, "-o", str(path)]).exit_code == 0
    genuine = runner.invoke(args=["certificates", "verify", str(path)])
    assert genuine.exit_code == 0, genuine.output

    modified = tmp_path / "modified.pdf"
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01
    modified.write_bytes(bytes(data))
    assert runner.invoke(args=["certificates", "verify", str(modified)]).exit_code != 0

    revoked = runner.invoke(args=["certificates", "revoke", code, "--reason", "Cấp nhầm"])
    assert revoked.exit_code == 0, revoked.output
    refused = runner.invoke(args=["certificates", "verify", str(path)])
    assert refused.exit_code != 0 and "revoked" in refused.output
    assert runner.invoke(args=["certificates", "revoke", code, "--reason", "Lần nữa"]).exit_code != 0
