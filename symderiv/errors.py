"""The one error type users see: bad input, reported in one line with exit code 2."""

PROGRAM = "symderiv"


class InputError(ValueError):
    """Bad input from the user (spec, formula, option, file).

    ``where`` names the place (a file and key path, an option, a formula); ``what`` says
    what is wrong. The message is the line the CLI prints before it exits 2:
    ``symderiv: error: <where>: <what>``.
    """

    def __init__(self, where: str, what: str):
        self.where = where
        self.what = what
        super().__init__(self.line)

    @property
    def place(self) -> str:
        """``<where>: <what>`` (``<what>`` alone where no place is known)."""
        return f"{self.where}: {self.what}" if self.where else self.what

    @property
    def line(self) -> str:
        return f"{PROGRAM}: error: {self.place}"

    def __reduce__(self):
        # Errors cross process boundaries (bounded child processes): rebuild from both parts.
        return type(self), (self.where, self.what)

    def __reduce__(self):
        # rebuilt from (where, what) when it crosses from a worker process
        return InputError, (self.where, self.what)

    def within(self, outer: str) -> "InputError":
        """The same error, located inside ``outer`` (``outer: where: what``)."""
        return InputError(f"{outer}: {self.where}" if self.where else outer, self.what)
