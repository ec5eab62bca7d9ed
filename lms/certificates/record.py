"""What a certificate states, as the PDF prints it and the credential asserts it: a frozen
value built from the register row, so that rendering and signing need no database.

Pure: no Flask, no SQLAlchemy.
"""
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

BASIC, ADVANCED = "basic", "advanced"


@dataclass(frozen=True)
class CertifiedModule:
    code: str  # IU01 … IU15
    name: str  # the module's Vietnamese name
    score: Optional[float] = None  # out of 10, when the exam recorded one per module


@dataclass(frozen=True)
class CertificateDocument:
    """Every field the issued certificate shows (DOMAIN.md, "What a certificate shows"),
    in the text the holder reads; strings already NFC-normalized by the register."""

    code: str  # the random verification code (/verify/<code>), never an id
    kind: str  # BASIC or ADVANCED
    title: str  # e.g. "CHỨNG CHỈ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN CƠ BẢN"
    issuing_body: str  # the body that issues and signs it
    holder_name: str
    birth_date: Optional[date]
    birth_place: str
    sex: str  # "Nam" / "Nữ" / ""
    exam_date: Optional[date]
    exam_council: str  # Hội đồng thi
    modules: tuple = field(default_factory=tuple)  # CertifiedModule, in catalogue order
    issue_place: str = "Hà Nội"
    issue_date: Optional[date] = None
    signer_title: str = ""  # e.g. "GIÁM ĐỐC"
    signer_name: str = ""
    serial: str = ""  # số hiệu
    register_number: str = ""  # số vào sổ cấp chứng chỉ, e.g. "0001/2026"
    verify_url: str = ""  # absolute URL of /verify/<code>, printed as text and QR code
    development: bool = False  # signed by the development CA: the PDF says so

    def register_fields(self) -> dict:
        """The fields a verifier compares with the register (embedded in the signed PDF)."""
        return {
            "code": self.code,
            "kind": self.kind,
            "holder_name": self.holder_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "serial": self.serial,
            "register_number": self.register_number,
            "issue_date": self.issue_date.isoformat() if self.issue_date else "",
            "modules": [module.code for module in self.modules],
        }
