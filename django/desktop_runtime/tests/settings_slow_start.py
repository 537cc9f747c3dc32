"""Runtime-only settings that take five seconds to load, like a first start
on a cold disk under a virus scanner."""

import time

from desktop_runtime.tests.settings_runtime_only import *

time.sleep(5)
