"""A real HTTP server on 127.0.0.1 for the remote-storage tests.

``http.server.SimpleHTTPRequestHandler`` ignores ``Range`` headers; object
stores and CDNs honour them, and the shard reader relies on them, so this
handler answers ``Range: bytes=a-b`` with ``206 Partial Content``. It can
also drop connections: ``server.drops[path] = n`` makes the next ``n`` GETs
of ``path`` (``-1``: all) send the headers and half of the body, then
close the socket. ``server.requests`` counts GETs per path.
"""
import os
import os.path as osp
import re
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict

__all__ = ['RangeHTTPServer']


class _Handler(BaseHTTPRequestHandler):
    server: 'RangeHTTPServer'

    def log_message(self, *args) -> None:  # quiet
        pass

    def _file(self):
        path = osp.join(self.server.root, self.path.split('?')[0].lstrip('/'))
        return path if osp.isfile(path) else None

    def do_HEAD(self) -> None:
        path = self._file()
        if path is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(osp.getsize(path)))
        self.send_header('Accept-Ranges', 'bytes')
        self.end_headers()

    def do_GET(self) -> None:
        rel = self.path.split('?')[0]
        self.server.requests[rel] += 1
        path = self._file()
        if path is None:
            self.send_error(404)
            return
        size = osp.getsize(path)
        start, end = 0, size - 1
        m = re.match(r'bytes=(\d*)-(\d*)', self.headers.get('Range', ''))
        if m:
            if m.group(1):
                start = int(m.group(1))
                end = int(m.group(2)) if m.group(2) else size - 1
            else:  # suffix range
                start = max(0, size - int(m.group(2)))
            end = min(end, size - 1)
            self.send_response(206)
            self.send_header('Content-Range', f'bytes {start}-{end}/{size}')
        else:
            self.send_response(200)
        length = end - start + 1
        self.send_header('Content-Length', str(length))
        self.send_header('Accept-Ranges', 'bytes')
        self.end_headers()
        with open(path, 'rb') as f:
            f.seek(start)
            body = f.read(length)
        drops = self.server.drops.get(rel, 0)
        if drops:
            if drops > 0:
                self.server.drops[rel] = drops - 1
            self.server.dropped[rel] += 1
            self.wfile.write(body[:max(1, length // 2)])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)


class RangeHTTPServer(ThreadingHTTPServer):
    """Serve ``root`` on 127.0.0.1 (a free port) in a daemon thread.

    Use as a context manager; :attr:`url` is ``http://127.0.0.1:<port>``.
    """

    daemon_threads = True

    def __init__(self, root: str) -> None:
        super().__init__(('127.0.0.1', 0), _Handler)
        self.root = os.fspath(root)
        self.drops: Dict[str, int] = {}
        self.dropped: Counter = Counter()
        self.requests: Counter = Counter()
        self._thread = threading.Thread(target=self.serve_forever,
                                        daemon=True)

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.server_address[1]}'

    def __enter__(self) -> 'RangeHTTPServer':
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
