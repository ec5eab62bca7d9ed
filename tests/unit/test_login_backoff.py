"""The backoff of failed sign-ins (lms.auth.throttling.backoff_seconds): pure arithmetic."""
from lms.auth.throttling import backoff_seconds


def test_the_backoff_formula():
    assert [backoff_seconds(n, free=3, cap=300) for n in range(0, 15)] == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert backoff_seconds(10**6, free=3, cap=300) == 300
    assert backoff_seconds(5, free=3, cap=30, base=5) == 10
