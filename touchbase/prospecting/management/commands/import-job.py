"""`touchbase import-job ID`: run a lead list import queued from the web app (the app starts it for you).

`touchbase import-job --tidy [--keep-days N]`: fail the imports whose process died, and delete the
files of imports that ended more than N days ago (the worker does this every round).
"""

import uuid
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from touchbase.prospecting.models import ImportJob, ImportStatus
from touchbase.prospecting.uploads import UPLOADS_KEPT, import_job_check, import_job_run, import_jobs_tidy


class Command(BaseCommand):
    help = ("Run a lead list import queued in the web app: the confirm button starts this in the background. "
            "Records the report, the rejected rows and any error on the job; a job already taken is left alone. "
            "--tidy instead fails imports whose process died and deletes old uploads.")

    def add_arguments(self, parser):
        parser.add_argument("job", nargs="?", help="the import job's id (the UUID in its page's address)")
        parser.add_argument("--tidy", action="store_true",
                            help="Fail imports whose process died (nothing of them was saved) and delete the "
                                 "uploaded files and rejected rows of imports that ended more than --keep-days ago.")
        parser.add_argument("--keep-days", type=int, default=UPLOADS_KEPT.days,
                            help=f"With --tidy: days an ended import's files are kept (default {UPLOADS_KEPT.days}).")

    def handle(self, *args, job, tidy, keep_days, **options):
        if tidy:
            if job:
                raise CommandError("give a job id or --tidy, not both")
            if keep_days < 0:
                raise CommandError(f"--keep-days must be 0 or more, not {keep_days}")
            counts = import_jobs_tidy(keep=timedelta(days=keep_days))
            self.stdout.write(", ".join(f"{what}: {n}" for what, n in counts.items()))
            return
        if not job:
            raise CommandError("give the import job's id, or --tidy")
        try:
            public_id = uuid.UUID(job)
        except ValueError:
            raise CommandError(f"{job!r} is not an import job id (a UUID)") from None
        job = ImportJob.objects.filter(public_id=public_id).first()
        if job is None:
            raise CommandError(f"there is no import job {public_id}")
        job = import_job_check(job)
        if job.status != ImportStatus.QUEUED:
            said = f": {job.error}" if job.status == ImportStatus.FAILED and job.error else ""
            self.stdout.write(f"import job {public_id} is {job.status}; left alone{said}")
            return
        done = import_job_run(public_id=public_id)
        if done.status == ImportStatus.FAILED:
            raise CommandError(done.error)
        report = done.report
        self.stdout.write(f"{done.file_name}: {report['rows']:,} {report['kind']} rows read; "
                          f"{report['created']:,} created, {report['updated']:,} updated, "
                          f"{report['unchanged']:,} unchanged, {report['rejected']:,} rejected"
                          + (" -- check only, nothing was saved" if done.check_only else ""))
