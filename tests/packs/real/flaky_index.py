"""A package index on 127.0.0.1 that misbehaves the ways real ones do, for the packs-real tests:

  /refuse/simple/...  has no project at all: pip answers "No matching distribution found".
  /cutoff/simple/pyttsx3/  lists the real pyttsx3 wheel, but its download stops halfway: the
                      connection closes after half of the bytes the Content-Length promised.

    python flaky_index.py WHEEL     (prints "port N" on stdout, then serves until killed)
"""
import http.server
import os
import socketserver
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    wheel = b""
    wheel_name = ""

    def log_message(self, *args):  # the test reads stdout for the port only
        pass

    def do_GET(self):
        if self.path.startswith("/cutoff/simple/pyttsx3/"):
            page = '<html><body><a href="/cutoff/files/%s">%s</a></body></html>' % (self.wheel_name, self.wheel_name)
            self._send(200, page.encode(), "text/html")
        elif self.path == "/cutoff/files/" + self.wheel_name:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(self.wheel)))
            self.end_headers()
            self.wfile.write(self.wheel[: len(self.wheel) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif self.path.rstrip("/") in ("/refuse/simple", "/cutoff/simple"):
            self._send(200, b"<html><body></body></html>", "text/html")
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, status, body, kind):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main(wheel):
    with open(wheel, "rb") as data:
        Handler.wheel = data.read()
    Handler.wheel_name = os.path.basename(wheel)
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as server:
        print("port %d" % server.server_address[1], flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
