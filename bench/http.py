"""HTTP benchmark: ``POST /api/v1/release-decisions`` under gunicorn against a minimal Flask ceiling.

Builds a fresh database (SQLite in WAL mode with ``synchronous=NORMAL`` in a temporary folder, or a
throwaway PostgreSQL database next to ``--database-url``), migrates, seeds the demo and issues a token
for the enrolled demo importer. Then, with the same gunicorn settings (sync workers, 2 x cores, on
loopback; sync workers close every connection, so there is no keep-alive to pin), it drives

1. Greenlane's decision endpoint with 5-line entries (token auth), and
2. the ceiling, ``bench/ceiling.py`` (parses the same body, answers a small JSON object),

with wrk (Debian package ``wrk``, installed with apt-get if missing) at 32 connections, and prints
req/s, p50 and p99 of both and the ratio. Targets: >= 0.25 of the ceiling's req/s, p99 <= 50 ms.

    python bench/http.py [--duration 15] [--connections 32] [--workers 4]
                         [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file would shadow the standard
# library's ``http`` package (urllib needs it): drop the folder and use the project root instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

# Every request names a new entry (one live decision per entry number: a repeated one would be a 409):
# filer code 9<thread>0 and a counter, with the check digit computed as program/decisions/entry_number.py does.
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
local prefix, suffix = [[%(prefix)s]], [[%(suffix)s]]
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local function check_digit(digits)
  local total, double = 0, true
  for i = #digits, 1, -1 do
    local v = tonumber(digits:sub(i, i))
    if double then v = v * 2; if v > 9 then v = v - 9 end end
    total = total + v
    double = not double
  end
  return (10 - total %% 10) %% 10
end
local n = 0
function request()
  n = n + 1
  local digits = string.format("9%%d0%%07d", tid, n %% 10000000)
  local entry = string.format("9%%d0-%%07d-%%d", tid, n %% 10000000, check_digit(digits))
  return wrk.format(nil, nil, nil, prefix .. entry .. suffix)
end
"""


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's packages if missing (as the Makefile installs chromium)."""
    found = shutil.which("wrk")
    if found:
        return found
    print("Installing Debian's wrk for the HTTP benchmark")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return shutil.which("wrk") or "wrk"


def prepare(database_url: str, workdir: Path) -> dict:
    """Migrate, seed, issue a token; return the token and a 5-line request body (run in a child process)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from core.accounts import services as accounts
    from core.accounts.models import User
    from core.extensions import db
    from core.timeutil import today
    from program.decisions.facts import load_snapshot
    from program.seed import seed_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                      "UPLOAD_FOLDER": str(workdir / "uploads")})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        seed_demo()
        db.session.commit()
        importer = db.session.scalar(select(User).where(User.email == "importer@northwind.example"))
        plain, _ = accounts.issue_token(importer, "bench")
        db.session.commit()
        snap = load_snapshot(today())
        ior = sorted(snap.iors_of(importer.organization_id))[0]
        endorsed = sorted(snap.facts.endorsed)
        db.session.remove()
        db.engine.dispose()
    lines = []
    for i in range(5):
        sector, condition, mark = endorsed[i % len(endorsed)]
        lines.append({"line_no": i + 1, "description": f"{sector} goods", "hts_code": "8517.13.0000",
                      "quantity": 10 + i, "value_usd": "2500.00", "sector": sector, "condition": condition,
                      "recordation_number": mark, "lever_label": True})
    body = {"entry_number": "ABC-1234567-6", "port_code": "2704", "ior_number": ior, "lines": lines}
    return {"token": plain, "body": body}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(app_spec: str, env: dict, workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    """Start gunicorn (sync workers, no keep-alive) on a free loopback port; wait until it answers."""
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "--workers", str(workers), "--worker-class", "sync", "--keep-alive", "0", "--backlog", "2048",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.2)
    return process, port


def check(port: int, body: dict, token: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/release-decisions", method="POST",
                                     data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def drive(wrk: str, port: int, script: Path, duration: int, connections: int) -> dict:
    """Run wrk; return req/s, p50 and p99 (ms) and non-2xx counts."""
    out = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script),
                          f"http://127.0.0.1:{port}/api/v1/release-decisions"],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else "", "raw": out}


def main() -> int:
    """Parse arguments, prepare, run both servers under load, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL (a throwaway database is made)")
    parser.add_argument("--prepare-run", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_run:
        workdir = Path(args.prepare_run[1])
        (workdir / "world.json").write_text(json.dumps(prepare(args.prepare_run[0], workdir)))
        return 0

    wrk = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="gl-bench-http-"))
    drop = None
    if args.database_url.startswith("postgres"):
        from bench.screen import _throwaway_postgres

        database_url, drop = _throwaway_postgres(args.database_url)
        label = "PostgreSQL"
    else:
        database_url, label = f"sqlite:///{workdir / 'bench.db'}", "SQLite (WAL, synchronous=NORMAL)"
    servers: list[subprocess.Popen] = []
    try:
        subprocess.run([sys.executable, __file__, "--prepare-run", database_url, str(workdir)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        world = json.loads((workdir / "world.json").read_text())
        script = workdir / "post.lua"
        prefix, suffix = json.dumps({**world["body"], "entry_number": "@"}).split('"@"')
        script.write_text(LUA % {"token": world["token"], "prefix": prefix + '"', "suffix": '"' + suffix})
        env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench", UPLOAD_FOLDER=str(workdir / "uploads"),
                   PYTHONPATH=str(ROOT))
        env.pop("REDIS_URL", None)
        results = {}
        for name, spec in (("decisions", "app:create_app()"), ("ceiling", "bench.ceiling:create_app()")):
            process, port = serve(spec, env, args.workers, workdir / f"{name}.log")
            servers.append(process)
            status = check(port, world["body"], world["token"])
            if status != 201:
                print(f"{name}: unexpected status {status}")
                return 1
            load = os.getloadavg()[0]
            results[name] = drive(wrk, port, script, args.duration, args.connections)
            results[name]["load"] = load
            process.terminate()
            process.wait(timeout=30)
        ours, ceiling = results["decisions"], results["ceiling"]
        print(f"bench/http.py on {label}: gunicorn {args.workers} sync workers, wrk -c{args.connections} "
              f"-d{args.duration}s, {os.cpu_count()} cores")
        for name, r in results.items():
            extra = f"  non-2xx {r['non2xx']}" if r["non2xx"] else ""
            extra += f"  socket errors: {r['socket_errors']}" if r["socket_errors"] else ""
            print(f"  {name:10} {r['rps']:8,.0f} req/s   p50 {r['p50']:7.1f} ms   p99 {r['p99']:7.1f} ms"
                  f"   (load average {r['load']:.2f} at start){extra}")
        ratio = ours["rps"] / ceiling["rps"]
        print(f"  ratio      {ratio:.2f} of the ceiling (target >= 0.25); decisions p99 {ours['p99']:.1f} ms "
              f"(target <= 50 ms): {'met' if ratio >= 0.25 and ours['p99'] <= 50 else 'MISSED'}")
        return 0
    finally:
        for process in servers:
            if process.poll() is None:
                process.kill()
        if drop is not None:
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
