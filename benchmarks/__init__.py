"""Benchmarks: our time against a peer's, measured in the same run (`mlp-ref bench`)."""
