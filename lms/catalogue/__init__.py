"""Modules IU01–IU15 and their syllabus, titles with learning paths, emulation blocs."""
