"""Test runner that finds the tests wherever `manage.py test` is started from."""

import logging

from django.conf import settings
from django.test.runner import DiscoverRunner


class StarterTestRunner(DiscoverRunner):
    """Discover tests in django/ when no label is given, and keep the output quiet."""

    def build_suite(self, test_labels=None, **kwargs):
        return super().build_suite(test_labels or [str(settings.BASE_DIR)], **kwargs)

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)
        # Many tests expect 400, 403 and 404 answers on purpose; Django would
        # log a warning line for each.
        for name in ("django.request", "django.security"):
            logging.getLogger(name).setLevel(logging.ERROR)
