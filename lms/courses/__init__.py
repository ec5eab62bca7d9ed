"""Courses and lessons per module, progress, practice quizzes, assignments and learning paths."""
