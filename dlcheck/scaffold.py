"""`dlcheck new`: the files of a new exercise, valid but unfinished, so `dlcheck validate` can list
exactly what the author still has to write (every TODO, the stub reference, the stub mistakes)."""

from __future__ import annotations

from pathlib import Path

from .catalog import Course
from .chapters import CHAPTERS
from .errors import UsageError
from .spec import IDENTIFIER, TODO

CODE_SPEC = '''id: {id}
title: "{TODO}: a one-line title"
chapter: {chapter}
kind: code
points: 10
statement: |
  {TODO}: the task, in Markdown. Write math in unicode (σ, ᾱ_t, √, ⊙, Σ), give every shape,
  say what to return (float64 unless stated).
hints:
  - "{TODO}: a nudge"
  - "{TODO}: the method"
  - "{TODO}: nearly the answer"
starter: |
  import torch


  def {id}(x):
      """{TODO}: shapes of the inputs and of the result."""
      raise NotImplementedError
entry_point: {id}
signature: "{id}(x: Tensor) -> Tensor"
returns: tensor
cases:
  seed: 0
  random: 8
  dims: {{N: [1, 6]}}
  args:
    x: {{randn: [N]}}
  edge:
    - name: "{TODO}: a small case a student can check by hand"
      args:
        x: {{tensor: [1.0, -2.0]}}
mistakes:
  - id: first_mistake
    message: "{TODO}: name the misconception and teach the fix"
  - id: second_mistake
    message: "{TODO}: name the misconception and teach the fix"
'''

SYMBOLIC_SPEC = '''id: {id}
title: "{TODO}: a one-line title"
chapter: {chapter}
kind: symbolic
points: 5
statement: |
  {TODO}: the derivation to do, in Markdown, and which symbols to use (e.g. x, sigma_1 or \\sigma_1).
hints:
  - "{TODO}: a nudge"
  - "{TODO}: nearly the answer"
starter: |
  # {TODO}: what to write. Plain math (x^2, sqrt(x), log(x)) or LaTeX (\\frac{{a}}{{b}}).
  # Lines starting with # are ignored; write your answer below.
symbols:
  x: {{domain: real}}
mistakes:
  - id: first_mistake
    expr: "{TODO}"
    message: "{TODO}: name the misconception and teach the fix"
  - id: second_mistake
    expr: "{TODO}"
    message: "{TODO}: name the misconception and teach the fix"
'''

CODE_EXAMPLES = '''# Examples of {id}: submissions and the grade each must get, checked by `dlcheck validate`.
# Private, next to the reference: passing examples are solutions.
examples:
  # Graded by `dlcheck validate` like submissions. Prove the forms students write: correct ones
  # unlike the reference (status: pass), wrong ones (status: fail or error; `diagnosis: <mistake
  # id>` when a known mistake must be named, without it none may be); `message:` a fragment (or a
  # list of them) the result's message must contain.
  - name: "{TODO}: a correct solution written unlike the reference"
    status: pass
    code: |
      def {id}(x):
          return x  # {TODO}: a correct solution in another style
'''

SYMBOLIC_EXAMPLES = '''# Examples of {id}: submissions and the grade each must get, checked by `dlcheck validate`.
# Private, next to the reference: passing examples are solutions.
examples:
  # Graded by `dlcheck validate` like submissions. Prove the forms students write: correct ones
  # unlike the reference (status: pass), wrong ones (status: fail or error; `diagnosis: <mistake
  # id>` when a known mistake must be named, without it none may be); `message:` a fragment (or a
  # list of them) the result's message must contain.
  - name: "{TODO}: the answer in another form"
    status: pass
    answer: "{TODO}"
'''

REFERENCE = '''"""Reference for {id}: {TODO} cite the paper or the formula it follows."""

import torch


def {id}(x):
    raise NotImplementedError("{TODO}: the reference implementation")
'''

MISTAKES = '''"""Known mistakes for {id}: one function per mistake id, with the entry point's signature."""

import torch


def first_mistake(x):
    raise NotImplementedError("{TODO}: implement the first mistake")


def second_mistake(x):
    raise NotImplementedError("{TODO}: implement the second mistake")
'''


def scaffold(course: Course, exercise_id: str, kind: str, chapter: str) -> list[Path]:
    """Write the new exercise's files; returns their paths. Refuses to overwrite anything."""
    if not IDENTIFIER.match(exercise_id):
        raise UsageError(f"'{exercise_id}' is not a valid id: use lowercase letters, digits and underscores.")
    if chapter not in CHAPTERS:
        raise UsageError(f"Unknown chapter '{chapter}'. Chapters: {', '.join(CHAPTERS)}.")
    fields = {"id": exercise_id, "chapter": chapter, "TODO": TODO}
    files = {course.exercises_dir / f"{exercise_id}.yaml": (CODE_SPEC if kind == "code" else SYMBOLIC_SPEC)}
    if kind == "code":
        files[course.solutions_dir / f"{exercise_id}.py"] = REFERENCE
        files[course.solutions_dir / f"{exercise_id}_mistakes.py"] = MISTAKES
    else:
        files[course.solutions_dir / f"{exercise_id}.txt"] = f"{TODO}\n"
    files[course.solutions_dir / f"{exercise_id}_examples.yaml"] = CODE_EXAMPLES if kind == "code" else SYMBOLIC_EXAMPLES
    existing = [str(p) for p in files if p.exists()]
    if existing:
        raise UsageError(f"Not overwriting {', '.join(existing)}.")
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**fields), encoding="utf-8")
    return list(files)


def todos(spec) -> list[str]:
    """Dotted fields of a spec that still hold the scaffold's TODO marker."""
    from .spec import to_data

    found: list[str] = []

    def walk(value, path: str) -> None:
        if isinstance(value, str) and TODO in value:
            found.append(path)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(to_data(spec, drop=("source",)), "")
    return found
