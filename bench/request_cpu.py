"""Decision request cost in one process: CPU and wall time per ``POST /api/v1/release-decisions``.

``bench/http.py`` measures what a client sees under gunicorn; on a small shared machine its figures move by a
fifth between runs, because the workers, the database server and wrk share the cores. This one runs the
requests through Flask's test client in a single process, so what it prints is the request's own cost:

- Greenlane's endpoint (token auth, the whole stack, a new entry number per request) and the same minimal
  Flask endpoint as ``bench/http.py``'s ceiling, alternately in blocks so drift hits both alike;
- per request: median wall and CPU time of the blocks, p50/p99 wall latency, the database server's CPU
  (PostgreSQL, its processes on this machine), and the ratio ceiling/Greenlane of CPU per request;
- with ``--profile``, cProfile's top functions by cumulative time over one more block (cProfile's overhead
  inflates small calls: read it for where, not how much).

With ``--entry-lines 1`` each request is a one-line entry (a parcel asked for through the API), stored as one row;
the default is ``bench/http.py``'s five-line entry.

    python bench/request_cpu.py [--requests 3000] [--block 250] [--entry-lines 1..5] [--profile [--sort tottime]]
                                [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]  # see bench/http.py
sys.path.insert(0, str(ROOT))

import argparse
import cProfile
import io
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable

from bench.http import prepare
from program.decisions.entry_number import make_entry_number


def _postgres_cpu_seconds() -> float:
    """CPU seconds used so far by the PostgreSQL processes of this machine (0 when there are none)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1:text.rindex(")")].startswith("postgres"):
            fields = text[text.rindex(")") + 2:].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _block(post: Callable[[int], None], start: int, count: int) -> tuple[float, float, float, list[float]]:
    """Run ``count`` requests; return wall s, CPU s, server CPU s, and each request's wall time."""
    latencies = []
    server, wall, cpu = _postgres_cpu_seconds(), time.perf_counter(), time.process_time()
    for number in range(start, start + count):
        began = time.perf_counter()
        post(number)
        latencies.append(time.perf_counter() - began)
    return (time.perf_counter() - wall, time.process_time() - cpu, _postgres_cpu_seconds() - server, latencies)


def main() -> int:
    """Parse arguments, build the world, time both endpoints, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000, help="requests to each endpoint")
    parser.add_argument("--block", type=int, default=250, help="requests per block (endpoints alternate)")
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (a throwaway database is made)")
    parser.add_argument("--entry-lines", type=int, default=5, choices=range(1, 6),
                        help="lines per requested entry (default 5, as bench/http.py)")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions for one block")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime", "ncalls"),
                        help="the profile's order (default: cumulative)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gl-bench-cpu-"))
    drop, app = None, None
    if args.database_url.startswith("postgres"):
        from bench.screen import _throwaway_postgres

        database_url, drop = _throwaway_postgres(args.database_url)
        label = "PostgreSQL"
    else:
        database_url, label = f"sqlite:///{workdir / 'bench.db'}", "SQLite (WAL, synchronous=NORMAL)"
    try:
        world = prepare(database_url, workdir)
        from app import create_app
        from bench.ceiling import create_app as create_ceiling

        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                          "UPLOAD_FOLDER": str(workdir / "uploads")})
        ours, ceiling = app.test_client(), create_ceiling().test_client()
        headers = {"Authorization": f"Bearer {world['token']}"}

        lines = world["body"]["lines"][:args.entry_lines]

        def body(number: int) -> dict:
            return dict(world["body"], lines=lines, entry_number=make_entry_number("910", number))

        def post_ours(number: int) -> None:
            response = ours.post("/api/v1/release-decisions", json=body(number), headers=headers)
            if response.status_code != 201:
                raise RuntimeError(f"unexpected {response.status_code}: {response.get_data(as_text=True)[:300]}")

        def post_ceiling(number: int) -> None:
            ceiling.post("/api/v1/release-decisions", json=body(number), headers=headers)

        _block(post_ours, 0, 100)  # warm up: facts snapshot, token cache, statement caches
        _block(post_ceiling, 0, 100)
        blocks: dict[str, list[tuple[float, float, float, list[float]]]] = {"greenlane": [], "ceiling": []}
        number = 1000
        for _ in range(max(1, args.requests // args.block)):
            for name, post in (("greenlane", post_ours), ("ceiling", post_ceiling)):
                blocks[name].append(_block(post, number, args.block))
                number += args.block

        print(f"bench/request_cpu.py on {label}: {args.requests:,} requests to each endpoint in blocks of "
              f"{args.block}, one process, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        per_request = {}
        for name, runs in blocks.items():
            wall = statistics.median(run[0] for run in runs) / args.block * 1000
            cpu = statistics.median(run[1] for run in runs) / args.block * 1000
            server = statistics.median(run[2] for run in runs) / args.block * 1000
            latencies = sorted(latency for run in runs for latency in run[3])
            p50, p99 = (latencies[int(q * (len(latencies) - 1))] * 1000 for q in (0.50, 0.99))
            per_request[name] = cpu
            extra = f"   database server CPU {server:5.2f} ms" if drop is not None and name == "greenlane" else ""
            print(f"  {name:10} wall {wall:6.2f} ms   CPU {cpu:6.2f} ms   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms"
                  f"   (per request, median of blocks){extra}")
        print(f"  ratio      {per_request['ceiling'] / per_request['greenlane']:.3f} "
              f"(ceiling CPU / Greenlane CPU per request)")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            _block(post_ours, number, args.block)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(40)
            print(out.getvalue())
        return 0
    finally:
        if drop is not None:
            if app is not None:
                from core.audit_chain import stop_in_this_process
                from core.extensions import db

                stop_in_this_process()  # its next round would find the database dropped

                with app.app_context():
                    db.engine.dispose()
            drop()


if __name__ == "__main__":
    raise SystemExit(main())
