"""Signals other apps may connect to (through ``lms.exams.api``). ``lms.exams`` sits below ``lms.gradebook`` in the
layers contract, so it never imports the gradebook: the gradebook reacts to these in its ``AppConfig.ready()``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.dispatch import Signal

# Sent by ``services.regrade_test`` inside its transaction, with ``test``, ``by`` (who regraded), ``reason`` and
# ``changes`` (a list of ``RegradedAttempt``, only attempts whose points changed). A receiver that writes must do so
# in the same transaction (an exception rolls the regrade back) and may return a report
# ``{"updated": [row…], "not_updated": [row…]}`` whose rows are JSON-ready dicts (student, where, old, new, why):
# the regrade page shows it and the regrade's audit entry keeps it.
attempts_regraded = Signal()


@dataclass(frozen=True)
class AttemptScore:
    """An attempt's figures at one moment, with the same names as an attempt of ``get_sitting_results``."""

    points: Decimal | None
    max_points: Decimal | None
    needs_marking: bool
    score_rules: object  # rules.ScoreRules of the sitting
    score: Decimal | None  # 0–10 under ``score_rules`` (None while not graded)


@dataclass(frozen=True)
class RegradedAttempt:
    attempt_id: int
    sitting_id: int
    student_id: int
    old: AttemptScore
    new: AttemptScore
