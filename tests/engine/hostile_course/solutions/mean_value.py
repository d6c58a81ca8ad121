def mean_value(x):
    return x.mean().item()
