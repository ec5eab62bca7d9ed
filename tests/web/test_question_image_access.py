"""Question images for candidates and learners: an image on a paper they were given, or
in a practice quiz of theirs, is served; one only the key or feedback holds, or one on
somebody else's questions, is refused."""
import re

import pytest
from exam_support import BASIC, add_question, make_pool, make_session, practical_task, single_choice
from sqlalchemy import select

from lms.auth.services import create_user, find_user
from lms.catalogue.models import Module
from lms.extensions import db
from lms.org.models import Staff
from lms.questionbank import transfer

PNG = b"\x89PNG\r\n\x1a\n"


def stored_image(bank, number):
    return transfer.store_image(bank, f"hinh-{number}.png", PNG + bytes([number]) * 40, find_user("trainer")).id


@pytest.fixture()
def paper_images(demo):
    """Five IU01 questions (all drawn by the default blueprint's 5-question quota) with
    images in the question, an option, an option's feedback and the explanation, and a
    practice question's image that no paper shows."""
    bank = make_pool(per_module=5, modules=BASIC[1:])
    images = {name: stored_image(bank, number) for number, name in enumerate(("text", "option", "feedback", "explanation", "practice"), start=1)}
    questions = [single_choice(f"IU01-{index}", "IU01") for index in range(5)]
    questions[0]["text"] = f"Biểu tượng trong hình là gì? ![Biểu tượng](/media/questions/{images['text']})"
    questions[1]["choices"][0]["text"] = f"![Phương án có hình](/media/questions/{images['option']})"
    questions[2]["choices"][1]["feedback"] = f"Đúng: xem hình ![](/media/questions/{images['feedback']})"
    questions[3]["explanation"] = f"Lời giải ![](/media/questions/{images['explanation']})"
    practice = single_choice("IU01-LT", "IU01")
    practice.update(pool="practice", text=f"Câu luyện tập ![](/media/questions/{images['practice']})")
    for data in questions + [practice]:
        add_question(bank, data)
    db.session.commit()
    return images


def start(auth, session):
    part_id = session.blueprint.parts[0].id
    response = auth.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", token_page=f"/exams/sessions/{session.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_candidate_sees_the_images_of_their_paper_and_nothing_of_its_key(client, auth, paper_images):
    session, _ = make_session()
    auth.login("learner")
    assert client.get(f"/media/questions/{paper_images['text']}").status_code == 403  # no paper yet
    page = start(auth, session)
    assert f'src="/media/questions/{paper_images["text"]}"' in page and f'src="/media/questions/{paper_images["option"]}"' in page
    for name in ("text", "option"):
        response = client.get(f"/media/questions/{paper_images[name]}")
        assert response.status_code == 200 and response.data.startswith(PNG), name
    for name in ("feedback", "explanation", "practice"):
        assert client.get(f"/media/questions/{paper_images[name]}").status_code == 403, name


def test_another_learner_is_refused_the_images_of_a_paper(client, auth, paper_images):
    session, _ = make_session()
    auth.login("learner")
    start(auth, session)
    auth.logout()
    staff = db.session.execute(select(Staff).where(Staff.id != find_user("learner").staff_id).order_by(Staff.id)).scalars().first()
    create_user("learner2", "Demo@2017", staff.full_name, roles=["learner"], staff=staff)
    db.session.commit()
    auth.login("learner2", "Demo@2017")
    assert client.get(f"/media/questions/{paper_images['text']}").status_code == 403


def test_a_learner_sees_the_images_of_their_practice_questions(client, auth, paper_images):
    from lms.courses import services as course_services

    module = db.session.execute(select(Module).where(Module.code == "IU01")).scalar_one()
    course_services.create_course(module, published=True)
    db.session.commit()
    auth.login("learner")
    assert client.get(f"/media/questions/{paper_images['practice']}").status_code == 403
    response = auth.post("/learn/courses/IU01/practice", {"topic": ""}, token_page="/learn/courses/IU01/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(rf'src="/media/questions/{paper_images["practice"]}"', page)
    assert client.get(f"/media/questions/{paper_images['practice']}").status_code == 200
    # The exam questions are not in the practice pool: their images stay closed.
    assert client.get(f"/media/questions/{paper_images['text']}").status_code == 403


def test_an_image_only_a_practical_tasks_rubric_holds_is_refused_to_its_candidate(client, auth, demo):
    """The rubric is the council's marking guide: an image in it is part of the key."""
    bank = make_pool(per_module=5)
    shown, rubric_only = stored_image(bank, 1), stored_image(bank, 2)
    task = practical_task("IU03-TH", "IU03")
    task["text"] = f"Trình bày công văn như mẫu ![Mẫu](/media/questions/{shown})"
    task["rubric"] = [{"criterion": f"Lề, phông chữ đúng như hình ![](/media/questions/{rubric_only})", "points": 10}]
    add_question(bank, task)
    db.session.commit()
    session, _ = make_session(practical=True)
    auth.login("learner")
    part_id = session.blueprint.parts[1].id
    page = auth.post(f"/exams/sessions/{session.id}/parts/{part_id}/start", token_page=f"/exams/sessions/{session.id}").get_data(as_text=True)
    assert f'src="/media/questions/{shown}"' in page and f"/media/questions/{rubric_only}" not in page
    assert client.get(f"/media/questions/{shown}").status_code == 200
    assert client.get(f"/media/questions/{rubric_only}").status_code == 403
