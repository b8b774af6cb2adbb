"""One module per CLI command: add_parser(sub) registers it, run(args) returns the exit code."""
