"""stop_serving(): a server run on a thread of the shell's own process (Positron) stops for good."""

import http.client
import socket
import threading

from django.test import SimpleTestCase

from desktop_runtime.server import make_server, stop_serving


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


class StopServingTests(SimpleTestCase):
    def test_run_returns_and_the_port_is_free_even_with_a_connection_open(self):
        server = make_server("127.0.0.1", 0, hello)
        port = int(server.effective_port)
        serving = threading.Thread(target=server.run, daemon=True)
        serving.start()
        # A kept-alive connection, as a web view holds one: it must not keep the loop running.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        self.addCleanup(connection.close)
        connection.request("GET", "/")
        self.assertEqual(connection.getresponse().read(), b"hello")

        stop_serving(server)
        serving.join(5)
        server.task_dispatcher.shutdown()

        self.assertFalse(serving.is_alive(), "server.run() did not return")
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
