"""The one error type of answer reading: a message for the student, and where it happened."""


class AnswerError(Exception):
    """An answer (or an instructor's expression) that cannot be read; the message teaches the fix."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.position = position  # 0-based index into the text as typed, when known
