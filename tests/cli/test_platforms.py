"""Every platform's format through the real CLI on real files (the fixture course and submissions),
each checked against the platform's published schema or a parser the platform uses, not only by
strings: JUnit with junitparser and the Jenkins XSD (xmlschema); Gradescope, Exercism, PrairieLearn
and GitHub Classroom with JSON Schemas in tests/fixtures/schemas (each says where it comes from).

The runs share a DLCHECK_SECRET, so the hidden cases are the same in every run: a platform's
document can be compared with the JSON document of another run of the same workspace.
"""

from __future__ import annotations

import copy
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped

from dlcheck.platforms import render
from tests.conftest import FIXTURE_COURSE, REPO, run_cli

SUBMISSIONS = Path(__file__).resolve().parent.parent / "fixtures" / "submissions"
SCHEMAS = Path(__file__).resolve().parent.parent / "fixtures" / "schemas"
SECRET = "platform-tests"
ASSIGNMENT = """\
name: Week 1
due: 2026-03-01T23:59:00+01:00
visibility: {visibility}
exercises:
  - scaled_sum            # 5 points; a diagnosed fail
  - id: halve
    points: 6             # a pass
  - square_grad           # no file: missing
"""
CLASS = {"scaled_sum": "scaled_sum_mean", "halve": "halve_numpy_int"}


def environment(root: Path) -> dict:
    return {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(root / "ws"), "COLUMNS": "120",
            "XDG_CACHE_HOME": str(root / "cache"), "DLCHECK_SECRET": SECRET}


def workspace(root: Path, files: dict[str, str]) -> None:
    (root / "ws").mkdir(exist_ok=True)
    for exercise_id, submission in files.items():
        shutil.copy(SUBMISSIONS / f"{submission}.py", root / "ws" / f"{exercise_id}.py")


def assignment(root: Path, visibility: str) -> Path:
    path = root / f"week1-{visibility}.yaml"
    path.write_text(ASSIGNMENT.format(visibility=visibility))
    return path


def grade(root: Path, fmt: str, *args: str, exit_code: int) -> str:
    """The document `dlcheck grade ... --format FMT --output FILE` wrote, after checking the exit code."""
    out = root / f"result-{fmt}"
    done = run_cli("grade", *args, "--format", fmt, "--output", str(out), cwd=root, env=environment(root))
    assert done.returncode == exit_code, (done.returncode, done.stdout, done.stderr[-2000:])
    assert done.stdout.startswith(f"Wrote the {fmt} result of "), done.stdout
    return out.read_text(encoding="utf-8")


def schema(name: str) -> jsonschema.Draft202012Validator:
    loaded = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded)


GRADESCOPE = schema("gradescope-results.schema.json")
EXERCISM = schema("exercism-results-v3.schema.json")
PRAIRIELEARN = schema("prairielearn-results.schema.json")
CLASSROOM = schema("github-classroom-runner.schema.json")
JUNIT_XSD = xmlschema.XMLSchema(SCHEMAS / "junit-10.xsd")


def valid(validator: jsonschema.Draft202012Validator, text: str) -> dict:
    document = json.loads(text)
    validator.validate(document)
    return document


def junit(text: str) -> JUnitXml:
    """The report, valid against the Jenkins XSD, as junitparser reads it. junit-10.xsd predates the
    `file` attribute of testcase that GitLab and the GitHub reporters read; it is validated with that
    one attribute taken out, and everything else as written."""
    root = ET.fromstring(text)
    for case in root.iter("testcase"):
        case.attrib.pop("file", None)
    JUNIT_XSD.validate(ET.tostring(root, encoding="unicode"))
    report = JUnitXml.fromstring(text.encode("utf-8"))
    for suite in report:
        counts = (suite.tests, suite.failures, suite.errors, suite.skipped)
        suite.update_statistics()  # junitparser counts the cases itself: the attributes must agree
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == counts, suite.name
    return report


def outcomes(case) -> list:
    return [r for r in case.result if isinstance(r, (Failure, Error, Skipped))]


@pytest.fixture(scope="module")
def week1(tmp_path_factory):
    """The class workspace (a diagnosed fail, a pass, a missing file) and its JSON document."""
    root = tmp_path_factory.mktemp("week1")
    workspace(root, CLASS)
    document = json.loads(grade(root, "json", "--assignment", str(assignment(root, "public")), exit_code=1))
    assert [r["status"] for r in document["results"]] == ["fail", "pass", "missing"]
    assert document["results"][0]["diagnosis"]["id"] == "mean_instead_of_sum"
    assert any(t["hidden"] for t in document["results"][0]["tests"])
    return root, document


# ------------------------------------------------------------ Gradescope


@pytest.mark.parametrize("visibility, shown", [("public", "visible"), ("hidden", "hidden"),
                                               ("after_due_date", "after_due_date")])
def test_gradescope_gives_hidden_cases_their_own_test_with_the_assignments_visibility(week1, visibility, shown):
    root, document = week1
    report = valid(GRADESCOPE, grade(root, "gradescope", "--assignment", str(assignment(root, visibility)),
                                     exit_code=1))
    tests = {t["name"]: t for t in report["tests"]}
    assert list(tests) == ["scaled_sum: public cases", "scaled_sum: hidden cases", "halve: public cases",
                           "halve: hidden cases", "square_grad"]
    assert {name: t["visibility"] for name, t in tests.items()} == {
        "scaled_sum: public cases": "visible", "scaled_sum: hidden cases": shown, "halve: public cases": "visible",
        "halve: hidden cases": shown, "square_grad": "visible"}
    results = {r["exercise"]: r for r in document["results"]}
    for exercise in ("scaled_sum", "halve"):  # the two parts add up to the exercise, to the cent
        public, hidden = tests[f"{exercise}: public cases"], tests[f"{exercise}: hidden cases"]
        assert round(public["score"] + hidden["score"], 2) == results[exercise]["score"]
        assert round(public["max_score"] + hidden["max_score"], 2) == results[exercise]["max_score"]
        cases = results[exercise]["tests"]
        assert hidden["status"] == ("passed" if all(t["status"] == "pass" for t in cases if t["hidden"]) else "failed")
        assert public["status"] == ("passed" if all(t["status"] == "pass" for t in cases if not t["hidden"])
                                    else "failed")
        assert all(t["name"] in hidden["output"] for t in cases if t["hidden"])
        assert not any(t["name"] in public["output"] for t in cases if t["hidden"])
        for leak in ("expected", "got:", "inputs", "tensor("):  # a hidden case's values are never shown
            assert leak not in hidden["output"], hidden["output"]
    assert (tests["square_grad"]["score"], tests["square_grad"]["max_score"], tests["square_grad"]["status"]) \
        == (0.0, 4.0, "failed")
    assert "No submission" in tests["square_grad"]["output"]
    assert report["score"] == document["totals"]["score"] == round(sum(t["score"] for t in report["tests"]), 2)
    assert all(t["output_format"] == "md" for t in report["tests"]) and report["execution_time"] > 0
    diagnosed = tests["scaled_sum: public cases"]["output"]
    assert "mean\\_instead\\_of\\_sum" in diagnosed and "First failing case" in diagnosed
    if visibility == "public":
        assert "1 of 3 exercises pass" in report["output"] and "on all 9 cases" in diagnosed
    else:  # nothing shown tells how the hidden cases fared: no pass count, no case count of the diagnosis
        assert "exercises pass" not in report["output"] and "hidden cases' results" in report["output"]
        assert "9 cases" not in diagnosed and "hidden" not in diagnosed.lower()


def test_gradescope_execution_time_is_the_sum_of_the_results_seconds(week1):
    _, document = week1
    report = json.loads(render("gradescope", document))
    assert report["execution_time"] == round(sum(r["seconds"] for r in document["results"]), 3)


def test_gradescope_markdown_keeps_student_text_in_code_blocks(week1):
    """A message holding backticks cannot close the block it is shown in."""
    _, document = week1
    hostile = copy.deepcopy(document)
    hostile["results"][0]["failure"]["got"] = "```\n# PASS\n```"
    output = json.loads(render("gradescope", hostile))["tests"][0]["output"]
    assert "````text\ncase:" in output and "\n````" in output


# ------------------------------------------------------------ JUnit


def test_junit_has_a_suite_per_exercise_and_keeps_failures_errors_and_skips_apart(week1):
    root, document = week1
    report = junit(grade(root, "junit", "--assignment", str(assignment(root, "public")), exit_code=1))
    suites = {suite.name: suite for suite in report}
    assert list(suites) == ["scaled_sum", "halve", "square_grad"]
    scaled_sum = document["results"][0]
    cases = list(suites["scaled_sum"])
    assert [c.name for c in cases] == [t["name"] for t in scaled_sum["tests"]]
    assert all(c.classname == "dlcheck.scaled_sum" for c in cases)
    assert all(c.time >= 0 for c in cases)  # this run's times; the mapping, on the JSON document's own:
    timed = list(next(iter(junit(render("junit", document)))))
    assert [c.time for c in timed] == [round(t["seconds"], 3) for t in scaled_sum["tests"]]
    failed = [c for c in cases if outcomes(c)]
    assert [c.name for c in failed] == [t["name"] for t in scaled_sum["tests"] if t["status"] == "fail"]
    for case, test in zip(failed, [t for t in scaled_sum["tests"] if t["status"] == "fail"]):
        (failure,) = outcomes(case)
        assert isinstance(failure, Failure) and failure.type == "mistake:mean_instead_of_sum"
        assert failure.message == test["message"] and failure.text.startswith(test["message"])
    first = outcomes(failed[0])[0].text
    assert "Matches a known mistake: mean_instead_of_sum" in first and "expected:" in first
    assert suites["halve"].failures == suites["halve"].errors == 0 and suites["halve"].tests == 6
    (missing,) = list(suites["square_grad"])
    (nothing,) = outcomes(missing)
    assert missing.name == "submission" and isinstance(nothing, Failure) and nothing.type == "missing"
    assert "No submission" in nothing.message == nothing.text
    files = {case.get("file") for case in ET.fromstring(root.joinpath("result-junit").read_text()).iter("testcase")}
    assert files == {"ws/scaled_sum.py", "ws/halve.py", None}  # the missing exercise has no file


def test_junit_errors_skips_and_a_pass(tmp_path):
    workspace(tmp_path, {"scaled_sum": "scaled_sum_os_exit"})
    stopped = junit(grade(tmp_path, "junit", "scaled_sum", exit_code=1))
    (suite,) = list(stopped)
    kinds = [type(outcomes(c)[0]).__name__ if outcomes(c) else "pass" for c in suite]
    assert kinds[0] == "Error" and set(kinds[1:]) == {"Skipped"}, kinds  # the worker died on the first case
    assert (suite.errors, suite.skipped, suite.failures) == (1, len(kinds) - 1, 0)
    workspace(tmp_path, {"scaled_sum": "scaled_sum_syntax_error"})
    (syntax,) = list(junit(grade(tmp_path, "junit", "scaled_sum", exit_code=1)))
    (case,) = list(syntax)
    assert case.name == "syntax" and isinstance(outcomes(case)[0], Error)
    assert "Syntax error" in outcomes(case)[0].message
    workspace(tmp_path, {"scaled_sum": "scaled_sum_ok"})
    (passed,) = list(junit(grade(tmp_path, "junit", "scaled_sum", exit_code=0)))
    assert passed.tests == 9 and passed.failures == passed.errors == passed.skipped == 0


# ------------------------------------------------------------ Exercism


def test_exercism_lists_the_cases_in_the_order_they_run_and_exits_0(tmp_path):
    workspace(tmp_path, {"scaled_sum": "scaled_sum_mean"})
    document = json.loads(grade(tmp_path, "json", "scaled_sum", exit_code=1))
    report = valid(EXERCISM, grade(tmp_path, "exercism", "scaled_sum", exit_code=0))
    assert report["status"] == "fail" and "message" not in report
    assert [(t["name"], t["status"]) for t in report["tests"]] == [(t["name"], t["status"]) for t in document["tests"]]
    first = next(t for t in report["tests"] if t["status"] != "pass")
    assert first["name"] == document["failure"]["case"]
    assert "Matches a known mistake: mean_instead_of_sum" in first["message"] and "expected:" in first["message"]
    code = first["test_code"].splitlines()
    assert code[0] == "scaled_sum(" and code[1].startswith("    x=tensor(") and code[-1] == ")", code
    assert first["test_code"] == document["failure"]["call"]
    hidden = [t for t in report["tests"] if t["name"].startswith("hidden")]
    assert hidden and all("expected" not in (t.get("message") or "") for t in hidden)


def test_exercism_status_error_when_no_case_ran(tmp_path):
    workspace(tmp_path, {"scaled_sum": "scaled_sum_syntax_error"})
    report = valid(EXERCISM, grade(tmp_path, "exercism", "scaled_sum", exit_code=0))
    assert report["status"] == "error" and "tests" not in report
    assert report["message"].startswith("Syntax error in ws/scaled_sum.py, line 1")


def test_exercism_output_is_cut_to_500_characters_and_a_printed_pass_is_not_one(tmp_path):
    workspace(tmp_path, {"scaled_sum": "scaled_sum_prints_fake_pass"})
    report = valid(EXERCISM, grade(tmp_path, "exercism", "scaled_sum", exit_code=0))
    assert report["status"] == "fail"
    (printed,) = [t["output"] for t in report["tests"] if "output" in t]
    assert len(printed) == 500 and printed.endswith("Output was truncated. Please limit to 500 chars")
    assert printed.startswith('{"exercise": "scaled_sum", "status": "pass"')  # what it printed, as printed


def test_exercism_skipped_cases_are_errors_saying_not_run(tmp_path):
    workspace(tmp_path, {"scaled_sum": "scaled_sum_os_exit"})
    report = valid(EXERCISM, grade(tmp_path, "exercism", "scaled_sum", exit_code=0))
    assert report["status"] == "fail" and report["tests"][0]["status"] == "error"
    assert all(t["status"] == "error" and t["message"] == "not run" for t in report["tests"][1:])


# ------------------------------------------------------------ PrairieLearn


def test_prairielearn_scores_in_0_1_with_every_case_and_exits_0(tmp_path):
    workspace(tmp_path, {"scaled_sum": "scaled_sum_mean"})
    document = json.loads(grade(tmp_path, "json", "scaled_sum", exit_code=1))
    report = valid(PRAIRIELEARN, grade(tmp_path, "prairielearn", "scaled_sum", exit_code=0))
    assert report["gradable"] is True and report["score"] == round(document["score"] / 5, 4)
    assert [(t["name"], t["points"], t["max_points"]) for t in report["tests"]] == \
        [(t["name"], t["points"], t["max_points"]) for t in document["tests"]]
    first = next(t for t in report["tests"] if t["points"] < t["max_points"])
    assert "mean_instead_of_sum" in first["output"] and "expected:" in first["output"]
    workspace(tmp_path, {"scaled_sum": "scaled_sum_ok"})
    passed = valid(PRAIRIELEARN, grade(tmp_path, "prairielearn", "scaled_sum", exit_code=0))
    assert passed["score"] == 1.0 and all(t["points"] == t["max_points"] for t in passed["tests"])


@pytest.mark.parametrize("submission, says", [("scaled_sum_syntax_error", "Syntax error in ws/scaled_sum.py"),
                                              ("scaled_sum_wrong_name", "has no function named 'scaled_sum'")])
def test_prairielearn_does_not_count_a_syntax_error_or_a_missing_function(tmp_path, submission, says):
    workspace(tmp_path, {"scaled_sum": submission})
    report = valid(PRAIRIELEARN, grade(tmp_path, "prairielearn", "scaled_sum", exit_code=0))
    assert report["gradable"] is False and "score" not in report and "tests" not in report
    (error,) = report["format_errors"]
    assert error.startswith("scaled_sum: ") and says in error


def test_prairielearn_grades_code_that_raises_and_refuses_a_missing_file(week1, tmp_path):
    workspace(tmp_path, {"scaled_sum": "scaled_sum_raises"})
    raised = valid(PRAIRIELEARN, grade(tmp_path, "prairielearn", "scaled_sum", exit_code=0))
    assert raised["gradable"] is True and raised["score"] == 0.0 and len(raised["tests"]) == 9
    root, _ = week1
    missing = valid(PRAIRIELEARN, grade(root, "prairielearn", "--assignment", str(assignment(root, "public")),
                                        exit_code=0))
    assert missing["gradable"] is False  # "the input was missing": PrairieLearn's own words for not gradable
    (error,) = missing["format_errors"]
    assert error.startswith("square_grad: No submission")


# ------------------------------------------------------------ GitHub Classroom


def test_github_classroom_gives_each_exercise_its_partial_score(week1):
    root, document = week1
    report = valid(CLASSROOM, grade(root, "github-classroom", "--assignment", str(assignment(root, "public")),
                                    exit_code=1))
    assert report["status"] == "fail" and report["max_score"] == document["totals"]["max_score"] == 15.0
    assert [(t["status"], t["score"]) for t in report["tests"]] == [("fail", document["results"][0]["score"]),
                                                                    ("pass", 6.0), ("fail", 0.0)]
    assert report["tests"][0]["name"] == f"scaled_sum ({document['results'][0]['score']:g}/5)"
    # What the reporter adds up for Classroom's grade (notify-classroom.js): every test's score.
    assert round(sum(t["score"] for t in report["tests"]), 2) == document["totals"]["score"]
    assert "mean_instead_of_sum" in report["tests"][0]["message"]


def test_github_classroom_one_exercise_is_one_test_per_case(tmp_path):
    workspace(tmp_path, {"scaled_sum": "scaled_sum_raises"})
    report = valid(CLASSROOM, grade(tmp_path, "github-classroom", "scaled_sum", exit_code=1))
    assert report["status"] == "fail" and report["max_score"] == 5.0 and len(report["tests"]) == 9
    assert {t["status"] for t in report["tests"]} == {"error"}
    assert report["tests"][0]["line_no"] > 0 and report["tests"][0]["filename"] == "ws/scaled_sum.py"
    workspace(tmp_path, {"scaled_sum": "scaled_sum_ok"})
    passed = valid(CLASSROOM, grade(tmp_path, "github-classroom", "scaled_sum", exit_code=0))
    assert passed["status"] == "pass" and round(sum(t["score"] for t in passed["tests"]), 2) == 5.0


# ------------------------------------------------------------ every format


def test_a_weak_sandbox_is_said_in_every_format_that_has_room_for_it(week1):
    """--allow-weak-sandbox results say "trusted": false; every platform document says so too."""
    _, document = week1
    weak = copy.deepcopy(document)
    for result in weak["results"]:
        result["sandbox"]["trusted"] = result["status"] == "missing"  # a missing file ran nothing
    said = "graded with --allow-weak-sandbox"
    assert said in json.loads(render("gradescope", weak))["output"]
    assert said in json.loads(render("prairielearn", weak))["message"]
    assert said in json.loads(render("github-classroom", weak))["tests"][0]["message"]
    assert said in render("junit", weak) and said not in render("junit", document)


def test_output_is_written_whole_and_a_usage_error_leaves_it_alone(tmp_path):
    workspace(tmp_path, {"scaled_sum": "scaled_sum_ok"})
    out = tmp_path / "result-exercism"
    out.write_text("old")
    valid(EXERCISM, grade(tmp_path, "exercism", "scaled_sum", exit_code=0))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".result")) == []  # no temporary left
    before = out.read_text()
    assert before != "old" and json.loads(before)["version"] == 3  # replaced whole
    done = run_cli("grade", "no_such_exercise", "--format", "exercism", "--output", str(out), cwd=tmp_path,
                   env=environment(tmp_path))
    assert done.returncode == 2 and out.read_text() == before  # a usage error is not a run: exit 2, nothing written
    done = run_cli("grade", "scaled_sum", "--format", "junit", "--output", str(tmp_path), cwd=tmp_path,
                   env=environment(tmp_path))
    assert done.returncode == 2 and "is a directory" in done.stderr


def test_a_diagnosed_symbolic_answer_in_every_format(tmp_path):
    """The real course's symbolic exercise: one `equivalence` test, how the answer was read, the mistake."""
    answer = r"\frac{1}{\sqrt{\alpha_t}}\left(x_t - \frac{1-\alpha_t}{\sqrt{1-\alpha_t}}\epsilon\right)"
    env = {**environment(tmp_path), "DLCHECK_COURSE": str(REPO)}
    done = run_cli("grade", "ddpm_posterior_mean", "--answer", answer, "--format", "json", cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert document["diagnosis"]["id"] == "sqrt_one_minus_alpha" and document["read_as"]
    gradescope = valid(GRADESCOPE, render("gradescope", document))
    (only,) = gradescope["tests"]
    assert only["name"] == "ddpm_posterior_mean" and only["status"] == "failed" and only["visibility"] == "visible"
    assert "I read your answer as" in only["output"] and "sqrt\\_one\\_minus\\_alpha" in only["output"]
    exercism = valid(EXERCISM, render("exercism", document))
    assert [t["name"] for t in exercism["tests"]] == ["equivalence"] and exercism["status"] == "fail"
    assert "I read your answer as" in exercism["tests"][0]["message"]
    prairielearn = valid(PRAIRIELEARN, render("prairielearn", document))
    assert prairielearn["gradable"] is True and prairielearn["score"] == 0.0
    assert "sqrt_one_minus_alpha" in prairielearn["tests"][0]["output"]
    classroom = valid(CLASSROOM, render("github-classroom", document))
    assert classroom["tests"][0]["status"] == "fail" and "sqrt_one_minus_alpha" in classroom["tests"][0]["message"]
    (suite,) = list(junit(render("junit", document)))
    (case,) = list(suite)
    assert outcomes(case)[0].type == "mistake:sqrt_one_minus_alpha" and "I read your answer as" in outcomes(case)[0].text


def test_control_characters_a_submission_prints_or_raises_stay_visible_escapes(tmp_path):
    """A fake PASS header drawn with ANSI escapes and a bidi override: XML 1.0 cannot hold them
    raw, and no platform should render them; they arrive as visible text (\\x1b, \\u202e)."""
    workspace(tmp_path, {"scaled_sum": "scaled_sum_ansi"})
    text = grade(tmp_path, "junit", "scaled_sum", exit_code=1)
    (suite,) = list(junit(text))
    assert "\x1b" not in text and "\u202e" not in text and "\\x1b[2J" in text and "\\u202e" in text
    printed = ET.fromstring(text).find("testsuite/system-out").text
    assert "\\x1b[32m✓ scaled_sum: PASS" in printed and suite.failures + suite.errors == suite.tests
    exercism = valid(EXERCISM, grade(tmp_path, "exercism", "scaled_sum", exit_code=0))
    assert exercism["status"] == "fail" and "\x1b" not in json.dumps(exercism, ensure_ascii=False)


@pytest.mark.parametrize("visibility", ["hidden", "after_due_date"])
def test_gradescope_shows_nothing_of_withheld_hidden_cases_that_alone_fail(tmp_path, visibility):
    """Hard-coded public values: every public case passes, the hidden ones fail. While they are
    withheld, what students see is the public cases' own verdict: a pass, with nothing printed."""
    workspace(tmp_path, {"halve": "halve_hardcoded"})
    path = tmp_path / "halve.yaml"
    path.write_text(f"due: 2026-03-01T23:59:00+01:00\nvisibility: {visibility}\nexercises: [halve]\n")
    report = valid(GRADESCOPE, grade(tmp_path, "gradescope", "--assignment", str(path), exit_code=1))
    public, hidden = report["tests"]
    assert (public["name"], public["status"], public["score"], public["visibility"]) == \
        ("halve: public cases", "passed", public["max_score"], "visible")
    assert (hidden["status"], hidden["score"], hidden["visibility"]) == ("failed", 0.0, visibility)
    assert "printed" not in public["output"] and "halve(7)" not in public["output"]
    assert "hidden" not in public["output"].lower() and "exercises pass" not in report["output"]
    assert "Every public case passes, but a hidden one does not" in hidden["output"]
