"""The `touchbase` console script: the project's manage.py.

`touchbase <django command>` runs any Django management command; touchbase's
own commands (serve, demo, createuser, backup, restore, coach, ...) are
management commands of its apps, listed by `touchbase help`.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["coach"]:
        # The coach is plain Python: skipping Django's start-up makes a one-email check feel instant.
        from touchbase.coach.cli import main as coach_main

        sys.exit(coach_main(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "touchbase.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["touchbase", *args])
    except ImproperlyConfigured as exc:
        # A bad setting is the user's to fix: say which one, without a traceback.
        sys.exit(f"touchbase: {exc}")


if __name__ == "__main__":
    main()
