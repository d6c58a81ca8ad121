def big_copy(x):
    return x * 2
