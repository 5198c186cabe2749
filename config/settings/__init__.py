"""Settings packages: ``base`` (shared, environment-driven), ``dev``, ``test`` and ``production``."""
