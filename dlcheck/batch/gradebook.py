"""gradebook.csv: one row per student, as instructors import it into an LMS.

    student,<exercise id>…,total,max,percent,status
    points possible,4,8,…,502,502,100,
    alice,4,2.5,…

The first row after the header gives the points of each exercise (Canvas and Moodle read such a
row as the maximum). A missing exercise scores 0; a student whose submission could not be read
scores 0 everywhere and says so in `status`. Rows are sorted by student id, numbers are plain
decimals, and the csv module quotes whatever needs it (a student id with a comma).
"""

from __future__ import annotations

import csv
import io

POINTS_ROW = "points possible"


def gradebook_csv(records: list, plan: list) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    maximum = sum(exercise.points for exercise in plan)
    out.writerow(["student", *(exercise.id for exercise in plan), "total", "max", "percent", "status"])
    out.writerow([POINTS_ROW, *(_number(exercise.points) for exercise in plan), _number(maximum),
                  _number(maximum), "100", ""])
    for record in sorted(records, key=lambda r: r.id):
        scores = _scores(record)
        total = round(sum(scores.get(exercise.id, 0.0) for exercise in plan), 2)
        percent = round(100 * total / maximum, 2) if maximum else 0.0
        out.writerow([record.id, *(_number(scores.get(exercise.id, 0.0)) for exercise in plan), _number(total),
                      _number(maximum), _number(percent), record.status])
    return buffer.getvalue()


def _scores(record) -> dict[str, float]:
    if record.document is None:
        return {}
    return {r["exercise"]: float(r["score"]) for r in record.document["results"]}


def _number(value: float) -> str:
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
