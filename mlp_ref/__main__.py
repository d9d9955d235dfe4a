"""`python -m mlp_ref` is the `mlp-ref` command."""
import sys

from .cli import main

sys.exit(main())
