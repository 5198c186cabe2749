"""Package inspection: checks an uploaded file without saving anything (see ``inspect.inspect_package``).

``archive`` holds the archive-safety rules shared by H5P and SCORM, ``h5p`` wraps pyh5p behind our own interface,
``scorm`` is our own ``imsmanifest.xml`` reader (SCORM 1.2 and 2004 2nd/3rd/4th editions).
"""
