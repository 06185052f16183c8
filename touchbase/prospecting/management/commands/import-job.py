"""`touchbase import-job ID`: run a lead list import queued from the web app (the app starts it for you)."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from touchbase.prospecting.models import ImportJob, ImportStatus
from touchbase.prospecting.uploads import import_job_run


class Command(BaseCommand):
    help = ("Run a lead list import queued in the web app: the confirm button starts this in the background. "
            "Records the report, the rejected rows and any error on the job; a job already taken is left alone.")

    def add_arguments(self, parser):
        parser.add_argument("job", help="the import job's id (the UUID in its page's address)")

    def handle(self, *args, job, **options):
        try:
            public_id = uuid.UUID(job)
        except ValueError:
            raise CommandError(f"{job!r} is not an import job id (a UUID)") from None
        job = ImportJob.objects.filter(public_id=public_id).first()
        if job is None:
            raise CommandError(f"there is no import job {public_id}")
        if job.status != ImportStatus.QUEUED:
            self.stdout.write(f"import job {public_id} is {job.status}; left alone")
            return
        done = import_job_run(public_id=public_id)
        if done.status == ImportStatus.FAILED:
            raise CommandError(done.error)
        report = done.report
        self.stdout.write(f"{done.file_name}: {report['rows']:,} {report['kind']} rows read; "
                          f"{report['created']:,} created, {report['updated']:,} updated, "
                          f"{report['unchanged']:,} unchanged, {report['rejected']:,} rejected"
                          + (" -- check only, nothing was saved" if done.check_only else ""))
