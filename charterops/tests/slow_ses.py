"""An SES backend that takes its time, so a test can kill a worker in the middle of a batch."""

import os
import time

from django_ses import SESBackend


class SlowSESBackend(SESBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_SES_SECONDS", "0.4")) * len(email_messages))
        return super().send_messages(email_messages)
