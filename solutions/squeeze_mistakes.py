"""Known mistakes for squeeze: one function per mistake id, same signature."""


def column_major_in_block(x):
    C, H, W = x.shape
    blocks = x.reshape(C, H // 2, 2, W // 2, 2)  # (c, y, i, x, j)
    return blocks.permute(0, 4, 2, 1, 3).reshape(4 * C, H // 2, W // 2)  # channel 4c + 2j + i


def block_position_major(x):
    C, H, W = x.shape
    blocks = x.reshape(C, H // 2, 2, W // 2, 2)
    return blocks.permute(2, 4, 0, 1, 3).reshape(4 * C, H // 2, W // 2)  # channel (2i + j)·C + c


def transposed_spatial(x):
    C, H, W = x.shape
    blocks = x.reshape(C, H // 2, 2, W // 2, 2)
    return blocks.permute(0, 2, 4, 3, 1).reshape(4 * C, W // 2, H // 2)


def reshape_without_permute(x):
    C, H, W = x.shape
    return x.reshape(4 * C, H // 2, W // 2)


def quadrants_not_blocks(x):
    C, H, W = x.shape
    quadrants = x.reshape(C, 2, H // 2, 2, W // 2)  # (c, a, y, b, x): row a·H/2 + y, column b·W/2 + x
    return quadrants.permute(0, 1, 3, 2, 4).reshape(4 * C, H // 2, W // 2)
