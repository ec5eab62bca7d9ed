"""The candidate's side of an exam: my exams, the start, the exam page and its JSON API, the result."""
