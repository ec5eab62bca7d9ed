"""Certificates: issuance rules applied to exam sittings, the register, the signed PDF, public
verification, revocation and reissue, Open Badges 3.0 credentials."""
