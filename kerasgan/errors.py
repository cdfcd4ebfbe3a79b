"""The one exception type that means "the user gave bad input": scripts show it as one line, exit code 2."""


class UserError(Exception):
    """Bad input from the user (a typo, a missing file, wrong shapes); not a bug in kerasgan."""


class TrainingFailed(RuntimeError):
    """Training could not go on (e.g. the loss became NaN); scripts show one line and exit with code 1."""


class WorkerLost(TrainingFailed):
    """A worker of a multi-worker run died or stopped answering; the run can go on with ``--resume``."""
