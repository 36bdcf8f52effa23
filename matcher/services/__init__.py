"""What the edges (workers, api, cli) call: a match run, the trial sync, the corpus and its sweep,
submission, the board's loop, API keys and erasure. Services combine the domain and the adapters."""
