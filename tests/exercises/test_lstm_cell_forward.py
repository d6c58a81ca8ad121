"""lstm_cell_forward: the reference agrees with torch.nn.LSTMCell; the notes' stacked form; rule and feedback."""

import pytest
import torch

from solutions.lstm_cell_forward import lstm_cell, make_cases

EXERCISE = "lstm_cell_forward"


def torch_lstm_cell(x, h, c, W_ih, W_hh, b):
    cell = torch.nn.LSTMCell(x.shape[0], h.shape[0], dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.copy_(W_ih)
        cell.weight_hh.copy_(W_hh)
        cell.bias_ih.copy_(b)
        cell.bias_hh.zero_()
        h_new, c_new = cell(x[None], (h[None], c[None]))
    return h_new[0], c_new[0]


def test_every_graded_case_matches_lstm_cell():
    cases = make_cases(17)
    assert len(cases) == 13
    for case in cases:
        got, want = lstm_cell(**case["args"]), torch_lstm_cell(**case["args"])
        assert isinstance(got, tuple) and len(got) == 2
        for g, w in zip(got, want):
            assert g.dtype == torch.float64
            torch.testing.assert_close(g, w, rtol=1e-12, atol=1e-14, msg=case["name"])


@pytest.mark.parametrize("D, H", [(1, 1), (5, 2), (2, 6)])
def test_reference_matches_lstm_cell_over_a_sequence(D, H):
    """Ten steps fed back into each other: errors in c would compound."""
    g = torch.Generator().manual_seed(D * 10 + H)
    r = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    W_ih, W_hh, b = r(4 * H, D), r(4 * H, H), r(4 * H)
    h = c = h_ref = c_ref = torch.zeros(H, dtype=torch.float64)
    for _ in range(10):
        x = r(D)
        h, c = lstm_cell(x, h, c, W_ih, W_hh, b)
        h_ref, c_ref = torch_lstm_cell(x, h_ref, c_ref, W_ih, W_hh, b)
    torch.testing.assert_close((h, c), (h_ref, c_ref), rtol=1e-12, atol=1e-13)


def test_bias_only_case_shows_each_block_in_pytorch_order():
    case = next(c for c in make_cases(17) if c["name"].startswith("zero weights"))["args"]
    i, f, g, o = case["b"].chunk(4)
    h_new, c_new = lstm_cell(**case)
    expected_c = torch.sigmoid(f) * case["c"] + torch.sigmoid(i) * torch.tanh(g)
    torch.testing.assert_close(c_new, expected_c)
    torch.testing.assert_close(h_new, torch.sigmoid(o) * torch.tanh(expected_c))


def test_the_notes_stacked_form_passes(grade_text):
    """W [x; h] with W = [W_ih | W_hh], as in the course notes, and explicit slices in PyTorch's order."""
    source = """
import torch

def lstm_cell(x, h, c, W_ih, W_hh, b):
    H = h.shape[0]
    z = torch.cat([W_ih, W_hh], dim=1) @ torch.cat([x, h]) + b
    i, f = torch.sigmoid(z[:H]), torch.sigmoid(z[H:2 * H])
    g, o = torch.tanh(z[2 * H:3 * H]), torch.sigmoid(z[3 * H:])
    c_new = f * c + i * g
    return o * torch.tanh(c_new), c_new
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "pass", result.message


def test_lstm_cell_module_breaks_the_rule(grade_text):
    source = """
import torch

def lstm_cell(x, h, c, W_ih, W_hh, b):
    h_new, c_new = torch.lstm_cell(x[None], (h[None], c[None]), W_ih, W_hh, b, None)
    return h_new[0], c_new[0]
"""
    result = grade_text(EXERCISE, source)
    assert result.status == "fail" and result.score == 0
    assert "no_builtin_lstm" in result.message


LIST_OR_STACK = """
import torch

def lstm_cell(x, h, c, W_ih, W_hh, b):
    i, f, g, o = (W_ih @ x + W_hh @ h + b).chunk(4)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return OPEN torch.sigmoid(o) * torch.tanh(c_new), c_new CLOSE
"""


def packed(open_, close):
    return LIST_OR_STACK.replace("OPEN", open_).replace("CLOSE", close)


def test_a_list_of_the_two_states_is_accepted(grade_text):
    result = grade_text(EXERCISE, packed("[", "]"))
    assert result.status == "pass", result.message


def test_one_stacked_tensor_is_rejected_on_type(grade_text):
    result = grade_text(EXERCISE, packed("torch.stack([", "])"))
    assert result.status == "fail" and result.diagnosis is None
    assert result.failure.mismatches[0].kind == "type"
    assert "tuple" in result.failure.mismatches[0].message


def test_notes_order_is_named_with_the_fix(grade_text):
    source = """
import torch

def lstm_cell(x, h, c, W_ih, W_hh, b):
    i, f, o, g = (W_ih @ x + W_hh @ h + b).chunk(4)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
"""
    result = grade_text(EXERCISE, source)
    assert result.diagnosis["id"] == "notes_gate_order"
    assert "i, f, g, o" in result.diagnosis["message"]
