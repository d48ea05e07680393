"""HTTP load benchmark of the real server: `myoclass serve` on a free loopback port, driven by threads.

Starts `myoclass serve --host 127.0.0.1 --port N` (default settings: access log off) as a subprocess,
waits for GET /healthz, and stops it at the end, also on error or Ctrl-C. Then, for POST /api/v1/assess
(bodies: varied single flat cases from `myoclass.synthetic`, JSON-encoded in advance, sent as
application/json) and for GET /healthz in the same run:

  a. open loop: requests scheduled at a fixed 200/s for S seconds, served by a pool of keep-alive
     connections; latency runs from the scheduled send time, so a stalled server cannot hide its
     queue (no coordinated omission). Achieved rate, p50/p99/max latency, errors.
     Target: p99 < 50 ms for assess.
  b. closed loop at 1, 8 and 32 concurrent clients (threads, one keep-alive connection each) sending
     back to back for S seconds, assess then healthz at each concurrency: requests/s, p50/p99, and
     the ratio of assess to healthz (throughput, and latency) at the same concurrency in the same run.
     Target: assess throughput >= 30 % of healthz throughput at 8 clients.

Client and server share the machine (loopback only); the CPU each used during a phase is printed
(server from /proc, client from the process's own CPU time, the rest of the machine from /proc/stat)
so a client-bound figure, or one disturbed by other load on the machine, is visible.
Exit status 0 when every target passes, 1 otherwise. About 2 + 8 * S seconds in all (S = 3 by default).

Usage: python bench/api.py [--seconds S] [--rate R] [--concurrency 1,8,32] [--cases K]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from myoclass.synthetic import synthetic_cases

ASSESS = "/api/v1/assess"
HEALTHZ = "/healthz"
JSON_HEADERS = {"Content-Type": "application/json"}
OPEN_LOOP_TARGET_P99_MS = 50.0
THROUGHPUT_RATIO_TARGET = 0.30
RATIO_TARGET_CLIENTS = 8
MAX_PHASE_SECONDS = 20.0
REQUEST_TIMEOUT_S = 10.0
OPEN_LOOP_CONNECTIONS = 16


# --- the server -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`myoclass serve` as a child process; a context manager that always stops it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tempfile.TemporaryFile()

    def __enter__(self) -> Server:
        exe = Path(sys.executable).with_name("myoclass")
        cmd = [str(exe), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready(timeout=30.0)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", HEALTHZ)
                r = conn.getresponse()
                ok = r.status == 200 and json.loads(r.read()) == {"status": "ok"}
                conn.close()
                if ok:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer {HEALTHZ} within {timeout:g} s:\n{self.output()}")

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def output(self) -> str:
        """The tail of what the server printed (it logs warnings only; the access log is off)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server process so far (Linux /proc), else None."""
        if self.proc is None:
            return None
        try:
            stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the client -----------------------------------------------------------------------------------

@dataclass
class Request:
    method: str
    path: str
    bodies: list[bytes] = field(default_factory=list)  # cycled through; empty for GET

    def body(self, i: int) -> bytes | None:
        return self.bodies[i % len(self.bodies)] if self.bodies else None


class Client:
    """One keep-alive connection; reconnects after an error."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def send(self, req: Request, i: int) -> bool:
        """Send request ``i``; True for a 200 with its whole body read."""
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
            body = req.body(i)
            self.conn.request(req.method, req.path, body=body, headers=JSON_HEADERS if body is not None else {})
            r = self.conn.getresponse()
            r.read()
            if r.will_close:
                self.close()
            return r.status == 200
        except (OSError, http.client.HTTPException):
            self.close()
            return False

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def machine_cpu_seconds() -> float | None:
    """Busy CPU time of the whole machine so far, all cores (Linux /proc/stat), else None."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    latencies: list[float]  # seconds, successful requests only
    errors: int
    elapsed: float
    server_cpu: float | None
    client_cpu: float
    machine_cpu: float | None

    @property
    def completed(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed > 0 else 0.0

    def pct(self, q: float) -> float:
        """Latency percentile in ms (nearest rank)."""
        if not self.latencies:
            return float("nan")
        s = sorted(self.latencies)
        k = max(0, min(len(s) - 1, int(-(-q * len(s) // 1)) - 1))
        return 1000 * s[k]

    def cpu(self) -> str:
        def share(x: float) -> str:
            return f"{100 * x / self.elapsed:.0f} %"

        server = "?" if self.server_cpu is None else share(self.server_cpu)
        text = f"CPU (% of one core): server {server}, load generator {share(self.client_cpu)}"
        if self.machine_cpu is not None and self.server_cpu is not None:
            others = max(0.0, self.machine_cpu - self.server_cpu - self.client_cpu)
            text += f", other processes {share(others)}"
            if others > 0.15 * self.elapsed:
                text += "  <- other load on the machine: figures disturbed"
        return text


def _measure(server: Server, run: Callable[[], tuple[list[float], int, float]], name: str) -> Result:
    cpu0, own0, all0 = server.cpu_seconds(), time.process_time(), machine_cpu_seconds()
    lat, errors, elapsed = run()
    cpu1, own1, all1 = server.cpu_seconds(), time.process_time(), machine_cpu_seconds()
    server_cpu = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
    machine = None if all0 is None or all1 is None else all1 - all0
    return Result(name, lat, errors, elapsed, server_cpu, own1 - own0, machine)


def open_loop(server: Server, req: Request, rate: float, seconds: float, connections: int) -> Result:
    """``rate * seconds`` requests released on a fixed schedule; a worker takes each when free."""
    total = int(rate * seconds)
    todo: queue.SimpleQueue[tuple[int, float] | None] = queue.SimpleQueue()
    lock = threading.Lock()
    lat: list[float] = []

    def worker() -> None:
        client = Client(server.port)
        mine: list[float] = []
        while (item := todo.get()) is not None:
            i, scheduled = item
            if client.send(req, i):
                mine.append(time.perf_counter() - scheduled)
        client.close()
        with lock:
            lat.extend(mine)

    def run() -> tuple[list[float], int, float]:
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
        for t in threads:
            t.start()
        t0 = time.perf_counter()
        for i in range(total):
            scheduled = t0 + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            todo.put((i, scheduled))
        for _ in threads:
            todo.put(None)
        for t in threads:
            t.join(timeout=seconds + 2 * REQUEST_TIMEOUT_S)
        elapsed = time.perf_counter() - t0
        with lock:  # failed requests, and those of a worker stuck past the timeout, are the errors
            return list(lat), total - len(lat), elapsed

    return _measure(server, run, f"{req.method} {req.path}")


def closed_loop(server: Server, req: Request, clients: int, seconds: float) -> Result:
    """``clients`` threads, each sending its next request as soon as the previous one is answered."""
    lock = threading.Lock()
    lat: list[float] = []
    errors = [0]
    ready = threading.Barrier(clients + 1, timeout=30)  # every client connected
    go = threading.Event()
    stop_at = [0.0]

    def worker(k: int) -> None:
        client = Client(server.port)
        client.send(req, k)  # connect outside the measured window
        mine: list[float] = []
        bad = 0
        i = k * 7919
        ready.wait()
        go.wait()
        end = stop_at[0]
        while (t := time.perf_counter()) < end:
            ok = client.send(req, i)
            i += 1
            if ok:
                mine.append(time.perf_counter() - t)
            else:
                bad += 1
        client.close()
        with lock:
            lat.extend(mine)
            errors[0] += bad

    def run() -> tuple[list[float], int, float]:
        threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(clients)]
        for t in threads:
            t.start()
        ready.wait()
        t0 = time.perf_counter()
        stop_at[0] = t0 + seconds
        go.set()
        for t in threads:
            t.join(timeout=seconds + 2 * REQUEST_TIMEOUT_S)
        elapsed = time.perf_counter() - t0
        with lock:
            return list(lat), errors[0], elapsed

    return _measure(server, run, f"{req.method} {req.path}")


# --- the report -----------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_open(r: Result, rate: float, target_p99: float | None) -> bool:
    ok = r.errors == 0 and r.rate >= 0.95 * rate and (target_p99 is None or r.pct(0.99) < target_p99)
    target = f"target p99 < {target_p99:.0f} ms, no errors, rate >= {0.95 * rate:.0f}/s" if target_p99 else "reference"
    print(f"  {r.name:22s} {r.completed:6d} req  achieved {r.rate:7.1f}/s  p50 {r.pct(0.5):6.2f} ms  "
          f"p99 {r.pct(0.99):6.2f} ms  max {1000 * max(r.latencies, default=float('nan')):7.2f} ms  "
          f"errors {r.errors}  [{target}]" + (f"  {verdict(ok)}" if target_p99 else ""))
    print(f"  {'':22s} {r.cpu()}")
    return ok


def print_closed(r: Result, clients: int) -> None:
    print(f"  {clients:7d}  {r.name:20s} {r.completed:7d} {r.rate:8.0f} {r.pct(0.5):8.2f} {r.pct(0.99):8.2f} "
          f"{1000 * max(r.latencies, default=float('nan')):8.2f} {r.errors:6d}   {r.cpu()}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=3.0, help=f"length of each phase (at most {MAX_PHASE_SECONDS:.0f})")
    ap.add_argument("--rate", type=float, default=200.0, help="open-loop request rate per second")
    ap.add_argument("--concurrency", default="1,8,32", help="closed-loop concurrent clients, comma-separated")
    ap.add_argument("--cases", type=int, default=500, help="distinct synthetic cases to cycle through")
    args = ap.parse_args()
    seconds = max(1.0, min(args.seconds, MAX_PHASE_SECONDS))
    levels = sorted({max(1, int(x)) for x in args.concurrency.split(",") if x.strip()})
    # The load generator is Python threads: a short GIL switch interval keeps a thread whose
    # response has arrived from waiting up to 5 ms (the default) to record it.
    sys.setswitchinterval(0.0005)

    bodies = [json.dumps(c, separators=(",", ":")).encode() for c in synthetic_cases(args.cases, seed=2024)]
    assess = Request("POST", ASSESS, bodies)
    healthz = Request("GET", HEALTHZ)
    print(f"myoclass API load benchmark: {os.cpu_count()} CPUs (os.cpu_count()), Python {sys.version.split()[0]}, "
          f"{len(bodies)} distinct synthetic cases (mean body {sum(map(len, bodies)) / len(bodies):.0f} bytes), "
          f"{seconds:g} s per phase; server and load generator share the machine over loopback")

    with Server(free_port()) as server:
        # every case must be accepted (a 422 would make the figures measure the error path), then warm up
        check = Client(server.port)
        bad = [i for i in range(len(bodies)) if not check.send(assess, i)]
        check.close()
        if bad:
            print(f"error: {len(bad)} of the synthetic cases were not answered 200 (first: #{bad[0]})", file=sys.stderr)
            return 2
        closed_loop(server, assess, max(levels), 1.0)
        closed_loop(server, healthz, max(levels), 1.0)

        print(f"\na. open loop, fixed {args.rate:g} requests/s for {seconds:g} s "
              f"(latency from the scheduled send time; {OPEN_LOOP_CONNECTIONS} keep-alive connections)")
        oa = open_loop(server, assess, args.rate, seconds, OPEN_LOOP_CONNECTIONS)
        ok_open = print_open(oa, args.rate, OPEN_LOOP_TARGET_P99_MS)
        print_open(open_loop(server, healthz, args.rate, seconds, OPEN_LOOP_CONNECTIONS), args.rate, None)

        print(f"\nb. closed loop, {seconds:g} s per phase at each concurrency (maximum throughput)")
        print(f"  {'clients':>7s}  {'request':20s} {'req':>7s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} "
              f"{'errors':>6s}")
        ok_ratio = True
        for n in levels:
            ca = closed_loop(server, assess, n, seconds)
            print_closed(ca, n)
            ch = closed_loop(server, healthz, n, seconds)
            print_closed(ch, n)
            ratio = ca.rate / ch.rate if ch.rate else 0.0
            line = (f"  {n:7d}  assess/healthz: throughput {100 * ratio:.1f} %, p50 x{ca.pct(0.5) / ch.pct(0.5):.2f}, "
                    f"p99 x{ca.pct(0.99) / ch.pct(0.99):.2f}")
            if n == RATIO_TARGET_CLIENTS:
                ok = ratio >= THROUGHPUT_RATIO_TARGET and ca.errors == 0 and ch.errors == 0
                ok_ratio &= ok
                line += f"  [target throughput >= {100 * THROUGHPUT_RATIO_TARGET:.0f} %, no errors]  {verdict(ok)}"
            elif ca.errors or ch.errors:
                ok_ratio = False
                line += "  errors: FAIL"
            print(line)

    print(f"\nsummary: open-loop assess p99 < {OPEN_LOOP_TARGET_P99_MS:.0f} ms: {verdict(ok_open)}; "
          f"assess/healthz throughput >= {100 * THROUGHPUT_RATIO_TARGET:.0f} % at {RATIO_TARGET_CLIENTS} clients, "
          f"no errors at any concurrency: {verdict(ok_ratio)}")
    return 0 if ok_open and ok_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
