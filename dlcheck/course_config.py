"""Course-wide settings: an optional `course.yaml` at the course root, next to exercises/.

    # course.yaml
    show_solutions_after_pass: true   # `dlcheck solution ID` after a recorded pass (default: false)

A missing file means every default; an unknown or mistyped field is an error naming the file and
the field, like a spec's. Imported only by the commands that read a setting (YAML stays out of
`dlcheck list`).
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from .errors import SpecError
from .spec import read_yaml_mapping, split_validation_error

CONFIG_FILE = "course.yaml"


class CourseConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    # Whether a student who passed an exercise may see its reference with `dlcheck solution ID`.
    show_solutions_after_pass: bool = False


def load_course_config(course_root: Path) -> CourseConfig:
    path = course_root / CONFIG_FILE
    if not path.is_file():
        return CourseConfig()
    try:
        return msgspec.convert(read_yaml_mapping(path), type=CourseConfig, strict=True)
    except msgspec.ValidationError as exc:
        raise SpecError(path, *split_validation_error(str(exc))) from None
