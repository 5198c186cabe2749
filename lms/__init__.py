"""The learning-management side: schools and people, classes and courses, assessments, the media library."""
