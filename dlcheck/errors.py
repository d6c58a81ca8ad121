"""Exception types shared by every layer. Kept dependency-free so any process can import them."""


class DlcheckError(Exception):
    """A problem dlcheck reports to the user as a clean message (never a traceback)."""

    exit_code = 2


class SpecError(DlcheckError):
    """A malformed exercise spec: names the file and the field."""

    def __init__(self, path, field: str | None, message: str):
        self.path = path
        self.field = field
        where = f"{path}" + (f": field '{field}'" if field else "")
        super().__init__(f"{where}: {message}")


class UsageError(DlcheckError):
    """Bad command-line input: unknown exercise, missing file, bad option."""


class InvalidCase(Exception):
    """Raised by a reference solution to reject a randomly generated case (e.g. an empty output)."""


class GraderFault(Exception):
    """The grader itself (reference, case generation, sandbox) failed: never blamed on the student."""


class AssignmentError(SpecError):
    """A malformed assignment file (dlcheck/assignment.py): names the file and the field."""


class WeakSandbox(DlcheckError):
    """Grading that counts, on a machine whose sandbox cannot make a verdict trustworthy."""

    exit_code = 4
