"""Mutation analysis: the operators, stable ids, the equivalent/stale bookkeeping, the CLI, and the
catalog check CI runs for every exercise a change touches (see docs/mutants.md)."""

from __future__ import annotations

import ast
import importlib.util
import json
import textwrap

import msgspec
import pytest

from dlcheck.catalog import Course
from dlcheck.mutants import generate, target_functions
from dlcheck.mutation import TARGET, analyse, content_hash, mutation_grader
from dlcheck.spec import EquivalentMutant
from tests.conftest import FIXTURE_COURSE, REPO, run_cli


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REPORT_SCRIPT = _load_script("mutation_report")
RECORDED = REPORT_SCRIPT.load_record()
CODE_IDS = [spec.id for spec in Course(REPO).specs if spec.kind == "code"]


# ------------------------------------------------------------------ operators


def rewrites(body: str, operator: str) -> list[str]:
    """The changed line of every mutant `operator` makes of `def f(x, y): return <body>`."""
    source = f"import torch\n\n\ndef f(x, y):\n    return {body}  # the result\n"
    return [_changed_line(m.diff) for m in generate(source, "f") if m.operator == operator]


def _changed_line(diff: str) -> str:
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(added) == 1, diff
    return added[0].strip().removesuffix("# the result").strip()


@pytest.mark.parametrize("body, operator, expected", [
    ("x + y", "add_to_sub", ["return x - y"]),
    ("x - y", "sub_to_add", ["return x + y"]),
    ("x * y", "mul_to_div", ["return x / y"]),
    ("x / y", "div_to_mul", ["return x * y"]),
    ("x // y", "floordiv_to_div", ["return x / y"]),
    ("x ** 2", "pow_to_mul", ["return x * 2"]),
    ("x / y ** 2", "pow_to_mul", ["return x / (y * 2)"]),  # parenthesised where precedence needs it
    ("x @ y", "matmul_to_mul", ["return x * y"]),
    ("x < y", "lt_to_le", ["return x <= y"]),
    ("x >= y", "ge_to_gt", ["return x > y"]),
    ("x == y", "eq_to_ne", ["return x != y"]),
    ("0 < x <= y", "le_to_lt", ["return 0 < x < y"]),
    ("x and y", "and_to_or", ["return x or y"]),
    ("x + y", "drop_right_term", ["return x"]),
    ("x + y", "drop_left_term", ["return y"]),
    ("x - y", "drop_left_term", ["return -y"]),
    ("x - y * 2", "drop_left_term", ["return -(y * 2)"]),
    ("x * y", "drop_left_factor", ["return y"]),
    ("x / y", "drop_divisor", ["return x"]),
    ("x - y", "swap_operands", ["return y - x"]),
    ("(x - y) ** 2", "swap_operands", []),  # the sign cannot matter
    ("torch.abs(x - y)", "swap_operands", []),
    ("torch.matmul(x, y)", "swap_args", ["return torch.matmul(y, x)"]),
    ("torch.maximum(x, y)", "swap_args", []),  # symmetric
    ("x.transpose(-1, -2)", "swap_args", []),
    ("x[1:]", "int_plus_1", ["return x[2:]"]),
    ("x[-1]", "int_minus_1", ["return x[-2]"]),
    ("0 ** x", "int_minus_1", ["return (-1) ** x"]),
    ("x[:y]", "slice_upper_plus_1", ["return x[:y + 1]"]),
    ("x[y:]", "slice_lower_minus_1", ["return x[y - 1:]"]),
    ("x.sum(dim=-1)", "sum_to_mean", ["return x.mean(dim=-1)"]),
    ("torch.mean(x)", "mean_to_sum", ["return torch.sum(x)"]),
    ("x.sum(dim=-1)", "dim_to_0", ["return x.sum(dim=0)"]),
    ("x.sum(-1)", "dim_to_-2", ["return x.sum(-2)"]),
    ("torch.softmax(x, 1)", "dim_to_-1", ["return torch.softmax(x, -1)"]),
    ("torch.cat([x, y], dim=0)", "dim_to_1", ["return torch.cat([x, y], dim=1)"]),
    ("x.sum(dim=1, keepdim=True)", "keepdim_flip", ["return x.sum(dim=1, keepdim=False)"]),
    ("x.max(dim=0).values", "max_to_min", ["return x.min(dim=0).values"]),
    ("max(x, y)", "max_to_min", ["return min(x, y)"]),
    ("torch.exp(x)", "exp_to_log", ["return torch.log(x)"]),
    ("torch.exp(x)", "exp_to_expm1", ["return torch.expm1(x)"]),
    ("x.log()", "log_to_log1p", ["return x.log1p()"]),
    ("torch.log1p(x)", "log1p_to_log", ["return torch.log(x)"]),
    ("torch.softmax(x, dim=-1)", "softmax_to_log_softmax", ["return torch.log_softmax(x, dim=-1)"]),
    ("x.T @ y", "drop_transpose", ["return x @ y"]),
    ("x.transpose(0, 1)", "drop_transpose", ["return x"]),
    ("torch.transpose(x, 0, 1)", "drop_transpose", ["return x"]),
    ("x.mT", "drop_transpose", ["return x"]),
    ("torch.sqrt(x)", "drop_sqrt", ["return x"]),
    ("-x * y", "drop_neg", ["return x * y"]),
    ("not x", "drop_not", ["return x"]),
    ("x[~y]", "drop_invert", ["return x[y]"]),
])
def test_each_operator_makes_its_rewrite(body, operator, expected):
    assert rewrites(body, operator) == expected


def test_an_augmented_assignment_is_rewritten():
    source = "def f(x, y):\n    x += y\n    return x\n"
    assert [_changed_line(m.diff) for m in generate(source, "f") if m.operator == "add_to_sub"] == ["x -= y"]


def test_a_rewrite_that_changes_nothing_or_repeats_another_is_dropped():
    source = "def f(x):\n    return g(x, x) + x.sum(dim=0)\n"
    mutants = generate(source, "f")
    assert not [m for m in mutants if m.operator == "swap_args"]  # g(x, x) swapped is g(x, x)
    programs = [ast.dump(ast.parse(m.source)) for m in mutants]
    assert len(programs) == len(set(programs))
    # dim 0 → 1 is made once, by the dim operator, not again by int_plus_1 on the same constant
    assert [m.operator for m in mutants if "dim=1" in m.source] == ["dim_to_1"]


def test_only_the_entry_point_and_what_it_calls_are_mutated_never_the_case_generator():
    source = textwrap.dedent("""\
        def f(x):
            return helper(x) + 1

        def helper(x):
            return 2 * x

        def unused(x):
            return x - 1

        def make_cases(seed):
            return [helper(seed) + 3]

        def draw(seed):
            return helper(seed) - 4
        """)
    tree = ast.parse(source)
    assert [fn.name for fn in target_functions(tree, "f")] == ["f", "helper"]
    assert {m.function for m in generate(source, "f")} == {"f", "helper"}
    assert {m.function for m in generate(source, "draw", exclude=frozenset({"draw"}))} == set()
    with pytest.raises(ValueError, match="no function 'g'"):
        generate(source, "g")


def test_a_mutant_keeps_the_file_and_changes_one_line():
    source = '"""Doc."""\n\nimport torch\n\n\ndef f(x, y):\n    # why: the sum over the last axis\n' \
             '    s = x.sum(dim=-1)\n    return s * y\n'
    mutant = next(m for m in generate(source, "f") if m.operator == "sum_to_mean")
    assert mutant.source == source.replace("x.sum(dim=-1)", "x.mean(dim=-1)")
    assert mutant.line == 8
    assert mutant.id == "f:sum_to_mean:x.sum(dim=-1)#1"
    assert mutant.description == "`x.sum(dim=-1)` → `x.mean(dim=-1)`"
    assert "-    s = x.sum(dim=-1)\n+    s = x.mean(dim=-1)\n" in mutant.diff


def test_a_splice_that_does_not_give_the_intended_tree_falls_back_to_the_unparsed_module():
    from dlcheck import mutants

    source = "def f(x, y):\n    # gone in the fallback\n    return x + y\n"
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    node = tree.body[0].body[0].value
    src = mutants.Source(source)
    wrong_text = mutants.Edit(*src.span(node), ("x * y",))  # does not say what the replacement says
    change = mutants.Change("add_to_sub", ast.BinOp(node.left, ast.Sub(), node.right), (wrong_text,))
    mutant = mutants._realise(src, tree, parents, node, change, "f:add_to_sub:x + y#1", "f", "ref.py", set())
    assert mutant.source == "def f(x, y):\n    return x - y\n"


STABLE_BEFORE = textwrap.dedent("""\
    import torch


    def f(x, y, k=1):
        s = x.sum(dim=-1) + 1
        return s * y[:k] - torch.exp(y).T
    """)
# Unrelated edits: a docstring and comments, a new function, a statement added before, the same code
# spaced differently, and a line break inside an expression.
STABLE_AFTER = textwrap.dedent('''\
    """A module docstring that moves every line down."""

    import torch


    def g(z):
        return z + 1


    def f(x, y, k=1):
        # a comment
        scale = 3 * y
        s = x.sum( dim = -1 ) + 1
        return (s * y[:k]
                - torch.exp(y).T)
    ''')


def test_ids_survive_unrelated_edits():
    before = {m.id: m.description for m in generate(STABLE_BEFORE, "f")}
    after = {m.id: m.description for m in generate(STABLE_AFTER, "f")}
    assert len(before) > 20
    assert {i: after.get(i) for i in before} == before
    assert "f:int_plus_1:k=1#1" in before and "f:dim_to_0:x.sum(dim=-1)#1" in before


def test_identical_code_in_one_function_is_numbered_in_order():
    source = "def f(x, y):\n    a = x - y\n    b = x - y\n    return a * b\n"
    ids = [m.id for m in generate(source, "f") if m.operator == "sub_to_add"]
    assert ids == ["f:sub_to_add:x - y#1", "f:sub_to_add:x - y#2"]


@pytest.mark.parametrize("exercise_id", CODE_IDS)
def test_every_reference_of_the_catalog_gives_distinct_mutants_that_compile(course, exercise_id):
    spec = course.get(exercise_id)
    source = course.reference_path(spec).read_text(encoding="utf-8")
    original = ast.dump(ast.parse(source))
    mutants = generate(source, spec.entry_point)
    assert mutants
    assert len({m.id for m in mutants}) == len(mutants)
    for mutant in mutants:
        compile(mutant.source, "mutant.py", "exec")
        assert ast.dump(ast.parse(mutant.source)) != original, mutant.id
        assert mutant.function in {fn.name for fn in target_functions(ast.parse(source), spec.entry_point)}


# ------------------------------------------------------------------ killed, survived, equivalent

RELU_SPEC = """\
id: relu_mask
title: ReLU by a mask
chapter: ml-basics
kind: code
statement: Return `x * (x > 0)`.
hints: [Multiply by the mask of positive entries.]
starter: |
  def relu(x):
      raise NotImplementedError
entry_point: relu
signature: "relu(x: Tensor) -> Tensor"
returns: tensor
cases:
  random: 2
  dims: {N: [3, 6]}
  args:
    x: {randn: [N]}
  edge:
    - name: both sides of 0 and of ±1
      args:
        x: {tensor: [-2.0, -0.5, 0.0, 0.5, 2.0]}
"""
RELU_REFERENCE = "def relu(x):\n    return x * (x > 0)\n"
# x > 0 and x >= 0 differ only at 0, where both masks multiply 0: the one equivalent mutant.
EQUIVALENT = "relu:gt_to_ge:x > 0#1"


@pytest.fixture(scope="module")
def relu_course(tmp_path_factory) -> Course:
    root = tmp_path_factory.mktemp("relu_course")
    (root / "exercises").mkdir()
    (root / "solutions").mkdir()
    (root / "exercises" / "relu_mask.yaml").write_text(RELU_SPEC, encoding="utf-8")
    (root / "solutions" / "relu_mask.py").write_text(RELU_REFERENCE, encoding="utf-8")
    return Course(root)


@pytest.fixture(scope="module")
def relu_grader(relu_course):
    with mutation_grader(relu_course) as grader:
        yield grader


def _relu_analysis(course, grader, *equivalent: str):
    spec = course.get("relu_mask")
    entries = [EquivalentMutant(mutant=m, reason="see the test") for m in equivalent]
    return analyse(course, msgspec.structs.replace(spec, equivalent_mutants=entries), grader)


def test_a_mutant_the_cases_cannot_tell_apart_survives_and_fails_the_target(relu_course, relu_grader):
    report = _relu_analysis(relu_course, relu_grader)
    assert (report.mutants, report.killed, report.equivalent) == (6, 5, 0)
    assert [m.id for m in report.survived] == [EQUIVALENT]
    assert report.score == pytest.approx(5 / 6) and report.score < TARGET and not report.ok


def test_a_recorded_equivalent_mutant_is_not_scored(relu_course, relu_grader):
    report = _relu_analysis(relu_course, relu_grader, EQUIVALENT)
    assert (report.mutants, report.killed, report.equivalent, report.survived) == (6, 5, 1, [])
    assert report.score == 1.0 and report.ok


def test_an_equivalent_entry_that_matches_no_mutant_is_stale(relu_course, relu_grader):
    report = _relu_analysis(relu_course, relu_grader, EQUIVALENT, "relu:gt_to_ge:x > 1#1")
    assert report.stale_equivalent == ["relu:gt_to_ge:x > 1#1"]
    assert report.score == 1.0 and not report.ok


def test_an_equivalent_entry_for_a_mutant_the_cases_kill_fails(relu_course, relu_grader):
    report = _relu_analysis(relu_course, relu_grader, EQUIVALENT, "relu:drop_right_factor:x * (x > 0)#1")
    assert report.killed_equivalent == ["relu:drop_right_factor:x * (x > 0)#1"]
    assert report.equivalent == 2 and not report.ok


def test_symbolic_exercises_are_skipped(course, relu_grader):
    report = analyse(course, course.get("kl_gaussian_1d"), relu_grader)
    assert report.skipped and report.ok and report.score is None


# ------------------------------------------------------------------ the CLI


def _validate_mutants(tmp_path, course_root, exercise_id):
    done = run_cli("validate", "--mutants", exercise_id, "--format", "json", cwd=tmp_path,
                   env={"DLCHECK_COURSE": str(course_root), "XDG_CACHE_HOME": str(tmp_path / "cache")})
    return done.returncode, json.loads(done.stdout)


def test_validate_mutants_reports_a_fully_killed_exercise_as_json(tmp_path):
    code, report = _validate_mutants(tmp_path, FIXTURE_COURSE, "scaled_sum")
    entry = report["exercises"][0]
    assert code == 0 and report["ok"] and entry["ok"]
    assert entry["id"] == "scaled_sum" and all(c["ok"] for c in entry["checks"])
    assert entry["mutants"] >= 5 and entry["killed"] == entry["mutants"] and entry["equivalent"] == 0
    assert entry["score"] == 1.0 and entry["survived"] == [] and entry["stale_equivalent"] == []


def test_validate_mutants_fails_below_the_target_and_shows_each_survivor_as_a_diff(tmp_path, relu_course):
    code, report = _validate_mutants(tmp_path, relu_course.root, "relu_mask")
    entry = report["exercises"][0]
    assert code == 1 and not report["ok"] and not entry["ok"]
    assert all(c["ok"] for c in entry["checks"])  # the usual checks pass: only the mutants fail
    assert (entry["mutants"], entry["killed"], entry["score"]) == (6, 5, round(5 / 6, 4))
    (survivor,) = entry["survived"]
    assert survivor["id"] == EQUIVALENT
    assert survivor["description"] == "`x > 0` → `x >= 0`"
    assert "-    return x * (x > 0)\n+    return x * (x >= 0)\n" in survivor["diff"]


# ------------------------------------------------------------------ the catalog (what CI runs)


@pytest.fixture(scope="module")
def catalog_grader(course):
    with mutation_grader(course) as grader:
        grader.warm_up()
        yield grader


@pytest.mark.parametrize("exercise_id", CODE_IDS)
def test_a_changed_exercise_kills_its_mutants(course, exercise_id, request):
    """Runs the real analysis for every exercise whose files differ from what docs/mutants.json
    recorded (the exercises a change touches); record the new result with scripts/mutation_report.py."""
    spec = course.get(exercise_id)
    recorded = RECORDED.get(exercise_id)
    if recorded is not None and recorded["hash"] == content_hash(course, spec):
        pytest.skip(f"unchanged since docs/mutants.json recorded it ({recorded['score']:.1%})")
    report = analyse(course, spec, request.getfixturevalue("catalog_grader"))
    problems = [f"could not run: {report.problem}"] if report.problem else []
    problems += [f"survived {m.id}: {m.description}\n{m.diff}" for m in report.survived]
    problems += [f"stale equivalent_mutants entry: {m}" for m in report.stale_equivalent]
    problems += [f"listed as equivalent, yet killed: {m}" for m in report.killed_equivalent]
    assert report.ok, f"mutation score {report.score or 0:.1%} (target {TARGET:.0%}):\n" + "\n".join(problems)


def test_the_record_names_only_code_exercises_of_the_catalog():
    assert set(RECORDED) <= set(CODE_IDS)
    assert json.loads((REPO / "docs" / "mutants.json").read_text(encoding="utf-8"))["target"] == TARGET


def test_the_report_in_docs_is_generated_from_the_record():
    text = REPORT_SCRIPT.REPORT.read_text(encoding="utf-8")
    generated = text[text.index(REPORT_SCRIPT.MARKER) + len(REPORT_SCRIPT.MARKER) + 1:]
    assert generated == REPORT_SCRIPT.render_report([RECORDED[i] for i in CODE_IDS if i in RECORDED]), \
        "docs/mutants.md is out of date: run python scripts/mutation_report.py --changed"
