"""User errors: bad input the user can fix. The CLI prints them and exits 2, never a traceback."""


class UserError(Exception):
    """An error in what the user gave us (a file, a field, an option), with a message to fix it."""
