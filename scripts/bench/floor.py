"""The floor of a Django cold start, for `npm run bench`.

The least a backend can do before its first answer: start Python, run
django.setup() with the same settings, and answer requests from the standard
library's bare HTTP server (wsgiref, built on http.server) through Django's
WSGI handler. No migration check, no seeding, no threads.

Usage: python floor.py <django project folder>; the address comes from
DESKTOP_DJANGO_HOST and DESKTOP_DJANGO_PORT, like desktop_serve.
"""

import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


sys.path.insert(0, sys.argv[1])

import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler

server = make_server(
    os.environ["DESKTOP_DJANGO_HOST"],
    int(os.environ["DESKTOP_DJANGO_PORT"]),
    WSGIHandler(),
    handler_class=QuietHandler,
)
server.serve_forever()
