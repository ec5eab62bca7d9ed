"""The text of each notice and e-mail, in the recipient's language (Vietnamese unless their
account chose English). Plain values in, (title, body) out; the e-mail wraps the same body
in a greeting, the link and a signature."""
from flask import current_app
from flask_babel import force_locale, gettext

from lms.localtime import format_local

LANGUAGES = ("vi", "en")
OVERDUE_LINES_SHOWN = 200  # a longer list is cut, the page holds all of it


def language_of(locale):
    return locale if locale in LANGUAGES else "vi"


class Texts:
    """gettext in one language, each message looked up once: an assignment to a whole title
    tells thousands of people, and Flask-Babel's lookup per call would cost seconds."""

    def __init__(self, locale):
        self.locale, self.templates = locale, {}

    def __call__(self, msgid, **values):
        template = self.templates.get(msgid)
        if template is None:
            with force_locale(self.locale):
                template = self.templates[msgid] = gettext(msgid)
        return template % values if values else template


def texts(locale) -> Texts:
    """The app's Texts of a language (the catalogues do not change while it runs)."""
    cache = current_app.extensions.setdefault("lms_notice_texts", {})
    language = language_of(locale)
    if language not in cache:
        cache[language] = Texts(language)
    return cache[language]


def path_for(endpoint, **values):
    """The path of a page of this site, outside a request too (commands, jobs)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def public_url(path):
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _day(value):
    return value.strftime("%d/%m/%Y")


def course_assigned(locale, course, deadline, note=""):
    _ = texts(locale)
    title = _("Khóa học được giao: %(course)s, hạn %(deadline)s", course=course, deadline=_day(deadline))
    lines = [_("Anh/chị được giao khóa học %(course)s, cần hoàn thành trước hết ngày %(deadline)s.", course=course,
               deadline=_day(deadline))]
    if note:
        lines.append(_("Ghi chú: %(note)s", note=note))
    return title, "\n".join(lines)


def course_reminder(locale, course, deadline, days_left, done, total):
    _ = texts(locale)
    title = _("Nhắc hạn: %(course)s, hạn %(deadline)s", course=course, deadline=_day(deadline))
    if days_left <= 0:
        when = _("Hôm nay là ngày cuối để hoàn thành khóa học %(course)s.", course=course)
    else:
        when = _("Khóa học %(course)s cần hoàn thành trước hết ngày %(deadline)s (còn %(days)s ngày).", course=course,
                 deadline=_day(deadline), days=days_left)
    return title, "\n".join([when, _("Anh/chị đã hoàn thành %(done)s/%(total)s bài.", done=done, total=total)])


def exam_invitation(locale, session, candidate_number, room=""):
    """session: the ExamSession (name, council, location, opens_at, closes_at)."""
    _ = texts(locale)
    place = ", ".join(part for part in (session.location, _("phòng %(room)s", room=room) if room else "") if part)
    lines = [
        _("Anh/chị được mời dự thi: %(session)s.", session=session.name),
        _("Thời gian: từ %(start)s đến %(end)s", start=format_local(session.opens_at), end=format_local(session.closes_at)),
        _("Địa điểm: %(place)s", place=place or _("sẽ thông báo sau")),
        _("Số báo danh: %(number)s", number=candidate_number or "—"),
    ]
    if session.council:
        lines.insert(1, _("Hội đồng thi: %(council)s", council=session.council))
    lines.append(_("Khi dự thi, mang theo căn cước công dân và đăng nhập bằng tài khoản của anh/chị."))
    return _("Giấy mời dự thi: %(session)s", session=session.name), "\n".join(lines)


def exam_results(locale, session_name):
    _ = texts(locale)
    return (_("Đã có kết quả: %(session)s", session=session_name),
            _("Kết quả «%(session)s» đã được công bố. Anh/chị xem điểm từng phần thi và kết quả chung trên trang kỳ thi.",
              session=session_name))


def hr_overdue(locale, week, today, rows):
    """rows: (staff id, name, unit name, course, deadline, done, total), already ordered."""
    _ = texts(locale)
    title = _("Cán bộ quá hạn học tập, tuần %(week)s: %(count)s người", week=week, count=len({row[0] for row in rows}))
    lines = [_("Cán bộ trong phạm vi quản lý của anh/chị chưa hoàn thành khóa học được giao đã quá hạn (đến ngày %(today)s):",
               today=_day(today))]
    lines += [_("- %(name)s (%(unit)s): %(course)s, hạn %(deadline)s, đã học %(done)s/%(total)s bài", name=name, unit=unit,
                course=course, deadline=_day(deadline), done=done, total=total)
              for _staff_id, name, unit, course, deadline, done, total in rows[:OVERDUE_LINES_SHOWN]]
    if len(rows) > OVERDUE_LINES_SHOWN:
        lines.append(_("… và %(more)s dòng khác, xem đầy đủ trên trang cán bộ quá hạn.", more=len(rows) - OVERDUE_LINES_SHOWN))
    return title, "\n".join(lines)


def email_body(locale, name, body, link):
    """The e-mail of a notice: greeting, the notice's text, where to act, signature."""
    _ = texts(locale)
    parts = [_("Kính gửi anh/chị %(name)s,", name=name) if name else _("Kính gửi anh/chị,"), body]
    if link:
        parts.append(_("Xem chi tiết: %(url)s", url=public_url(link)))
    parts.append(_("Đây là thư tự động của Hệ thống bồi dưỡng và sát hạch kỹ năng CNTT Hà Nội, xin không trả lời thư này."))
    return "\n\n".join(parts)
