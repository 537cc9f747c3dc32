"""The floor of a Django cold start, for `npm run bench`.

The least a backend can do before its first answer: start Python, run
django.setup() with the same settings, and answer requests from the standard
library's bare HTTP server (wsgiref, built on http.server) through Django's
WSGI handler. No migration check, no seeding, no threads.

With --pause-gc it also pauses Python's cycle collector until it is bound,
with desktop_serve's own functions (desktop_runtime.startup): the floor for
a start that does the same, to compare desktop_serve with like for like.

Usage: python floor.py <django project folder> [--pause-gc]; the address
comes from DESKTOP_DJANGO_HOST and DESKTOP_DJANGO_PORT, like desktop_serve.
"""

import os
import sys

sys.path.insert(0, sys.argv[1])
pause = "--pause-gc" in sys.argv[2:]
if pause:
    from desktop_runtime.startup import pause_gc, resume_gc

    pause_gc()

from wsgiref.simple_server import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler

server = make_server(
    os.environ["DESKTOP_DJANGO_HOST"],
    int(os.environ["DESKTOP_DJANGO_PORT"]),
    WSGIHandler(),
    handler_class=QuietHandler,
)
if pause:
    resume_gc()
server.serve_forever()
