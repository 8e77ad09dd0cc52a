"""mockserver - the one server base of the local AWS mocks in tests/mock.

Every mock (S3 Tables, STS, SSO in mock_aws/mock_sts/mock_sso; IMDS and
container credentials in mock_metadata; the CONNECT proxy) listens on
127.0.0.1 only, on an ephemeral port unless told otherwise, serves each
connection in its own daemon thread, and must stop cleanly in the middle
of a test: stop() refuses new connections, cuts the open ones (which
also ends any answer a test made hang) and joins the threads.  This
module holds that machinery once; a mock supplies

  * _handle(handler): answer one HTTP request (handler is a
    BaseHTTPRequestHandler, whatever the method);
  * optionally _accept(sock, client): what to do with a new connection
    before HTTP is spoken on it (mock_aws does the TLS handshake there);
  * scheme, server_version, handler_timeout, now() as class settings.
"""

import os
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

DEBUG = os.environ.get("MOCK_DEBUG") == "1"


def debug(who, msg):
    """Log to stderr only when MOCK_DEBUG=1, so TAP output stays clean."""
    if DEBUG:
        sys.stderr.write(f"{who}: {msg}\n")
        sys.stderr.flush()


class Handler(BaseHTTPRequestHandler):
    """Hands every request, whatever its method, to the owning mock's _handle."""

    protocol_version = "HTTP/1.1"
    sys_version = ""

    def setup(self):
        # An idle keep-alive connection must not hold a thread forever.
        self.timeout = self.server.owner.handler_timeout
        super().setup()

    def _dispatch(self):
        self.server.owner._handle(self)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch

    def version_string(self):
        return self.server.owner.server_version

    def date_time_string(self, timestamp=None):
        """The Date header follows the mock's clock (which a test may skew)."""
        if timestamp is None:
            timestamp = self.server.owner.now()
        return super().date_time_string(timestamp)

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler API
        debug(self.server.owner.server_version, "%s %s" % (self.address_string(), format % args))


class TrackedThreads(socketserver.ThreadingMixIn):
    """One daemon thread per connection, each known to the owner (a
    ServerBase), whose stop() joins them."""

    daemon_threads = True
    block_on_close = False  # ServerBase.stop closes connections and joins

    def process_request(self, request, client_address):
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        self.owner._track_thread(thread)
        thread.start()

    def handle_error(self, request, client_address):
        if DEBUG:
            super().handle_error(request, client_address)


class ThreadedHTTPServer(TrackedThreads, HTTPServer):
    """One thread per connection; the owner's _accept runs in that thread.

    Doing a TLS handshake in the accept loop would let one silent client
    (say, a test of a TCP connect timeout) block every other connection.
    """

    # A bucket-mode run opens up to --parallel (64) connections at once;
    # the default backlog of 5 would make some wait for a SYN retry.
    request_queue_size = 128

    def __init__(self, owner, port=0, handler=Handler):
        self.owner = owner
        super().__init__(("127.0.0.1", port), handler)

    def server_bind(self):
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS lookup: skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def finish_request(self, request, client_address):
        conn = self.owner._accept(request, client_address)
        if conn is None:
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            self.owner._release(conn)


class ServerBase:
    """Start/stop, threads and connection bookkeeping of every mock."""

    scheme = "http"
    server_version = "mock/1.0"
    handler_timeout = 30

    def __init__(self, port=0):
        self._port_wanted = port
        self._server = None
        self._serve_thread = None
        self._stopping = threading.Event()
        self._lock = threading.RLock()
        self._conns = set()
        self._threads = []

    # -- what a mock may override -----------------------------------------

    def now(self):
        """The mock's clock (seconds since the epoch)."""
        return time.time()

    def _make_server(self):
        return ThreadedHTTPServer(self, self._port_wanted)

    def _accept(self, sock, client):
        """A new connection: plain HTTP by default. None drops it."""
        self._register(sock)
        sock.settimeout(self.handler_timeout)
        return sock

    def _handle(self, handler):
        raise NotImplementedError

    # -- lifecycle ---------------------------------------------------------

    def start(self):
        """Bind 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = self._make_server()
        self._serve_thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._serve_thread.start()
        return self

    def stop(self):
        """Stop accepting, cut open connections, wake sleepers, join threads."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._serve_thread.join(5)
        with self._lock:
            conns, threads = list(self._conns), list(self._threads)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1] if self._server else None

    @property
    def url(self):
        """'SCHEME://127.0.0.1:PORT', no trailing slash."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    # -- bookkeeping -------------------------------------------------------

    def _track_thread(self, thread):
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)

    def _register(self, conn):
        with self._lock:
            self._conns.add(conn)

    def _release(self, conn):
        with self._lock:
            self._conns.discard(conn)
        try:
            conn.close()
        except OSError:
            pass
