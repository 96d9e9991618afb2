"""Headless subcommands of `tiktune`; each module has add_parser(subparsers) and run(args)."""
