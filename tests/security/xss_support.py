"""Hostile content for the stored-XSS tests: one list of payloads, fed through every path that
stores text, and the check that a page shows none of them in a form a browser would run."""
import re
from html.parser import HTMLParser

from exam_support import single_choice

# Each payload calls alert(): a script body holding "alert(" came from content.
PAYLOADS = (
    '<script>alert("x1")</script>',
    '<img src=x onerror=alert("x2")>',
    '<body onload=alert("x3")>',
    '<svg onload=alert("x4")><circle r="1"/></svg>',
    '<svg><script>alert("x5")</script></svg>',
    "<a href=\"javascript:alert('x6')\">liên kết</a>",
    "<a href=\"java&#x09;script:alert('x7')\">liên kết</a>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgieDgiKTwvc2NyaXB0Pg==">tệp</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoIng5Iik+">',
    "<iframe src=\"javascript:alert('x10')\"></iframe>",
    '"><script>alert("x11")</script>',
    "'><img src=x onerror=alert('x12')>",
    '[bấm vào](javascript:alert("x13"))',
    '![ảnh](data:text/html,<script>alert("x14")</script>)',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert("x15")>',
    "<object data=\"javascript:alert('x16')\"></object>",
    "<form action=\"javascript:alert('x17')\"><button formaction=\"javascript:alert('x18')\">Gửi</button></form>",
    '<div style="x" onmouseover="alert(\'x19\')">rê chuột</div>',
    '&lt;img src=x onerror=alert("x20")&gt;',  # runs only if some step decodes it twice
)
# Every payload as one text, for fields whose length allows it.
ALL_PAYLOADS = " ".join(PAYLOADS)

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcset"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "frame", "frameset", "base"}
SCRIPT_URL = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")  # what a browser skips inside a scheme


class _ExecutableFinder(HTMLParser):
    """Walks a page as a browser tokenizes it (character references decoded). A <style>'s
    content is read as markup: inside <svg> or <math> a browser does so too (mutation XSS)."""

    CDATA_CONTENT_ELEMENTS = ("script",)

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on") or name == "srcdoc":
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name in URL_ATTRIBUTES and SCRIPT_URL.match(IGNORED_IN_URL.sub("", value or "")):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data[:60]}")


def executable_forms(page: str) -> list:
    """What of `page` a browser would run: script bodies from content, event-handler
    attributes, javascript:/data: URLs, frames and plugins. The app's own pages have none."""
    finder = _ExecutableFinder()
    finder.feed(page)
    finder.close()
    return finder.found


def assert_inert(response, *shown):
    """The page loaded, runs nothing of the payloads, and shows each text of `shown` (so that
    the content was really on it)."""
    page = response.get_data(as_text=True)
    where = response.request.path
    assert response.status_code == 200, (where, response.status_code)
    assert executable_forms(page) == [], where
    for text in shown:
        assert text in page, f"{text!r} is not on {where}"
    return page


def hostile_question(key, module, text_format="markdown", pool="exam"):
    """A single-choice question (exam_support's) whose text, options, feedback and explanation
    carry every payload; `Câu độc <key>` marks each field so that a page can be seen to show it."""
    data = single_choice(key, module)
    data.update(text=f"Câu độc {key} {ALL_PAYLOADS}", text_format=text_format, pool=pool,
                explanation=f"Giải thích độc {key} {ALL_PAYLOADS}")
    for index, choice in enumerate(data["choices"]):
        choice.update(text=f"Phương án độc {index} {PAYLOADS[index % len(PAYLOADS)]}", feedback=f"Phản hồi độc {ALL_PAYLOADS}")
    return data


def hostile_questions_of_every_type(text_format="markdown"):
    """One question of each further type, every text it has (pairs, accepted answers, rubric
    criteria, title, feedback) carrying payloads; as QuestionData dicts."""
    common = {"module": "IU04", "syllabus": "IU04.2.2", "status": "approved", "text_format": text_format,
              "title": f"Tiêu đề độc {PAYLOADS[0]}", "explanation": f"Giải thích độc {ALL_PAYLOADS}",
              "correct_feedback": f"Đúng độc {ALL_PAYLOADS}", "incorrect_feedback": f"Sai độc {ALL_PAYLOADS}"}
    marked = [f"Mục độc {index} {payload}" for index, payload in enumerate(PAYLOADS)]
    return [
        {**common, "key": f"MR-{text_format}", "type": "multiple_response", "text": f"Câu độc {ALL_PAYLOADS}",
         "choices": [{"text": marked[i], "correct": i < 2, "feedback": marked[-1 - i]} for i in range(6)]},
        {**common, "key": f"TF-{text_format}", "type": "true_false", "text": f"Câu độc {ALL_PAYLOADS}", "answer": True},
        {**common, "key": f"SA-{text_format}", "type": "short_answer", "text": f"Câu độc {ALL_PAYLOADS}", "answers": marked[:3]},
        {**common, "key": f"NU-{text_format}", "type": "numeric", "text": f"Câu độc {ALL_PAYLOADS}", "answer": 12.5, "tolerance": 0.5},
        {**common, "key": f"MA-{text_format}", "type": "matching", "text": f"Câu độc {ALL_PAYLOADS}", "shuffle": False,
         "pairs": [[marked[i], marked[-1 - i]] for i in range(4)]},
        {**common, "key": f"PR-{text_format}", "type": "practical", "text": f"Bài độc {ALL_PAYLOADS}", "points": 10.0,
         "rubric": [{"criterion": marked[i], "points": 5.0} for i in range(2)], "extensions": [".docx"]},
    ]
