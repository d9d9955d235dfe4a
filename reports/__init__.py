"""The HTML report of `mlp-ref report`: collect once into results.json, render from it only."""
