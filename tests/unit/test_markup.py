import re

import pytest

from lms.questionbank.markup import render, render_inline

XSS_CORPUS = [
    ("markdown", "<script>alert(1)</script>"),
    ("markdown", "<img src=x onerror=alert(1)>"),
    ("markdown", "[bấm vào đây](javascript:alert(1))"),
    ("markdown", "[x](JaVaScRiPt:alert(1))"),
    ("markdown", "[x](<javascript:alert(1)>)"),
    ("markdown", "![x](javascript:alert(1))"),
    ("markdown", "![x](data:image/svg+xml;base64,PHN2Zz4=)"),
    ("markdown", "<a href=\"javascript&#58;alert(1)\">x</a>"),
    ("markdown", "<a href=\"jav&#x09;ascript:alert(1)\">x</a>"),
    ("markdown", "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>"),
    ("markdown", "<svg onload=alert(1)><circle/></svg>"),
    ("markdown", "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>"),
    ("markdown", "<math><mtext><script>alert(1)</script></mtext></math>"),
    ("markdown", "<iframe src=\"javascript:alert(1)\"></iframe>"),
    ("markdown", "<p style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">x</p>"),
    ("markdown", "<style>*{x:expression(alert(1))}</style>"),
    ("markdown", "<a href=\"vbscript:msgbox(1)\">x</a>"),
    ("markdown", "<form action=\"javascript:alert(1)\"><button>x</button></form>"),
    ("markdown", "<object data=\"data:text/html,<script>alert(1)</script>\"></object>"),
    ("markdown", "<body onload=alert(1)>"),
    ("markdown", "<scr<script>ipt>alert(1)</script>"),
    ("markdown", "<!-- --><script>alert(1)</script> -->"),
    ("html", "<div onmouseover=\"alert(1)\">x</div>"),
    ("html", "<img src=\"data:image/png;base64,AAAA\" alt=x>"),
    ("html", "<img src=\"//evil.example/x.png\">"),
    ("html", "<img src=\"https://evil.example/x.png\">"),
    ("html", "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>"),
    ("html", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">"),
    ("html", "<base href=\"javascript:alert(1)//\">"),
    ("html", "<input autofocus onfocus=alert(1)>"),
]

DANGEROUS = re.compile(r"<script|<style|<svg|<iframe|<object|<form|<meta|<base|<input|\son\w+\s*=|=\s*\"?\s*(javascript|vbscript|data):|"
                       r"\sstyle\s*=|src=\"//|src=\"https?:", re.IGNORECASE)


@pytest.mark.parametrize("text_format, source", XSS_CORPUS)
def test_nothing_executable_survives(text_format, source):
    for output in (render(source, text_format), render_inline(source, text_format)):
        assert not DANGEROUS.search(output), output


@pytest.mark.parametrize("source", [s for _, s in XSS_CORPUS])
def test_plain_text_is_escaped(source):
    output = render(source, "plain")
    assert "<" not in output.replace("<p>", "").replace("</p>", "").replace("<br>", "")


def test_safe_markdown_subset_is_kept():
    output = render("### Tiêu đề\n\n**Đậm** và *nghiêng*, `mã`, H<sub>2</sub>O, x<sup>2</sup>\n\n"
                    "- một\n- hai\n\n> trích dẫn\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n"
                    "[Cổng dịch vụ công](https://dichvucong.gov.vn) [thư](mailto:a@hanoi.gov.vn) [bài](/courses/1)\n\n"
                    "![Sơ đồ](/media/questions/so-do.png) ![ảnh](images/a.png)")
    for fragment in ("<h3>Tiêu đề</h3>", "<strong>Đậm</strong>", "<em>nghiêng</em>", "<code>mã</code>", "<sub>2</sub>",
                     "<sup>2</sup>", "<li>một</li>", "<blockquote>", "<table>", "<td>1</td>",
                     'href="https://dichvucong.gov.vn"', 'href="mailto:a@hanoi.gov.vn"', 'href="/courses/1"',
                     'src="/media/questions/so-do.png"', 'alt="Sơ đồ"', 'src="images/a.png"'):
        assert fragment in output


def test_images_outside_media_lose_their_source():
    assert "src" not in render("![x](/admin/logo.png)")
    assert "src" not in render('<img src="http://example.com/x.png">', "html")


def test_inline_rendering_has_no_paragraph_and_text_is_nfc():
    assert render_inline("**Ha\u0300 No\u0302\u0323i**") == "<strong>Hà Nội</strong>"
    assert render_inline("a < b", "plain") == "a &lt; b"
    assert render("dòng 1\ndòng 2\n\nđoạn 2", "plain") == "<p>dòng 1<br>dòng 2</p><p>đoạn 2</p>"
