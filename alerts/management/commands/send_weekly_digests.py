"""Queue this week's digests (run it weekly, from cron or a timer): the
worker sends them, and deletes sign-ups never confirmed."""

from django.core.management.base import BaseCommand

from alerts.tasks import send_weekly_digests


class Command(BaseCommand):
    help = "Queue the weekly digests of email alerts."

    def handle(self, *args, **options):
        send_weekly_digests.enqueue()
        self.stdout.write("Weekly digests queued.")
