"""The one error type users see: bad input, reported in one line with exit code 2."""


class InputError(Exception):
    """Bad input from the user (spec, formula, option, file).

    ``where`` names the place (a file and key path, an option, a formula); ``what`` says
    what is wrong. The CLI prints ``symderiv: error: <where>: <what>`` and exits 2.
    """

    def __init__(self, where: str, what: str):
        super().__init__(f"{where}: {what}")
        self.where = where
        self.what = what

    def __reduce__(self):
        # rebuilt from (where, what) when it crosses from a worker process
        return InputError, (self.where, self.what)

    def within(self, outer: str) -> "InputError":
        """The same error, located inside ``outer`` (``outer: where: what``)."""
        return InputError(f"{outer}: {self.where}" if self.where else outer, self.what)
