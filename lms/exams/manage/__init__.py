"""Tổ chức thi, the trainers' and proctors' side: blueprints, sessions, candidates, proctoring, marking, results."""
