# Throwaway PostgreSQL servers for tests and local clusters; sourced by scripts/postgres-for-tests and
# scripts/cluster. The server lives in a temporary directory, listens on 127.0.0.1 only, on a free port,
# trusts local connections and skips fsync (its data is thrown away). PostgreSQL refuses to run as root:
# as root, the server belongs to the `postgres` user that Debian's package creates.
#
#   postgres_bindir                   prints the directory of PostgreSQL's binaries, or nothing
#   postgres_start [postgres -c ...]  starts a server; sets POSTGRES_URL (postgres://assistants@127.0.0.1:PORT)
#   postgres_createdb URL             creates the database URL names, unless it exists
#   postgres_dropdb URL               drops the database URL names, if it exists
#   postgres_stop                     stops the server and removes its directory

postgres_bindir() {
    local bindir
    bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -z "$bindir" ] && command -v pg_ctl >/dev/null; then bindir="$(dirname "$(command -v pg_ctl)")"; fi
    if [ -n "$bindir" ] && [ -x "$bindir/initdb" ]; then echo "$bindir"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_postgres_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_start() {
    POSTGRES_BINDIR="$(postgres_bindir)"
    if [ -z "$POSTGRES_BINDIR" ]; then
        echo "PostgreSQL is not installed (Debian: apt-get install postgresql)." >&2
        return 1
    fi
    POSTGRES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/assistants-postgres.XXXXXX")"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$POSTGRES_DIR"; fi
    local port
    port="$(free_port)"
    _postgres_as_owner "$POSTGRES_BINDIR/initdb" -D "$POSTGRES_DIR/data" -U assistants --auth=trust --encoding=UTF8 \
        --no-locale --no-sync >"$POSTGRES_DIR/initdb.log"
    local options="-h 127.0.0.1 -p $port -k $POSTGRES_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    local extra
    for extra in "$@"; do options+=" -c $extra"; done
    _postgres_as_owner "$POSTGRES_BINDIR/pg_ctl" -D "$POSTGRES_DIR/data" -l "$POSTGRES_DIR/postgres.log" -w \
        -o "$options" start >/dev/null
    POSTGRES_URL="postgres://assistants@127.0.0.1:$port"
    POSTGRES_VERSION="$("$POSTGRES_BINDIR/postgres" --version | awk '{print $3}')"
}

postgres_createdb() { _postgres_database create "$1"; }
postgres_dropdb() { _postgres_database drop "$1"; }

# Runs createdb or dropdb on the database a URL names, with the URL's host, port, user and password.
_postgres_database() {
    local bindir="${POSTGRES_BINDIR:-$(postgres_bindir)}"
    python3 - "$1" "$2" "$bindir" <<'PY'
import os, subprocess, sys, urllib.parse
action, url, bindir = sys.argv[1], sys.argv[2], sys.argv[3]
u = urllib.parse.urlsplit(url)
env = {**os.environ, "PGPASSWORD": urllib.parse.unquote(u.password or "")}
name = urllib.parse.unquote(u.path.lstrip("/")) or u.username
server = ["-h", u.hostname, "-p", str(u.port or 5432), "-U", u.username]
if action == "create":
    done = subprocess.run([f"{bindir}/createdb", *server, name], env=env, capture_output=True, text=True)
    if done.returncode != 0 and "already exists" not in done.stderr:
        sys.exit(f"createdb {name}: {done.stderr.strip()}")
else:
    subprocess.run([f"{bindir}/dropdb", *server, "--if-exists", "--force", name], env=env, check=True)
PY
}

postgres_stop() {
    if [ -n "${POSTGRES_DIR:-}" ]; then
        _postgres_as_owner "$POSTGRES_BINDIR/pg_ctl" -D "$POSTGRES_DIR/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$POSTGRES_DIR"
        POSTGRES_DIR=""
    fi
}
