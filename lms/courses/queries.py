"""Reads of the courses area. Counts are SQL aggregations; nothing loops over rows to sum."""
from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from lms.auth.models import User
from lms.catalogue.models import LearningPathModule, Module, SyllabusNode, Title
from lms.courses.models import Assignment, Course, Lesson, LessonAttachment, LessonImage, LessonProgress, PracticeAttempt
from lms.courses.rules import syllabus_sort_key, topic_of
from lms.extensions import db
from lms.org.models import Staff, Unit
from lms.scope import Scope, role_scope


def manager_scope(user):
    """Whose progress a user may follow: administrators everyone; HR officers and trainers the
    units their roles are held for (a role held for no unit: the whole city)."""
    return role_scope(db.session, user, "hr", "trainer")


# --- Building blocks ---------------------------------------------------------------------


def published_totals():
    return (
        select(Lesson.course_id, func.count(Lesson.id).label("total"))
        .where(Lesson.published.is_(True))
        .group_by(Lesson.course_id)
        .subquery()
    )


def completed_counts(user_id=None, before=None):
    """Published lessons completed per user and course (by `before`, if given)."""
    query = (
        select(LessonProgress.user_id, Lesson.course_id, func.count(LessonProgress.id).label("done"))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.published.is_(True), LessonProgress.completed_at.is_not(None))
        .group_by(LessonProgress.user_id, Lesson.course_id)
    )
    if user_id is not None:
        query = query.where(LessonProgress.user_id == user_id)
    if before is not None:
        query = query.where(LessonProgress.completed_at < before)
    return query.subquery()


def _ancestor_ids(unit):
    return [int(part) for part in unit.path.strip("/").split("/") if part]


# --- Courses and lessons -----------------------------------------------------------------


def course_by_module_code(code, published_only):
    query = select(Course).join(Module, Module.id == Course.module_id).where(Module.code == code)
    if published_only:
        query = query.where(Course.published.is_(True))
    return db.session.execute(query).scalar_one_or_none()


def ordered_lessons(course, published_only):
    query = select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position, Lesson.id)
    if published_only:
        query = query.where(Lesson.published.is_(True))
    return db.session.execute(query).scalars().all()


def lessons_by_topic(course, published_only):
    """[(topic code, topic title, [lessons])] in course order; topic titles from the syllabus catalogue."""
    lessons = ordered_lessons(course, published_only)
    codes = {topic_of(lesson.syllabus_code) for lesson in lessons}
    titles = dict(db.session.execute(select(SyllabusNode.code, SyllabusNode.title).where(SyllabusNode.code.in_(codes))).all()) if codes else {}
    groups = []
    for lesson in lessons:
        topic = topic_of(lesson.syllabus_code)
        if not groups or groups[-1][0] != topic:
            groups.append((topic, titles.get(topic, topic), []))
        groups[-1][2].append(lesson)
    return groups


def neighbours(lesson, published_only):
    """The previous and next lessons of the course, or None."""
    lessons = ordered_lessons(lesson.course, published_only)
    ids = [item.id for item in lessons]
    if lesson.id not in ids:
        return None, None
    index = ids.index(lesson.id)
    return (lessons[index - 1] if index > 0 else None), (lessons[index + 1] if index + 1 < len(lessons) else None)


def course_topics(course):
    """The module's topics (IUxx.t) from the syllabus catalogue, for practice by topic."""
    nodes = db.session.execute(select(SyllabusNode).where(SyllabusNode.module_id == course.module_id)).scalars().all()
    return sorted((n for n in nodes if n.depth == 1), key=lambda n: syllabus_sort_key(n.code))


def syllabus_choices(module_id):
    nodes = db.session.execute(select(SyllabusNode).where(SyllabusNode.module_id == module_id)).scalars().all()
    return [(n.code, f"{n.code} – {n.title}") for n in sorted(nodes, key=lambda n: syllabus_sort_key(n.code))]


def image_by_name(lesson, filename):
    return db.session.execute(
        select(LessonImage).where(LessonImage.lesson_id == lesson.id, LessonImage.filename == filename)
    ).scalar_one_or_none()


def attachment_of(lesson, attachment_id):
    return db.session.execute(
        select(LessonAttachment).where(LessonAttachment.lesson_id == lesson.id, LessonAttachment.id == attachment_id)
    ).scalar_one_or_none()


def courses_overview():
    """Every module with its course (if any) and lesson counts, for the trainers' list."""
    counts = (
        select(
            Lesson.course_id,
            func.count(Lesson.id).label("lessons"),
            func.sum(case((Lesson.published.is_(True), 1), else_=0)).label("published"),
        )
        .group_by(Lesson.course_id)
        .subquery()
    )
    return db.session.execute(
        select(Module, Course, func.coalesce(counts.c.lessons, 0), func.coalesce(counts.c.published, 0))
        .outerjoin(Course, Course.module_id == Module.id)
        .outerjoin(counts, counts.c.course_id == Course.id)
        .order_by(Module.position, Module.code)
    ).all()


def published_courses():
    return db.session.execute(
        select(Course).join(Module, Module.id == Course.module_id).where(Course.published.is_(True)).order_by(Module.position)
    ).scalars().all()


# --- A learner's progress ----------------------------------------------------------------


def progress_by_lesson(user, course):
    rows = db.session.execute(
        select(LessonProgress).join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user.id, Lesson.course_id == course.id)
    ).scalars()
    return {progress.lesson_id: progress for progress in rows}


def progress_of(user, lesson):
    return db.session.execute(
        select(LessonProgress).where(LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id)
    ).scalar_one_or_none()


def resume_lesson(user, course):
    """'Tiếp tục học': the first published lesson, in course order, not yet completed."""
    return db.session.execute(
        select(Lesson)
        .outerjoin(LessonProgress, and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user.id))
        .where(Lesson.course_id == course.id, Lesson.published.is_(True), LessonProgress.completed_at.is_(None))
        .order_by(Lesson.position, Lesson.id)
        .limit(1)
    ).scalar_one_or_none()


def learning_path(user):
    """The required modules of the user's title, read now (a changed path shows at once), with
    the published course, lessons done/total, reading time and the best practice result of each."""
    staff = user.staff
    if staff is None or staff.title_id is None:
        return []
    totals, done = published_totals(), completed_counts(user.id)
    best = (
        select(PracticeAttempt.course_id, func.max(PracticeAttempt.score / PracticeAttempt.question_count).label("best"))
        .where(PracticeAttempt.user_id == user.id, PracticeAttempt.question_count > 0, PracticeAttempt.finished_at.is_not(None))
        .group_by(PracticeAttempt.course_id)
        .subquery()
    )
    spent = (
        select(Lesson.course_id, func.sum(LessonProgress.seconds_spent).label("seconds"))
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .where(LessonProgress.user_id == user.id)
        .group_by(Lesson.course_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Module, Course, func.coalesce(totals.c.total, 0), func.coalesce(done.c.done, 0), best.c.best,
               func.coalesce(spent.c.seconds, 0))
        .join(LearningPathModule, LearningPathModule.module_id == Module.id)
        .outerjoin(Course, and_(Course.module_id == Module.id, Course.published.is_(True)))
        .outerjoin(totals, totals.c.course_id == Course.id)
        .outerjoin(done, done.c.course_id == Course.id)
        .outerjoin(best, best.c.course_id == Course.id)
        .outerjoin(spent, spent.c.course_id == Course.id)
        .where(LearningPathModule.title_id == staff.title_id)
        .order_by(Module.position, Module.code)
    ).all()
    return [
        {"module": module, "course": course, "total": total, "done": completed,
         "percent": round(100 * completed / total) if total else 0,
         "best_practice": None if best_score is None else round(100 * best_score),
         "seconds_spent": int(seconds), "minutes_spent": int(seconds) // 60}
        for module, course, total, completed, best_score, seconds in rows
    ]


def assignments_for(user, today):
    """The assignments that reach the user's staff record (its unit subtree and/or its title),
    with lessons done/total and whether the deadline has passed unfinished."""
    staff = user.staff
    if staff is None:
        return []
    totals, done = published_totals(), completed_counts(user.id)
    title_match = Assignment.title_id.is_(None) if staff.title_id is None else or_(Assignment.title_id.is_(None), Assignment.title_id == staff.title_id)
    rows = db.session.execute(
        select(Assignment, func.coalesce(totals.c.total, 0), func.coalesce(done.c.done, 0))
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(totals, totals.c.course_id == Assignment.course_id)
        .outerjoin(done, done.c.course_id == Assignment.course_id)
        .where(or_(Assignment.unit_id.is_(None), Assignment.unit_id.in_(_ancestor_ids(staff.unit))), title_match)
        .options(joinedload(Assignment.course).joinedload(Course.module))
        .order_by(Assignment.deadline, Assignment.id)
    ).all()
    return [
        {"assignment": assignment, "total": total, "done": completed,
         "finished": total > 0 and completed >= total,
         "overdue": assignment.deadline < today and not (total > 0 and completed >= total)}
        for assignment, total, completed in rows
    ]


def recent_practice(user, course, limit=5):
    return db.session.execute(
        select(PracticeAttempt)
        .where(PracticeAttempt.user_id == user.id, PracticeAttempt.course_id == course.id)
        .order_by(PracticeAttempt.started_at.desc(), PracticeAttempt.id.desc())
        .limit(limit)
    ).scalars().all()


# --- Practice pool -----------------------------------------------------------------------


def practice_question_ids(module_id, topic_code=None):
    """Approved practice-pool questions of a module (or one of its topics) that grade themselves.
    Exam-pool questions are never drawn here, however few practice questions there are."""
    from lms.questionbank.models import Question

    query = select(Question.id).where(
        Question.module_id == module_id,
        Question.pool == "practice",
        Question.status == "approved",
        Question.current_version_id.is_not(None),
        Question.type != "practical",
    )
    if topic_code:
        query = query.where(or_(Question.syllabus_code == topic_code, Question.syllabus_code.startswith(topic_code + ".", autoescape=True)))
    return db.session.execute(query.order_by(Question.id)).scalars().all()


# --- Assignments and reports -------------------------------------------------------------


def assignment_targets(scope, active_only=True):
    """(Assignment, Staff) pairs: the staff (active ones only, unless told) reached by each
    assignment, by their current unit inside the scope."""
    assign_unit, staff_unit = aliased(Unit), aliased(Unit)
    return (
        select(Assignment.id.label("assignment_id"), Assignment.course_id, Assignment.deadline, Staff.id.label("staff_id"),
               User.id.label("user_id"))
        .join(Staff, or_(Assignment.title_id.is_(None), Staff.title_id == Assignment.title_id))
        .join(staff_unit, staff_unit.id == Staff.unit_id)
        .outerjoin(assign_unit, assign_unit.id == Assignment.unit_id)
        .outerjoin(User, User.staff_id == Staff.id)
        .where(
            Staff.status == "active" if active_only else true(),
            or_(Assignment.unit_id.is_(None), staff_unit.path.startswith(assign_unit.path)),
            scope.unit_condition(staff_unit),
        )
    )


def assignment_visible_condition(scope):
    """HR officers see the assignments of their units and the city-wide ones (by title only)."""
    if scope.everything:
        return Assignment.id.is_not(None)
    return or_(Assignment.unit_id.is_(None), Assignment.unit_id.in_(select(Unit.id).where(scope.unit_condition())))


def assignments_summary(scope):
    """Each visible assignment with how many staff it reaches in the scope and how many finished."""
    targets = assignment_targets(scope).subquery()
    totals, done = published_totals(), completed_counts()
    finished = and_(func.coalesce(totals.c.total, 0) > 0, func.coalesce(done.c.done, 0) >= totals.c.total)
    counts = (
        select(
            targets.c.assignment_id,
            func.count(targets.c.staff_id).label("reached"),
            func.sum(case((finished, 1), else_=0)).label("finished"),
        )
        .outerjoin(totals, totals.c.course_id == targets.c.course_id)
        .outerjoin(done, and_(done.c.user_id == targets.c.user_id, done.c.course_id == targets.c.course_id))
        .group_by(targets.c.assignment_id)
        .subquery()
    )
    return db.session.execute(
        select(Assignment, func.coalesce(counts.c.reached, 0), func.coalesce(counts.c.finished, 0))
        .outerjoin(counts, counts.c.assignment_id == Assignment.id)
        .where(assignment_visible_condition(scope))
        .options(joinedload(Assignment.course).joinedload(Course.module), joinedload(Assignment.unit), joinedload(Assignment.title))
        .order_by(Assignment.deadline.desc(), Assignment.id.desc())
    ).all()


def overdue(scope, today, course_id=None, unit=None):
    """Staff behind on an assignment: deadline passed, not every published lesson completed.
    One query; rows (assignment, staff, unit, done, total) by deadline, unit, name."""
    targets = assignment_targets(scope).where(Assignment.deadline < today)
    if course_id:
        targets = targets.where(Assignment.course_id == course_id)
    targets = targets.subquery()
    totals, done = published_totals(), completed_counts()
    completed = func.coalesce(done.c.done, 0)
    query = (
        select(Assignment, Staff, Unit, completed, totals.c.total)
        .select_from(targets)
        .join(Assignment, Assignment.id == targets.c.assignment_id)
        .join(Staff, Staff.id == targets.c.staff_id)
        .join(Unit, Unit.id == Staff.unit_id)
        .join(totals, totals.c.course_id == targets.c.course_id)
        .outerjoin(done, and_(done.c.user_id == targets.c.user_id, done.c.course_id == targets.c.course_id))
        .where(completed < totals.c.total)
        .options(joinedload(Assignment.course).joinedload(Course.module))
        .order_by(Assignment.deadline, Unit.path, Staff.full_name, Staff.id)
    )
    if unit is not None:
        query = query.where(Unit.path.startswith(unit.path))
    return db.session.execute(query).all()


def course_progress_by(course, scope, group):
    """Progress on a course per unit or per title of the active staff in the scope: staff,
    with an account, started, finished (all published lessons), mean lessons done."""
    total = db.session.execute(
        select(func.count(Lesson.id)).where(Lesson.course_id == course.id, Lesson.published.is_(True))
    ).scalar_one()
    done = completed_counts()
    started = (
        select(LessonProgress.user_id)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.course_id == course.id)
        .group_by(LessonProgress.user_id)
        .subquery()
    )
    completed = func.coalesce(done.c.done, 0)
    key = (Unit.id, Unit.name, Unit.path) if group == "unit" else (Title.id, Title.name, Title.position)
    query = (
        select(
            *key,
            func.count(Staff.id),
            func.count(User.id),
            func.count(started.c.user_id),
            func.sum(case((and_(completed >= total, total > 0), 1), else_=0)),
            func.avg(completed),
        )
        .select_from(Staff)
        .join(Unit, Unit.id == Staff.unit_id)
        .outerjoin(User, User.staff_id == Staff.id)
        .outerjoin(started, started.c.user_id == User.id)
        .outerjoin(done, and_(done.c.user_id == User.id, done.c.course_id == course.id))
        .where(Staff.status == "active", scope.unit_condition(Unit))
        .group_by(*key)
        .order_by(key[2], key[1])
    )
    if group == "title":
        query = query.join(Title, Title.id == Staff.title_id)
    rows = db.session.execute(query).all()
    return total, [
        {"id": row[0], "name": row[1], "staff": row[3], "accounts": row[4], "started": row[5], "finished": row[6] or 0,
         "mean_done": round(float(row[7] or 0), 1)}
        for row in rows
    ]


def reach_of(assignment_ids):
    """A subquery: each active staff member the assignments reach (assignment_id, course_id,
    deadline, staff_id, user_id) with the published lessons `done` and `total` of the course;
    whom lms.notifications tells of an assignment and reminds of its deadline."""
    targets = assignment_targets(Scope.city()).where(Assignment.id.in_(assignment_ids)).subquery()
    totals, done = published_totals(), completed_counts()
    return (
        select(targets, func.coalesce(done.c.done, 0).label("done"), func.coalesce(totals.c.total, 0).label("total"))
        .outerjoin(totals, totals.c.course_id == targets.c.course_id)
        .outerjoin(done, and_(done.c.user_id == targets.c.user_id, done.c.course_id == targets.c.course_id))
        .subquery()
    )
