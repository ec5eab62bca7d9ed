"""One helper decides whether a `next` target is a path of this site."""
import pytest

from lms.redirects import local_target


@pytest.mark.parametrize("target", ["/", "/exams/manage/sessions/3/proctor", "/questionbank/questions/?bank=2&status=draft", "/learn/#ket-qua"])
def test_paths_of_this_site_are_kept(target):
    assert local_target(target) == target


@pytest.mark.parametrize("target", [
    None, "", "https://evil.example/", "http:/evil.example", "//evil.example/login", "///evil.example", "/\\evil.example",
    "\\\\evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n//evil.example", " /ok", "/ok space", "/\x00/x", "/\x7f",
    "javascript:alert(1)", "evil.example/path", "exams/manage",
])
def test_anything_that_could_leave_the_site_is_refused(target):
    assert local_target(target) is None
