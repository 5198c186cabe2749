"""Tracking writes: xAPI statements (H5P), contentUserData (H5P resume) and SCORM CMI commits (1.2 and 2004).

Rules from what wagtail-lms got wrong (``../shared/docs/formats.md``): the attempt score comes only from top-level
statements (no ``context.contextActivities.parent``: a sub-question's ``answered`` never overwrites the activity's
score); the score kept follows the item's policy (best, last or first attempt); statements and SCORM commits arrive in
batches, one transaction each; only score-bearing top-level statements are stored (one row per attempt, not per
statement); SCORM 2004's completion, success, scaled score and location are mapped, not only stored raw.

Personal data (Luật 91/2025, NĐ 356/2025, R42): every batch, state save and commit is a behaviour event in
lms.privacy's own log (``record_behaviour``, nothing when the student restricted processing); the playback time kept
here (attempt durations, the SCO's session and total time) is learning analytics, stored only while the student's
``learning_analytics`` consent holds, and cleared by ``clear_playback_time`` on withdrawal or deletion.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lms.library.models import Attempt, H5PUserData, LibraryItem, Result, ScorePolicy, ScormRuntime
from lms.privacy import api as privacy_api

LEARNING_ANALYTICS = "learning_analytics"  # the lms.privacy consent purpose playback time depends on
# SCORM CMI elements that carry time (1.2 and 2004): not stored without the learning_analytics consent.
TIME_ELEMENTS = {"cmi.core.session_time", "cmi.core.total_time", "cmi.session_time", "cmi.total_time"}

SCORING_VERBS = {
    "http://adlnet.gov/expapi/verbs/completed",
    "http://adlnet.gov/expapi/verbs/answered",
    "http://adlnet.gov/expapi/verbs/passed",
    "http://adlnet.gov/expapi/verbs/failed",
    "http://adlnet.gov/expapi/verbs/scored",
}
MAX_STATEMENTS_PER_BATCH = 100
TWO = Decimal("0.01")
FOUR = Decimal("0.0001")


class TrackingError(ValueError):
    pass


def _decimal(value, places=TWO) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(places, rounding=ROUND_HALF_UP)


def _scaled(raw: Decimal | None, maximum: Decimal | None, minimum: Decimal | None = None) -> Decimal | None:
    if raw is None or not maximum:
        return None
    low = minimum or Decimal(0)
    if maximum <= low:
        return None
    return ((raw - low) / (maximum - low)).quantize(FOUR, rounding=ROUND_HALF_UP)


def _target(item: LibraryItem, what: str) -> str:
    return f"library.item:{item.uuid}:{what}"


def _log(*, item: LibraryItem, student, kind: str, what: str, seconds: int | None = None):
    """A playback ping in the behaviour log, under the item's school (or the student's, for a shared item)."""
    school = item.school if item.school_id else privacy_api.student_school(student)
    return privacy_api.record_behaviour(
        user=student, kind=kind, school=school, target=_target(item, what), seconds=seconds
    )


def _time_kept(student) -> bool:
    """Playback time is kept only for a student whose learning_analytics consent holds and who has not restricted
    processing."""
    return not privacy_api.is_restricted(student) and privacy_api.consent_holds(student, LEARNING_ANALYTICS)


def is_top_level(statement: dict) -> bool:
    parents = ((statement.get("context") or {}).get("contextActivities") or {}).get("parent")
    return not parents


@transaction.atomic
def record_statements(*, item: LibraryItem, student, statements: list) -> Result | None:
    """Store the score-bearing top-level statements of a batch as attempts and recompute the kept result."""
    if not isinstance(statements, list):
        raise TrackingError(_("“statements” must be a list."))
    if len(statements) > MAX_STATEMENTS_PER_BATCH:
        raise TrackingError(_("At most %(max)d statements may be sent at once.") % {"max": MAX_STATEMENTS_PER_BATCH})
    from lms.library.api import duration_seconds

    reported = sum(
        duration_seconds(str(((s.get("result") or {}).get("duration")) or ""))
        for s in statements
        if isinstance(s, dict) and is_top_level(s) and isinstance(s.get("result"), dict)
    )
    if statements:
        _log(item=item, student=student, kind=privacy_api.BehaviourKind.CLICK, what="xapi", seconds=reported or None)
    keep_time = _time_kept(student)
    changed = False
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            raise TrackingError(_("Statement %(n)d is not an object.") % {"n": index + 1})
        verb = ((statement.get("verb") or {}).get("id")) or ""
        result = statement.get("result") or {}
        score = result.get("score") or {}
        if verb not in SCORING_VERBS or not is_top_level(statement) or not isinstance(score, dict):
            continue
        raw, maximum = _decimal(score.get("raw")), _decimal(score.get("max"))
        if raw is None and score.get("scaled") is None:
            continue
        try:
            statement_id = uuid.UUID(str(statement.get("id"))) if statement.get("id") else None
        except ValueError:
            statement_id = None
        if statement_id and Attempt.objects.filter(item=item, student=student, statement_id=statement_id).exists():
            continue  # a statement resent after a network retry counts once
        scaled = _decimal(score.get("scaled"), FOUR)
        if scaled is None:
            scaled = _scaled(raw, maximum, _decimal(score.get("min")))
        Attempt.objects.create(
            item=item,
            student=student,
            verb=verb.rsplit("/", 1)[-1],
            score_raw=raw,
            score_max=maximum,
            score_scaled=scaled,
            completed=bool(result.get("completion", verb.endswith(("completed", "answered")))),
            success=result.get("success") if isinstance(result.get("success"), bool) else None,
            duration=str(result.get("duration") or "")[:40] if keep_time else "",
            statement_id=statement_id,
        )
        changed = True
    return recompute_result(item=item, student=student) if changed else None


def recompute_result(*, item: LibraryItem, student) -> Result:
    attempts = list(Attempt.objects.filter(item=item, student=student, sco=""))
    result, _created = Result.objects.select_for_update().get_or_create(item=item, student=student)
    result.attempts = len(attempts)
    if attempts:
        scored = [a for a in attempts if a.score_scaled is not None] or attempts
        if item.score_policy == ScorePolicy.FIRST:
            kept = scored[0]
        elif item.score_policy == ScorePolicy.LAST:
            kept = scored[-1]
        else:  # best; the earliest of equal scores
            kept = max(scored, key=lambda a: (a.score_scaled or Decimal(-1), -attempts.index(a)))
        result.attempt = kept
        result.score_raw, result.score_max, result.score_scaled = kept.score_raw, kept.score_max, kept.score_scaled
        result.success = kept.success
        result.completed = result.completed or any(a.completed for a in attempts)
    result.save()
    return result


@transaction.atomic
def save_user_data(*, item: LibraryItem, student, data_type: str, sub_content_id: str, data) -> None:
    """H5P contentUserData; ``data`` None (H5P's reset) deletes it."""
    data_type, sub_content_id = str(data_type)[:127], str(sub_content_id or "0")[:127]
    if not data_type:
        raise TrackingError(_("The H5P data type is missing."))
    _log(item=item, student=student, kind=privacy_api.BehaviourKind.TIME_ON_TASK, what="h5p-state")
    if data is None or data == "":
        H5PUserData.objects.filter(
            item=item, student=student, data_type=data_type, sub_content_id=sub_content_id
        ).delete()
        return
    if not isinstance(data, str):
        raise TrackingError(_("H5P user data must be text."))
    H5PUserData.objects.update_or_create(
        item=item, student=student, data_type=data_type, sub_content_id=sub_content_id, defaults={"data": data}
    )


def flatten_cmi(data, prefix: str = "") -> dict[str, str]:
    """scorm-again's JSON commit ({"cmi": {"core": {...}}} or without the root) as dotted CMI keys."""
    flat: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            flat.update(flatten_cmi(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            flat.update(flatten_cmi(value, f"{prefix}.{index}"))
    elif data is not None:
        flat[prefix] = data if isinstance(data, str) else str(data).lower() if isinstance(data, bool) else str(data)
    if not prefix:
        flat = {(k if k.startswith("cmi.") else f"cmi.{k}"): v for k, v in flat.items()}
    return flat


# Values the content may not set on resume (write-only or set by the LMS at launch).
NOT_RESTORED = {"cmi.core.session_time", "cmi.session_time", "cmi.core.exit", "cmi.exit", "cmi.core.entry", "cmi.entry"}


def mapped_status(version: str, cmi: dict[str, str]) -> dict:
    if version == "1.2":
        status = cmi.get("cmi.core.lesson_status", "not attempted")
        completion = (
            "completed"
            if status in {"passed", "completed", "failed"}
            else "incomplete"
            if status in {"incomplete", "browsed"}
            else "not attempted"
        )
        success = status if status in {"passed", "failed"} else "unknown"
        raw, maximum = _decimal(cmi.get("cmi.core.score.raw")), _decimal(cmi.get("cmi.core.score.max"))
        minimum = _decimal(cmi.get("cmi.core.score.min"))
        if raw is not None and maximum is None:
            maximum = Decimal(100).quantize(TWO)  # SCORM 1.2 raw scores default to 0–100
        return {
            "completion_status": completion,
            "success_status": success,
            "score_raw": raw,
            "score_max": maximum,
            "score_scaled": _scaled(raw, maximum, minimum),
            "location": cmi.get("cmi.core.lesson_location", "")[:1000],
            "suspend_data": cmi.get("cmi.suspend_data", ""),
            "total_time": cmi.get("cmi.core.total_time", "")[:40],
            "exit": cmi.get("cmi.core.exit", ""),
        }
    completion = cmi.get("cmi.completion_status", "not attempted")
    success = cmi.get("cmi.success_status", "unknown")
    raw, maximum = _decimal(cmi.get("cmi.score.raw")), _decimal(cmi.get("cmi.score.max"))
    scaled = _decimal(cmi.get("cmi.score.scaled"), FOUR)
    if scaled is None:
        scaled = _scaled(raw, maximum, _decimal(cmi.get("cmi.score.min")))
    return {
        "completion_status": completion if completion in {"completed", "incomplete", "not attempted"} else "unknown",
        "success_status": success if success in {"passed", "failed"} else "unknown",
        "score_raw": raw,
        "score_max": maximum,
        "score_scaled": scaled,
        "location": cmi.get("cmi.location", "")[:1000],
        "suspend_data": cmi.get("cmi.suspend_data", ""),
        "total_time": cmi.get("cmi.total_time", "")[:40],
        "exit": cmi.get("cmi.exit", ""),
    }


@transaction.atomic
def record_scorm_commit(*, item: LibraryItem, student, sco: str, cmi) -> ScormRuntime:
    """One commit of a SCO's CMI data (scorm-again batches every SetValue between commits into one request)."""
    scos = {entry["identifier"] for entry in item.toc if entry.get("href")}
    if sco not in scos:
        raise TrackingError(_("This package has no item “%(sco)s”.") % {"sco": sco})
    if not isinstance(cmi, dict):
        raise TrackingError(_("The SCORM data must be a JSON object."))
    flat = flatten_cmi(cmi)
    from lms.library.api import duration_seconds

    session = flat.get("cmi.core.session_time") or flat.get("cmi.session_time") or ""
    _log(
        item=item,
        student=student,
        kind=privacy_api.BehaviourKind.TIME_ON_TASK,
        what=f"scorm:{sco}"[:60],
        seconds=duration_seconds(session) or None,
    )
    if not _time_kept(student):
        flat = {key: value for key, value in flat.items() if key not in TIME_ELEMENTS}
    runtime, _created = ScormRuntime.objects.select_for_update().get_or_create(item=item, student=student, sco=sco)
    merged = {**runtime.cmi, **flat}
    mapped = mapped_status(item.version, merged)
    exit_value = mapped.pop("exit")
    # Completion is kept once reached: a later "incomplete" (a student re-opening the SCO) does not undo it.
    if runtime.completion_status == "completed":
        mapped["completion_status"] = "completed"
    runtime.cmi = {**merged, "_exit": exit_value}
    for key, value in mapped.items():
        setattr(runtime, key, value)
    runtime.commits += 1
    runtime.save()
    _scorm_result(item=item, student=student)
    return runtime


def _scorm_result(*, item: LibraryItem, student) -> Result:
    runtimes = {r.sco: r for r in ScormRuntime.objects.filter(item=item, student=student)}
    scos = [e["identifier"] for e in item.toc if e.get("href") and e.get("is_sco")] or [
        e["identifier"] for e in item.toc if e.get("href")
    ]
    result, _created = Result.objects.select_for_update().get_or_create(item=item, student=student)
    done = [runtimes[s] for s in scos if s in runtimes and runtimes[s].completion_status == "completed"]
    result.completed = result.completed or len(done) == len(scos)
    scaled = [r.score_scaled for r in runtimes.values() if r.score_scaled is not None]
    if scaled:
        result.score_scaled = (sum(scaled) / len(scaled)).quantize(FOUR, rounding=ROUND_HALF_UP)
        if len(runtimes) == 1:
            only = next(iter(runtimes.values()))
            result.score_raw, result.score_max = only.score_raw, only.score_max
    statuses = {r.success_status for r in runtimes.values()}
    result.success = False if "failed" in statuses else True if "passed" in statuses else None
    result.attempts = sum(r.commits for r in runtimes.values())
    result.save()
    return result


def resume_cmi(runtime: ScormRuntime | None, version: str) -> dict[str, str]:
    """Dotted CMI values to load into scorm-again before Initialize, with ``entry`` set as the standard says."""
    if runtime is None:
        return {}
    data = {k: v for k, v in runtime.cmi.items() if k not in NOT_RESTORED and not k.startswith("_")}
    suspended = runtime.cmi.get("_exit") in {"suspend", "logout"} or bool(runtime.suspend_data or runtime.location)
    entry_key = "cmi.core.entry" if version == "1.2" else "cmi.entry"
    data[entry_key] = "resume" if suspended else ""
    return data


@transaction.atomic
def clear_playback_time(*, student, school=None) -> int:
    """Erase the playback time kept for a student (attempt durations, SCO session and total time), for the items of
    one school and the shared ones, or everywhere. Scores, completion and resume state stay (core records).
    Returns how many attempts and SCO runtimes had time."""
    attempts = Attempt.objects.filter(student=student).exclude(duration="")
    runtimes = ScormRuntime.objects.filter(student=student)
    if school is not None:
        in_school = Q(item__school=school) | Q(item__school__isnull=True)
        attempts, runtimes = attempts.filter(in_school), runtimes.filter(in_school)
    count = attempts.update(duration="")
    for runtime in runtimes.select_for_update():
        timed = {key for key in runtime.cmi if key in TIME_ELEMENTS}
        if not timed and not runtime.total_time:
            continue
        runtime.cmi = {key: value for key, value in runtime.cmi.items() if key not in TIME_ELEMENTS}
        runtime.total_time = ""
        runtime.save(update_fields=["cmi", "total_time", "updated_at"])
        count += 1
    return count
