"""The check the line-based format tests share: a broken file is refused with the line that is wrong."""
import pytest

from lms.questionbank.formats import FormatError


def assert_refused_at_line(parse, content, line, reason):
    """`parse(content)` raises a FormatError naming `line` whose message contains `reason`; the error, for further checks."""
    with pytest.raises(FormatError) as error:
        parse(content)
    assert error.value.line == line, str(error.value)
    assert reason in str(error.value), str(error.value)
    return error.value
