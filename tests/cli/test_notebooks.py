"""Notebooks: `dlcheck grade ID --file homework.ipynb` through the real CLI, and `dlcheck.check(ID)`
in a real Jupyter kernel (nbclient) on the fixture course.

The notebooks are built with nbformat, as Jupyter writes them. The grading process never runs a
notebook: its top-level code (a training loop) must leave no trace, whatever is graded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from tests.conftest import FIXTURE_COURSE, REPO, run_cli

CORRECT = "def scaled_sum(x, alpha):\n    return alpha * x.sum(dim=-1)\n"
MEAN_MISTAKE = "def scaled_sum(x, alpha):\n    return alpha * x.mean(dim=-1)\n"


@pytest.fixture
def env(tmp_path):
    return {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(tmp_path / "ws"),
            "COLUMNS": "120", "XDG_CACHE_HOME": str(tmp_path / "cache")}


def tagged(source: str, *exercise_ids: str, kind=new_code_cell):
    return kind(source, metadata={"tags": [f"dlcheck:{e}" for e in exercise_ids]})


def write_notebook(tmp_path: Path, *cells, name: str = "homework.ipynb") -> Path:
    path = tmp_path / name
    nbformat.write(new_notebook(cells=list(cells)), path)
    return path


def grade(tmp_path, env, exercise_id, *options):
    return run_cli("grade", exercise_id, "--file", "homework.ipynb", *options, cwd=tmp_path, env=env)


def training_loop(flag: Path) -> str:
    """Top-level code that leaves a file behind if anything runs it, and then fails loudly."""
    return (f"for epoch in range(3):\n    with open({str(flag)!r}, 'a') as log:\n        log.write('trained')\n"
            f"raise RuntimeError('the top-level training loop ran')\n")


# ------------------------------------------------------------------ tagged cells

def test_tagged_cells_are_the_submission_and_nothing_else_is(tmp_path, env):
    flag = tmp_path / "trained.log"
    write_notebook(tmp_path,
                   new_markdown_cell("# Week 1"),
                   new_code_cell(MEAN_MISTAKE),  # an untagged first try: not graded when cells are tagged
                   tagged("%matplotlib inline\nimport torch\n", "scaled_sum"),
                   new_code_cell(training_loop(flag)),
                   tagged(CORRECT, "scaled_sum", "halve"))
    done = grade(tmp_path, env, "scaled_sum", "--format", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert report["status"] == "pass" and report["submission"] == "homework.ipynb"
    assert not flag.exists()


def test_a_syntax_error_in_a_tagged_cell_names_the_cell_and_its_line(tmp_path, env):
    write_notebook(tmp_path,
                   new_markdown_cell("Exercise"),
                   tagged("import torch\n", "scaled_sum"),
                   tagged("def scaled_sum(x, alpha):\n    return alpha * (x.sum(dim=-1)\n", "scaled_sum"),
                   tagged("def later(): pass\n", "scaled_sum"))
    done = grade(tmp_path, env, "scaled_sum")
    assert done.returncode == 1
    assert "Syntax error in homework.ipynb, cell 3, line 2" in done.stdout, done.stdout
    assert "'(' was never closed" in done.stdout


def test_a_symbolic_answer_is_the_text_of_its_tagged_markdown_cell(tmp_path, env):
    real_course = {**env, "DLCHECK_COURSE": str(REPO)}
    write_notebook(tmp_path,
                   new_markdown_cell("The optimal discriminator, derived by hand: …"),
                   tagged("$$\n\\frac{p_d}{p_d + p_m}\n$$", "gan_optimal_discriminator", kind=new_markdown_cell))
    done = grade(tmp_path, real_course, "gan_optimal_discriminator")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS" in done.stdout and "proved equal symbolically" in done.stdout
    write_notebook(tmp_path, new_raw_cell("p_d / (p_d + p_m)"))  # a raw cell, but untagged
    untagged = grade(tmp_path, real_course, "gan_optimal_discriminator", "--format", "json")
    report = json.loads(untagged.stdout)
    assert untagged.returncode == 1 and report["status"] == "error"
    assert "no markdown or raw cell tagged dlcheck:gan_optimal_discriminator" in report["message"]


# ------------------------------------------------------------------ untagged: imports and definitions only

def test_untagged_takes_imports_and_definitions_and_runs_no_top_level_code(tmp_path, env):
    flag = tmp_path / "trained.log"
    write_notebook(tmp_path,
                   new_code_cell("!pip install torch\n%matplotlib inline\nimport torch"),
                   new_code_cell("def traced(function):\n    return function\n"),
                   new_code_cell(training_loop(flag)),
                   new_code_cell("%%time\nraise RuntimeError('a cell magic ran')\n"),
                   new_code_cell("this cell is notes, not Python"),
                   new_code_cell("x = torch.ones(3); import math; print('top level ran')\n"
                                 "@traced\ndef scaled_sum(x, alpha):\n"
                                 "    %time total = x.sum(dim=-1)\n"
                                 "    return alpha * x.sum(dim=-1)\n"
                                 "scaled_sum(x, 2.0)\n"))
    done = grade(tmp_path, env, "scaled_sum")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS" in done.stdout
    assert "ran" not in done.stdout and not flag.exists()


def test_untagged_ignores_cells_tagged_for_another_exercise(tmp_path, env):
    write_notebook(tmp_path,
                   new_code_cell(CORRECT),
                   tagged("def scaled_sum(x, alpha):\n    raise ValueError('the other exercise')\n", "halve"))
    done = grade(tmp_path, env, "scaled_sum", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_report_names_the_cell_and_the_line_of_a_traceback(tmp_path, env):
    write_notebook(tmp_path,
                   new_markdown_cell("# Homework"),
                   new_code_cell("import torch\n\nhistory = []\n"),
                   new_code_cell("def scaled_sum(x, alpha):\n    total = x.sum(dim=-1)\n    return alpha * total[99]\n"))
    text = grade(tmp_path, env, "scaled_sum")
    assert text.returncode == 1
    assert "homework.ipynb, cell 3, line 3, in scaled_sum" in text.stdout, text.stdout
    assert "return alpha * total[99]" in text.stdout
    report = json.loads(grade(tmp_path, env, "scaled_sum", "--format", "json").stdout)
    frame = report["failure"]["error"]["frames"][-1]
    assert (frame["cell"], frame["line"], frame["function"]) == ("cell 3", 3, "scaled_sum")


def test_a_broken_rule_names_the_cell_and_the_line(tmp_path, env):
    write_notebook(tmp_path,
                   new_code_cell("import torch"),
                   new_code_cell("from torch.autograd import grad\n\ndef square_grad(x):\n"
                                 "    x = x.clone().requires_grad_(True)\n    return grad((x ** 2).sum(), x)[0]\n"))
    report = json.loads(grade(tmp_path, env, "square_grad", "--format", "json").stdout)
    assert report["status"] == "fail"
    assert "Rule 'no_autograd' broken: homework.ipynb (cell 2, line 5) calls torch.autograd.grad" in report["message"]


def test_a_function_missing_from_the_notebook_names_the_cells_left_out(tmp_path, env):
    write_notebook(tmp_path,
                   new_code_cell("import torch"),
                   new_code_cell("def scaled_sum(x, alpha)\n    return alpha * x.sum(dim=-1)\n"))
    report = json.loads(grade(tmp_path, env, "scaled_sum", "--format", "json").stdout)
    assert report["status"] == "error"
    assert "has no function named 'scaled_sum'" in report["message"]
    assert "Left out of homework.ipynb because they are not valid Python: cell 2 (line 1: expected ':')" \
        in report["message"], report["message"]


# ------------------------------------------------------------------ files that are not notebooks

@pytest.mark.parametrize("content, problem", [
    ('{"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "code", "sou',
     "homework.ipynb is not a valid Jupyter notebook (NotJSONError"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "x", '
     '"metadata": {"tags": "dlcheck:scaled_sum"}, "outputs": [], "execution_count": null}]}',
     "homework.ipynb, cell 1: metadata.tags is not a list of strings"),
])
def test_a_malformed_notebook_is_an_error_naming_the_file(tmp_path, env, content, problem):
    (tmp_path / "homework.ipynb").write_text(content)
    done = grade(tmp_path, env, "scaled_sum", "--format", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["status"] == "error"
    assert report["message"].startswith(problem), report["message"]


def test_import_dlcheck_stays_light(tmp_path):
    probe = ("import sys, dlcheck\n"
             "print(sorted(m for m in ('torch', 'sympy', 'numpy', 'nbformat', 'IPython', 'dlcheck.jupyter',"
             " 'dlcheck.grading') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    outside = subprocess.run([sys.executable, "-c", "import dlcheck; dlcheck.check('scaled_sum')"], cwd=tmp_path,
                             capture_output=True, text=True, env={**__import__("os").environ,
                                                                   "DLCHECK_COURSE": str(FIXTURE_COURSE)})
    assert outside.returncode == 1
    assert "dlcheck.check grades a function defined in a Jupyter notebook" in outside.stderr


# ------------------------------------------------------------------ dlcheck.check in a real kernel

def run_in_kernel(tmp_path: Path, cells: list[str]):
    """Execute the cells in a fresh python3 kernel (nbclient), as Jupyter would; the notebook back."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = new_notebook(cells=[new_code_cell(source) for source in cells])
    client = NotebookClient(notebook, timeout=180, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        kernel = client.setup_kernel()
        kernel.__enter__()
    except Exception as exc:  # noqa: BLE001 - any failure to start the kernel: skip, saying so
        pytest.skip(f"NO JUPYTER KERNEL: nbclient could not start the python3 kernel ({type(exc).__name__}: {exc})")
    try:
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
    except CellExecutionError as error:
        pytest.fail(f"a cell raised in the kernel:\n{error}")
    finally:
        kernel.__exit__(None, None, None)
    return notebook


def html_of(cell) -> str:
    outputs = [o for o in cell.outputs if o.get("output_type") == "execute_result"]
    assert outputs, f"no result shown for: {cell.source}\n{cell.outputs}"
    return outputs[0]["data"]["text/html"]


def test_check_in_a_kernel_grades_the_cells_as_run_and_renders_html(tmp_path, monkeypatch):
    for name, value in {"DLCHECK_COURSE": str(FIXTURE_COURSE), "DLCHECK_WORKSPACE": str(tmp_path / "ws"),
                        "XDG_CACHE_HOME": str(tmp_path / "cache")}.items():
        monkeypatch.setenv(name, value)  # the kernel inherits the environment, as from a terminal
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    notebook = run_in_kernel(tmp_path, [
        "import dlcheck\nimport torch\nimport numpy as np",
        "dlcheck.check('scaled_sum')",  # nothing defines it yet
        "!echo setting up\n%time warm = torch.zeros(1)",
        "def total(x):\n    return x.sum(dim=-1)\n\ndef scaled_sum(x, alpha):\n    return alpha * total(x)",
        "for epoch in range(2):\n    losses = [scaled_sum(torch.ones(2, 2), 1.0)]",
        "dlcheck.check('scaled_sum')",
        # The live object computes the mean now, its source the sum: the source as run is what is graded.
        "scaled_sum.__code__ = (lambda x, alpha: alpha * x.mean(dim=-1)).__code__\ndlcheck.check('scaled_sum')",
        "def scaled_sum(x, alpha):\n    return alpha * x.mean(dim=-1)",
        "report = dlcheck.check('scaled_sum')\nprint(report.status)\nreport",
        "def scaled_sum(x, alpha):\n    message = '<b>not markup</b>'\n    raise ValueError(message)",
        "dlcheck.check('scaled_sum')",
    ])
    undefined, passed, still_source, failed, raised = (html_of(notebook.cells[i]) for i in (1, 5, 6, 8, 10))
    assert "scaled_sum: ERROR" in undefined and "No cell run in this kernel defines scaled_sum" in undefined
    for html in (passed, still_source):
        assert html.startswith("<pre") and "scaled_sum: PASS" in html and "5/5 points" in html
    assert "scaled_sum: FAIL" in failed and "Matches a known mistake: mean_instead_of_sum" in failed
    assert notebook.cells[8].outputs[0]["text"] == "fail\n"
    assert "scaled_sum: ERROR" in raised
    assert f"this notebook, In [{notebook.cells[9].execution_count}], line 3, in scaled_sum" in raised
    assert "&lt;b&gt;not markup&lt;/b&gt;" in raised and "<b>not markup" not in raised
    state = json.loads((tmp_path / "ws" / ".dlcheck" / "state.json").read_text())
    assert state["results"]["scaled_sum"]["status"] == "error"  # the last check is recorded, as `grade` does
