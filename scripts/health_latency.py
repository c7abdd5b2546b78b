#!/usr/bin/env python3
"""Measures how fast a service's /health answers while 500 idle connections are open.

Usage: scripts/test-env.sh python3 scripts/health_latency.py [BINARY]
Starts `veredicto serve score` against the test broker (metrics on 127.0.0.1:19464), waits until
it is ready, opens 500 connections that send nothing, then times 50 GETs of /health.
"""
import os, socket, subprocess, sys, time, statistics
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug", "veredicto")
port = 19464
env = dict(os.environ, METRICS_PORT=str(port), METRICS_HOST="127.0.0.1", TOPIC_PREFIX="hl_", KAFKA_BOOTSTRAP_SERVERS=os.environ["VEREDICTO_TEST_KAFKA"], KAFKA_SESSION_TIMEOUT_MS="6000")
subprocess.run([BINARY, "topics", "create", "--partitions", "1"], env=env, check=True, capture_output=True)
p = subprocess.Popen([BINARY, "serve", "score"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def get(path):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk: break
        data += chunk
    s.close()
    return data
try:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if get("/health/ready").startswith(b"HTTP/1.1 200"): break
        except OSError: pass
        time.sleep(0.2)
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(500)]
    times = []
    for _ in range(50):
        t = time.perf_counter(); r = get("/health"); times.append((time.perf_counter() - t) * 1000)
        assert r.startswith(b"HTTP/1.1 200"), r[:100]
    times.sort()
    print(f"/health with 500 idle connections open: 50 requests, all 200, median {statistics.median(times):.2f} ms, max {times[-1]:.2f} ms")
finally:
    p.terminate(); p.wait()
