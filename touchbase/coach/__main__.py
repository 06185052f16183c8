"""`python -m touchbase.coach`: the coach CLI without Django (the same as `touchbase coach`)."""

import sys

from .cli import main

sys.exit(main())
