"""The threaded WSGI server behind `desktop_serve`.

Django's own development server classes (what runserver uses), with two
changes for a desktop backend: Windows must not share a busy port, and the
request log never shows the bootstrap token.
"""

import re
import sys
from http import HTTPStatus

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s]*")


class RedactingRequestHandler(WSGIRequestHandler):
    """Logs requests like runserver, with `?token=...` replaced by `?token=[redacted]`."""

    def log_request(self, code="-", size="-"):
        if isinstance(code, HTTPStatus):
            code = code.value
        self.log_message('"%s" %s %s', redact_token(self.requestline), str(code), str(size))


def redact_token(request_line: str) -> str:
    return TOKEN_IN_QUERY.sub(r"\1[redacted]", request_line)


def make_server(host: str, port: int, application) -> ThreadedWSGIServer:
    """Bind host:port now (OSError if it is taken) and return the server, not yet serving."""
    # SO_REUSEADDR only skips TIME_WAIT after a restart on POSIX, but on
    # Windows it would let us bind a port another process is listening on.
    server = ThreadedWSGIServer(
        (host, port), RedactingRequestHandler, allow_reuse_address=sys.platform != "win32"
    )
    server.set_app(application)
    return server
