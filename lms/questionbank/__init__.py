"""Question banks: questions and their versions, the type registry, import and export formats."""
