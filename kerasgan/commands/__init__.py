"""The subcommands of the ``kerasgan`` command: each module has ``add_arguments(parser)`` and ``run(args)``."""
