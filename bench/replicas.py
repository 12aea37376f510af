#!/usr/bin/env python3
"""Capacity per core for several replicas (README "Running several replicas"): starts N
`berth serve` replicas on one PostgreSQL database and one storage (a shared directory, or a
bucket with --s3 URL), behind Debian's nginx when N > 1, runs berth-bench through it and
attributes the CPU time berth (and PostgreSQL's sessions for this database) spent to each
workload, so the rates come out per busy core whatever else the machine runs.

  bench/replicas.py --replicas 2 [--bin target/release] [--s3 http://127.0.0.1:9000]
      [--pg postgres://postgres@127.0.0.1:5432/postgres] [--port 25650] -- [berth-bench args]

Stdlib only. Ports: --port (proxy) and the next N (replicas). Everything started is stopped
and the database dropped at the end."""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")
PHASES = ["push image", "pull image", "manifest GET", "manifest HEAD", "blob GET"]


def cpu(pid):
    """utime + stime of `pid` in seconds (0 once it is gone)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def psql(url, sql):
    return subprocess.run(["psql", url, "-Atc", sql], check=True, capture_output=True,
                          text=True, timeout=30).stdout.split()


def wait_ready(url, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{url}: process exited at start")
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer within {timeout} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--bin", default="target/release")
    ap.add_argument("--s3", help="S3 endpoint (moto, MinIO); default: a shared directory")
    ap.add_argument("--pg", default=os.environ.get(
        "BERTH_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--port", type=int, default=25650)
    ap.add_argument("bench", nargs="*")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="berth-bench-replicas.")
    db = f"berth_test_bench_{os.getpid()}"
    db_url = a.pg.rsplit("/", 1)[0] + "/" + db
    procs = []
    psql(a.pg, f'CREATE DATABASE "{db}"')
    try:
        env = dict(os.environ, BERTH_DATABASE_URL=db_url, BERTH_ADMIN_PASSWORD="bench-pass-1",
                   BERTH_SIGNIN_FAILURES_PER_ADDRESS="0", NO_COLOR="1", RUST_LOG="warn")
        if a.s3:
            bucket = f"berth-bench-{os.getpid()}"
            urllib.request.urlopen(urllib.request.Request(f"{a.s3}/{bucket}", method="PUT"))
            env.update(BERTH_STORAGE_URL=f"s3://{bucket}/b", BERTH_S3_ENDPOINT=a.s3,
                       BERTH_S3_ALLOW_HTTP="true", BERTH_S3_REGION="us-east-1",
                       AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
        else:
            env["BERTH_STORAGE_URL"] = f"file://{work}/blobs"
        ports = [a.port + 1 + i for i in range(a.replicas)]
        for i, port in enumerate(ports):
            log = open(f"{work}/replica-{i}.log", "w")
            p = subprocess.Popen([f"{a.bin}/berth", "--data-dir", f"{work}/r{i}", "serve",
                                  "--listen", f"127.0.0.1:{port}"], env=env, stdout=log,
                                 stderr=log)
            procs.append(p)
            wait_ready(f"http://127.0.0.1:{port}/readyz", p)
        target = f"http://127.0.0.1:{ports[0]}"
        watched = [p.pid for p in procs]
        if a.replicas > 1:
            os.makedirs(f"{work}/nginx/tmp")
            conf = open("tests/replicas/nginx.conf.in").read()
            servers = "".join(f"server 127.0.0.1:{p};\n" for p in ports)
            conf = (conf.replace("@USER@", "user root;" if os.getuid() == 0 else "")
                    .replace("@WORK@", f"{work}/nginx").replace("@PROXY@", str(a.port))
                    .replace("server 127.0.0.1:@A@ max_fails=1 fail_timeout=5s;", servers)
                    .replace("server 127.0.0.1:@B@ max_fails=1 fail_timeout=5s;", "")
                    .replace("add_header", "# add_header"))
            os.makedirs(f"{work}/nginx/logs")
            open(f"{work}/nginx/nginx.conf", "w").write(conf.replace(
                f"access_log {work}/nginx/logs/access.log;", "access_log off;"))
            ng = subprocess.Popen(["nginx", "-p", f"{work}/nginx", "-c", f"{work}/nginx/nginx.conf",
                                   "-e", f"{work}/nginx/error.log", "-g", "daemon off;"])
            procs.append(ng)
            target = f"http://127.0.0.1:{a.port}"
            wait_ready(f"{target}/livez", ng)
        run(a, target, watched, db_url, ng.pid if a.replicas > 1 else None)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        psql(a.pg, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def run(a, target, berth_pids, db_url, nginx_pid):
    """Runs berth-bench; at each result line, charges the CPU spent since the previous one."""
    args = a.bench or ["--images", "16", "--layers", "3", "--layer-size", "4194304",
                       "--concurrency", "4", "--seconds", "6"]
    cmd = [f"{a.bin}/berth-bench", target, "--creds", "admin:bench-pass-1", *args]
    pg = lambda: [int(p) for p in psql(db_url, "SELECT pid FROM pg_stat_activity "
                                               "WHERE datname = current_database()")]

    def sample():
        return (sum(cpu(p) for p in berth_pids), sum(cpu(p) for p in pg()),
                sum(cpu(p) for p in nginx_workers()), time.monotonic())

    def nginx_workers():
        if not nginx_pid:
            return []
        try:
            return [int(c) for c in open(f"/proc/{nginx_pid}/task/{nginx_pid}/children").read().split()]
        except OSError:
            return []

    print(f"{a.replicas} replica(s), storage {'S3 ' + a.s3 if a.s3 else 'shared directory'}, "
          f"{' '.join(cmd[1:])}", flush=True)
    print(f"{'workload':<16} {'rate':>22} {'berth cores':>12} {'per berth core':>22} "
          f"{'pg cores':>9} {'nginx cores':>12}")
    bench = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    last = sample()
    for line in bench.stdout:
        phase = next((p for p in PHASES if line.strip().startswith(p)), None)
        if not phase:
            continue
        now = sample()
        wall = now[3] - last[3]
        b, g, n = ((now[i] - last[i]) / wall for i in range(3))
        cols = line.split()
        ops = float(cols[cols.index("ops/s") - 1])
        mbs = float(cols[cols.index("MB/s") - 1])
        rate = f"{mbs:9.1f} MB/s" if phase in ("push image", "pull image", "blob GET") \
            else f"{ops:9.0f} req/s"
        per = (mbs if "MB/s" in rate else ops) / b if b > 0 else 0.0
        unit = "MB/s" if "MB/s" in rate else "req/s"
        print(f"{phase:<16} {rate:>22} {b:12.2f} {per:15.1f} {unit:<6} {g:9.2f} {n:12.2f}",
              flush=True)
        last = now
    if bench.wait() != 0:
        sys.exit("berth-bench failed")


if __name__ == "__main__":
    main()
