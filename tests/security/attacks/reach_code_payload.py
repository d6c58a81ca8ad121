"""Returns objects that would run code if the grader unpickled or evaluated them."""
import os


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/dlcheck-pwned",))

    def __repr__(self):
        os.system("touch /tmp/dlcheck-pwned")
        return "payload"


def scaled_sum(x, alpha):
    return {"__t": "tensor", "dtype": "float64", "shape": [1], "data": "AAAAAAAAGEA=", "evil": Payload()}
