#!/usr/bin/env python3
"""POST /v1/vector_stores/{id}/search timed over HTTP, as a plain client sees it.

Starts `assistants serve` (a temporary data dir, no model endpoint), uploads every BEIR SciFact abstract
as a .txt file through the API, puts them all in one vector store with file batches, waits until it is
ingested, then times searches with the test queries over one keep-alive connection. Standard library
only. See BENCHMARKS.md for the figures and the command.

    python3 benchmarks/http-search/search_over_http.py .build/release/assistants <scifact dir> [searches]
"""
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class API:
    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)
        self.headers = {"OpenAI-Beta": "assistants=v2"}

    def call(self, method, path, body=None, content_type="application/json"):
        headers = dict(self.headers)
        if body is not None:
            if not isinstance(body, bytes):
                body = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data)

    def upload(self, filename, text):
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode() + text.encode() + f"\r\n--{boundary}--\r\n".encode()
        return self.call("POST", "/v1/files", body, f"multipart/form-data; boundary={boundary}")["id"]


def main():
    binary, scifact = sys.argv[1], sys.argv[2]
    searches = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    documents = [json.loads(line) for line in open(os.path.join(scifact, "corpus.jsonl"))]
    queries = [json.loads(line)["text"] for line in open(os.path.join(scifact, "queries.jsonl"))]
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="search-over-http-")
    server = subprocess.Popen(
        [binary, "serve", "--port", str(port), "--data-dir", data_dir, "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port).request("GET", "/health")
                break
            except OSError:
                time.sleep(0.05)
        api = API(port)
        started = time.perf_counter()
        file_ids = [api.upload(f"{d['_id']}.txt", (d.get("title", "") + "\n\n" + d["text"]).strip()) for d in documents]
        store = api.call("POST", "/v1/vector_stores", {"name": "scifact"})["id"]
        for first in range(0, len(file_ids), 500):
            api.call("POST", f"/v1/vector_stores/{store}/file_batches", {"file_ids": file_ids[first:first + 500]})
        while True:
            counts = api.call("GET", f"/v1/vector_stores/{store}")["file_counts"]
            if counts["in_progress"] == 0:
                break
            time.sleep(0.2)
        print(f"loaded {counts['completed']} files in {time.perf_counter() - started:.1f} s")

        def search(query):
            t = time.perf_counter()
            result = api.call("POST", f"/v1/vector_stores/{store}/search", {"query": query})
            return (time.perf_counter() - t) * 1000, len(result["data"])

        for query in queries[:20]:  # warm-up: loads the store's lexicon
            search(query)
        timings = [search(queries[i % len(queries)]) for i in range(searches)]
        millis = sorted(t for t, _ in timings)
        health = []
        for _ in range(searches):
            t = time.perf_counter()
            api.connection.request("GET", "/health")
            api.connection.getresponse().read()
            health.append((time.perf_counter() - t) * 1000)
        p = lambda values, q: values[min(len(values) - 1, int(q * len(values)))]
        print(f"{searches} searches (top 10): p50 {statistics.median(millis):.2f} ms, p90 {p(millis, 0.9):.2f} ms, "
              f"p99 {p(millis, 0.99):.2f} ms; {statistics.mean(n for _, n in timings):.1f} results on average")
        print(f"GET /health round trip: p50 {statistics.median(health):.2f} ms")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
