"""The `capsched` command line: thin commands that parse, call one app service, and format."""
