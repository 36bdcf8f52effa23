"""The `trialmatch` command line: the one package that may import `matcher`, `workers` and `api`
(it starts the worker and the API server, and drives the domain from a shell)."""
