"""lstm_cell_forward: the reference agrees with torch.nn.LSTMCell, over a sequence too; the bias-only case
shows PyTorch's gate order.
(Other correct styles, rules and feedback: `examples:` in exercises/lstm_cell_forward.yaml.)"""

import pytest
import torch

from solutions.lstm_cell_forward import lstm_cell, make_cases


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
