"""On every case, fills memory with touched pages until the allocation fails."""


def solve(*args):
    hog = []
    while True:
        hog.append(b"x" * (64 << 20))
