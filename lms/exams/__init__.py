"""Timed exams: the pure rules (core/), the candidate's side (take/), the administration (manage/),
and between them the models and the services on attempts, papers, grading and results."""
