"""touchbase coach [FILE|-] [--kind K] [--subject S] [--json | --jsonl]: the email coach from the shell.

The coach is a plain library with its own argument parser; this command only
hands it the arguments, so `touchbase coach --help` shows the coach's own help.
"""

import sys

from django.core.management.base import BaseCommand

from touchbase.coach.cli import main as coach_main


class Command(BaseCommand):
    help = "Review an email before it leaves: the 400-character countdown and every finding with its fix."

    def run_from_argv(self, argv):
        sys.exit(coach_main(argv[2:]))

    def handle(self, *args, **options):
        return None
