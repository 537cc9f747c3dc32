"""Development settings that take five seconds to load, like a first start
on a cold disk under a virus scanner."""

import time

from desktop_django_starter.settings.dev import *

time.sleep(5)
