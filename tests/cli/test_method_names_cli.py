"""A method of the submission's own that shares its name with a forbidden Tensor method, through the
real CLI (issue 8): `layer.backward(grad)` in the cs231n layer style is not `loss.backward()`.

The static scan cannot see what a name like `layer` holds, so it refuses only what it can attribute
(`torch.Tensor.backward(loss)`); a real call on a tensor is refused in the worker (docs/rules.md).
tests/engine/test_rule_method_names.py proves both for every such rule of the catalog.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

REDTEAM = REPO / "tests" / "fixtures" / "redteam"

# matrix_determinant_lemma in an object style: the object's det() is the lemma's update factor.
DET_METHOD = """
import torch


class RankOneUpdate:
    \"\"\"A + u vᵀ, known through log|det A|.\"\"\"

    def __init__(self, A, logdet_A, u, v):
        self.A, self.logdet_A, self.u, self.v = A, logdet_A, u, v

    def det(self):
        \"\"\"det(A + u vᵀ) / det(A) = 1 + vᵀA⁻¹u, by the lemma.\"\"\"
        return 1 + self.v @ torch.linalg.solve(self.A, self.u)

    def logdet(self):
        return self.logdet_A + self.det().abs().log()


def logdet_rank_one_update(A, logdet_A, u, v):
    return RankOneUpdate(A, logdet_A, u, v).logdet()
"""

# conv_as_matmul with a helper whose unfold() lists each window's input pixels by index arithmetic.
UNFOLD_METHOD = """
import torch


class PixelGrid:
    def __init__(self, in_h, in_w):
        self.in_h, self.in_w = in_h, in_w

    def unfold(self, kh, kw):
        \"\"\"For every output pixel (row-major), the flat indices of the input pixels it reads.\"\"\"
        rows = torch.arange(self.in_h - kh + 1)[:, None, None, None] + torch.arange(kh)[None, None, :, None]
        cols = torch.arange(self.in_w - kw + 1)[None, :, None, None] + torch.arange(kw)[None, None, None, :]
        return (rows * self.in_w + cols).reshape(-1, kh * kw)


def conv_matrix(kernel, in_h, in_w):
    kh, kw = kernel.shape
    windows = PixelGrid(in_h, in_w).unfold(kh, kw)
    K = torch.zeros(windows.shape[0], in_h * in_w, dtype=kernel.dtype)
    K[torch.arange(windows.shape[0])[:, None], windows] = kernel.flatten()
    return K
"""


def grade(tmp_path: Path, exercise: str, file: Path) -> tuple[int, dict]:
    done = run_cli("grade", exercise, "-f", str(file), "--format", "json", cwd=tmp_path,
                   env={"DLCHECK_COURSE": str(REPO), "DLCHECK_WORKSPACE": str(tmp_path / "ws"),
                        "XDG_CACHE_HOME": str(tmp_path / "cache")})
    return done.returncode, json.loads(done.stdout)


def written(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "submission.py"
    path.write_text(source, encoding="utf-8")
    return path


@pytest.mark.parametrize("exercise, fixture", [
    ("mlp_backprop", "ok_layer_classes.py"),  # Linear/ReLU classes with forward()/backward()
    ("rnn_bptt", "ok_numpy_class.py"),        # a numpy helper class with a backward() method
])
def test_the_redteams_backward_methods_of_their_own_pass(tmp_path, exercise, fixture):
    returncode, result = grade(tmp_path, exercise, REDTEAM / exercise / fixture)
    assert (returncode, result["status"]) == (0, "pass"), result["message"]
    assert result["score"] == result["max_score"]


@pytest.mark.parametrize("exercise, source", [
    ("matrix_determinant_lemma", DET_METHOD),
    ("conv_as_matmul", UNFOLD_METHOD),
], ids=["det", "unfold"])
def test_a_det_or_unfold_method_of_the_submissions_own_passes(tmp_path, exercise, source):
    returncode, result = grade(tmp_path, exercise, written(tmp_path, source))
    assert (returncode, result["status"]) == (0, "pass"), result["message"]


@pytest.mark.parametrize("exercise, old, new, rule", [
    # The same submissions, calling the tensor's own method instead of their object's.
    ("matrix_determinant_lemma", "RankOneUpdate(A, logdet_A, u, v).logdet()", "(A + torch.outer(u, v)).det().abs().log()",
     "use_the_lemma"),
    ("conv_as_matmul", "PixelGrid(in_h, in_w).unfold(kh, kw)",
     "torch.arange(in_h * in_w).reshape(in_h, in_w).unfold(0, kh, 1).unfold(1, kw, 1).reshape(-1, kh * kw)",
     "no_conv_or_unfold"),
], ids=["det", "unfold"])
def test_the_same_method_called_on_a_tensor_breaks_the_rule(tmp_path, exercise, old, new, rule):
    source = {"matrix_determinant_lemma": DET_METHOD, "conv_as_matmul": UNFOLD_METHOD}[exercise]
    assert old in source
    returncode, result = grade(tmp_path, exercise, written(tmp_path, source.replace(old, new)))
    assert (returncode, result["status"], result["score"]) == (1, "fail", 0), result["message"]
    assert f"Rule '{rule}' broken: your code called torch." in result["message"]


def test_the_redteams_layers_with_autograd_inside_break_the_rule(tmp_path):
    """ok_layer_classes with its ReLU's backward() replaced by torch's: a graph, then loss.backward()."""
    source = (REDTEAM / "mlp_backprop" / "ok_layer_classes.py").read_text(encoding="utf-8")
    by_hand = "        return grad_out * self.mask\n"
    assert by_hand in source
    with_autograd = ("        a = self.a.detach().requires_grad_(True)\n"
                     "        (a * self.mask * grad_out).sum().backward()\n"
                     "        return a.grad\n")
    source = source.replace("        self.mask = a > 0\n", "        self.mask, self.a = a > 0, a\n")
    returncode, result = grade(tmp_path, "mlp_backprop", written(tmp_path, source.replace(by_hand, with_autograd)))
    assert (returncode, result["status"], result["score"]) == (1, "fail", 0), result["message"]
    assert "Rule 'no_autograd' broken: your code called autograd" in result["message"]
