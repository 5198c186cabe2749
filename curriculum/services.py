"""Writes for the curriculum: loading subjects and outcomes from the bundled programme data (idempotent)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from curriculum.models import Outcome, Subject

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadReport:
    subjects_created: int = 0
    outcomes_created: int = 0
    outcomes_updated: int = 0
    errors: list[str] = field(default_factory=list)


@transaction.atomic
def load_subjects(data: dict) -> int:
    created = 0
    for order, item in enumerate(data["subjects"]):
        subject, was_created = Subject.objects.get_or_create(
            code=item["code"], defaults={"name": item["name"], "sort_order": order}
        )
        created += was_created
        if not was_created and (subject.name, subject.sort_order) != (item["name"], order):
            Subject.objects.filter(pk=subject.pk).update(name=item["name"], sort_order=order)
    return created


@transaction.atomic
def load_outcomes(data: dict, *, origin: str = "data") -> LoadReport:
    """Create or update the outcomes of one subject and grade. All or nothing: any invalid entry stops the load
    and is reported with its code and the reason."""
    report = LoadReport()
    subject_data = data["subject"]
    subject, created = Subject.objects.get_or_create(code=subject_data["code"], defaults={"name": subject_data["name"]})
    report.subjects_created += created
    order = 0
    for strand in data["strands"]:
        for topic in strand["topics"]:
            for item in topic["outcomes"]:
                order += 1
                values = {
                    "subject": subject,
                    "grade": data["grade"],
                    "strand": strand["name"],
                    "topic": topic["name"],
                    "text": item["text"],
                    "level": item.get("level", ""),
                    "verified": bool(item.get("verified")),
                    "optional": bool(item.get("optional")),
                    "source": data.get("source", "")[:300],
                    "sort_order": order,
                }
                outcome = Outcome.objects.filter(code=item["code"]).first() or Outcome(code=item["code"])
                changed = outcome.pk is None or any(getattr(outcome, k) != v for k, v in values.items())
                for key, value in values.items():
                    setattr(outcome, key, value)
                try:
                    outcome.full_clean()
                except ValidationError as exc:
                    report.errors.append(f"{origin}: {item.get('code')}: {'; '.join(exc.messages)}")
                    continue
                if changed:
                    report.outcomes_created += outcome.pk is None
                    report.outcomes_updated += outcome.pk is not None
                    outcome.save()
    if report.errors:
        transaction.set_rollback(True)
    return report


def load_bundled_curriculum() -> LoadReport:
    """Subjects and every outcome file shipped in ``curriculum/data``; safe to run after every migrate."""
    total = LoadReport()
    total.subjects_created = load_subjects(json.loads((DATA_DIR / "subjects.json").read_text(encoding="utf-8")))
    for path in sorted((DATA_DIR / "yccd").glob("*.json")):
        report = load_outcomes(json.loads(path.read_text(encoding="utf-8")), origin=path.name)
        total.subjects_created += report.subjects_created
        total.outcomes_created += report.outcomes_created
        total.outcomes_updated += report.outcomes_updated
        total.errors += report.errors
    return total
