"""An OpenAI-compatible server that answers /v1/completions badly, in one chosen way.

It stands in for a broken or overloaded serving cluster in the tests of dokpa's error
handling (the real-server tests use llama_cpp_server.py). /v1/models answers normally;
/v1/completions answers `good_answers` requests well, then every later one according to
`mode`:

  malformed   200 with a body that is not JSON
  missing     200 with JSON lacking choices[0].text
  http400     400 with an error object (not retried)
  hang        never answers (the client's timeout must fire)
  http503     503 (retried; fails after the client's last retry)

Usage: misbehaving_server.py PORT MODE [good_answers]
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, MODE = int(sys.argv[1]), sys.argv[2]
GOOD = int(sys.argv[3]) if len(sys.argv) > 3 else 0
lock = threading.Lock()
answered = 0


def good_completion():
    return {"id": "cmpl-1", "object": "text_completion", "model": "broken-model",
            "choices": [{"index": 0, "text": " 서울", "finish_reason": "stop", "logprobs": None}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/v1/models":
            self.send(200, {"object": "list", "data": [{"id": "broken-model", "object": "model"}]})
        else:
            self.send(404, {"detail": "Not Found"})

    def do_POST(self):
        global answered
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/v1/completions":
            return self.send(404, {"detail": "Not Found"})
        with lock:
            answered += 1
            good = answered <= GOOD
        if good:
            return self.send(200, good_completion())
        if MODE == "malformed":
            return self.send(200, b'{"choices": [{"text": "unterminated')
        if MODE == "missing":
            answer = good_completion()
            del answer["choices"][0]["text"]
            return self.send(200, answer)
        if MODE == "http400":
            return self.send(400, {"error": {"message": "prompt is too long", "type": "invalid_request_error"}})
        if MODE == "http503":
            return self.send(503, {"error": {"message": "overloaded"}})
        if MODE == "hang":
            time.sleep(3600)
        raise SystemExit(f"unknown mode {MODE}")


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
