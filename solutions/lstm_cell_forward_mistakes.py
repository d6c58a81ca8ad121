"""Known mistakes in one LSTM step; each is the reference with one thing wrong."""

import torch


def _lstm(x, h, c, W_ih, W_hh, b, *, order="ifgo", o_act=torch.sigmoid, g_act=torch.tanh,
          input_gate=True, cell_tanh=True, h_from_old_c=False, swap_outputs=False):
    blocks = dict(zip(order, (W_ih @ x + W_hh @ h + b).chunk(4)))
    i, f, o = torch.sigmoid(blocks["i"]), torch.sigmoid(blocks["f"]), o_act(blocks["o"])
    g = g_act(blocks["g"])
    c_new = f * c + (i * g if input_gate else g)
    c_read = c if h_from_old_c else c_new
    h_new = o * (torch.tanh(c_read) if cell_tanh else c_read)
    return (c_new, h_new) if swap_outputs else (h_new, c_new)


def notes_gate_order(*args):
    return _lstm(*args, order="ifog")


def forget_input_swapped(*args):
    return _lstm(*args, order="figo")


def tanh_on_output_gate(*args):
    return _lstm(*args, o_act=torch.tanh)


def sigmoid_on_candidate(*args):
    return _lstm(*args, g_act=torch.sigmoid)


def missing_input_gate(*args):
    return _lstm(*args, input_gate=False)


def missing_tanh_on_cell(*args):
    return _lstm(*args, cell_tanh=False)


def hidden_from_old_cell(*args):
    return _lstm(*args, h_from_old_c=True)


def outputs_swapped(*args):
    return _lstm(*args, swap_outputs=True)
