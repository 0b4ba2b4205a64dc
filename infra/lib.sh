# Shared shell functions of infra/up and infra/test. Source it; it sets ROOT, VENV, PY.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
VAR="$ROOT/var"
mkdir -p "$VAR/run" "$VAR/log"
# This checkout's code first: the venv's editable install points at whichever checkout installed it last
# (a worktree sharing the venv), and console scripts (arq, uvicorn) would import that one's services.
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

log() { printf '\033[1;34m[govwatch]\033[0m %s\n' "$*" >&2; }

ensure_venv() {
  local stamp="$VENV/.installed"
  if [ ! -x "$PY" ]; then
    log "creating virtualenv"
    python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
  fi
  # Reinstall only when the lock file changed since the last install.
  if [ ! -f "$stamp" ] || [ "$ROOT/requirements.lock" -nt "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    log "installing Python dependencies (requirements.lock)"
    "$PY" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
    "$PY" -m pip install -q -r "$ROOT/requirements.lock" 2>&1 | grep -v -i 'warning' || true
    "$PY" -m pip install -q --no-deps -e "$ROOT" 2>&1 | grep -v -i 'warning' || true
    touch "$stamp"
  fi
}

# ensure_secrets: the service clients' secrets of this machine, generated once into var/secrets.env
# (mode 600) and reused by every later ./infra/up and ./infra/test; exported to every process started
# after it. Values already in the environment win. Services refuse to start without them.
# Sets SECRETS_CREATED=1 when this call created the file.
SECRETS_CREATED=0
# The national client's secret is the one the national simulator of ./infra/up expects too.
SECRET_NAMES="GOVWATCH_SERVICE_CLIENT_SECRET GOVWATCH_REPORTING_CLIENT_SECRET GOVWATCH_NATIONAL_CLIENT_SECRET"
new_secret() { "$PY" -c 'import secrets; print(secrets.token_urlsafe(32))'; }
ensure_secrets() {
  local file="$VAR/secrets.env" tmp secret
  if [ ! -s "$file" ]; then
    tmp="$(mktemp "$VAR/.secrets.XXXXXX")"   # mktemp creates it 0600
    for secret in $SECRET_NAMES; do echo "$secret=$(new_secret)"; done >"$tmp"
    # ln is atomic and refuses an existing target: concurrent first runs all end up with one file.
    ln "$tmp" "$file" 2>/dev/null && SECRETS_CREATED=1
    rm -f "$tmp"
  fi
  chmod 600 "$file"
  # A file written before a secret was added gets it appended (if two runs race, the first line wins).
  for secret in $SECRET_NAMES; do
    grep -q "^$secret=" "$file" || echo "$secret=$(new_secret)" >>"$file"
  done
  local name value
  while IFS='=' read -r name value; do
    case "$name" in GOVWATCH_*) [ -n "${!name:-}" ] || export "$name=$value" ;; esac
  done <"$file"
}

# up_environment: the whole environment of the processes ./infra/up starts, in one place and exported
# before any of them starts (./infra/env prints it; start_process restarts a process when it changes).
# Values already in the environment win (except the fixed ports of ./infra/up's own services).
up_environment() {
  export GOVWATCH_S3_ACCESS_KEY="${GOVWATCH_S3_ACCESS_KEY:-govwatch}"
  export GOVWATCH_S3_SECRET_KEY="${GOVWATCH_S3_SECRET_KEY:-govwatch-secret-key}"
  export GOVWATCH_S3_ENDPOINT="${GOVWATCH_S3_ENDPOINT:-127.0.0.1:8333}"
  export GOVWATCH_DATABASE_URL="${GOVWATCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/govwatch}"
  export GOVWATCH_REDIS_URL="${GOVWATCH_REDIS_URL:-redis://127.0.0.1:6379/0}"
  export GOVWATCH_REGISTRY_URL="http://127.0.0.1:8001"
  export GOVWATCH_CHECKER_URL="http://127.0.0.1:8002"
  export GOVWATCH_ALLOW_PRIVATE_TARGETS=1   # the demo sites live on the loopback farm
  # The national reporting systems (a simulator on this machine): the registry API reconciles with them,
  # the sync worker pushes to them; both use the client secret of var/secrets.env, as the simulator does.
  export GOVWATCH_NATIONAL_URL="${GOVWATCH_NATIONAL_URL:-http://127.0.0.1:8096}"
  export GOVWATCH_NATIONAL_CLIENT_ID="${GOVWATCH_NATIONAL_CLIENT_ID:-govwatch}"
  ensure_secrets   # the service clients' secrets (var/secrets.env)
}

# env_hash: a digest of the settings environment (GOVWATCH_*) a process is started with.
env_hash() { env | grep '^GOVWATCH_' | LC_ALL=C sort | sha256sum | cut -c1-64; }

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  log "starting PostgreSQL"
  if ! command -v pg_ctlcluster >/dev/null; then
    apt-get install -y -q postgresql >/dev/null
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && return; sleep 0.2; done
  log "PostgreSQL did not start"; exit 1
}

ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
  log "starting Redis"
  command -v redis-server >/dev/null || apt-get install -y -q redis-server >/dev/null
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/govwatch.log
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return; sleep 0.1; done
  log "Redis did not start"; exit 1
}

# start_s3 NAME DATA_DIR S3_PORT PORT_BASE: SeaweedFS "mini" (master, volume, filer, S3) on loopback.
# Each SeaweedFS port P also takes P+10000 for gRPC: keep instances' port sets apart. The admin component
# gets its ports too (B+4): left at its default (23646), every instance's plugin worker dialled whichever
# instance held it, and stopping that one broke the others' stores.
start_s3() {
  local name="$1" dir="$2" port="$3" base="$4" pidfile="$VAR/run/$1.pid"
  # A live pid is not enough (a store may be exiting): it must answer on its S3 port, else it is restarted.
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    s3_answers "$port" && return
    log "S3 store $name is not answering on $port: restarting it"
    stop_pidfile "$name"
  fi
  mkdir -p "$dir"
  log "starting S3 store (SeaweedFS) on 127.0.0.1:$port"
  AWS_ACCESS_KEY_ID="$GOVWATCH_S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$GOVWATCH_S3_SECRET_KEY" \
    setsid nohup "$VENV/bin/weed" mini -dir="$dir" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port="$base" -volume.port="$((base + 1))" -filer.port="$((base + 2))" -s3.port="$port" \
    -s3.port.iceberg=0 -s3.port.lance=0 -webdav=false -admin.ui=false \
    -admin.port="$((base + 4))" -admin.port.grpc="$((base + 10004))" \
    >>"$(log_file "$name")" 2>&1 </dev/null &
  echo $! >"$pidfile"
  # An open port is not enough: wait until a bucket can be created and written.
  for _ in $(seq 100); do
    if GOVWATCH_S3_ENDPOINT="127.0.0.1:$port" "$PY" - <<'PYEOF' 2>/dev/null; then return; fi
from services.common.s3 import ensure_buckets, put_bytes
ensure_buckets("govwatch-probe")
put_bytes("govwatch-probe", b"ok", "text/plain", key="probe")
PYEOF
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.3
  done
  log "S3 store did not become ready; see $VAR/log/$name.log"; exit 1
}

free_port_base() {  # a base port B such that B..B+4 and their gRPC twins (+10000) are free
  "$PY" - <<'PYEOF'
import random, socket
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port)); return True
        except OSError:
            return False
while True:
    base = random.randrange(21000, 29000, 8)
    if all(free(p) and free(p + 10000) for p in range(base, base + 5)):
        print(base); break
PYEOF
}

alive() {  # alive PID: running (a zombie is not)
  local stat
  stat="$(ps -o stat= -p "$1" 2>/dev/null)" && [ "${stat:0:1}" != Z ]
}

stop_pidfile() {
  local pidfile="$VAR/run/$1.pid" pid
  if [ -f "$pidfile" ]; then
    pid="$(cat "$pidfile")"
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    # Wait until it is gone (its port free for a successor), at most 10 s, then kill what is left.
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$pidfile" "$VAR/run/$1.env-sha256"
  fi
}

ensure_database() {  # ensure_database NAME [fresh]
  local db="$1"
  if [ "${2:-}" = "fresh" ]; then
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  fi
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 ||
    psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" >/dev/null
}

migrate() {
  local ini
  for ini in "$ROOT"/services/*/alembic.ini; do
    "$VENV/bin/alembic" -c "$ini" upgrade head
  done
}

# start_process NAME COMMAND...: run in the background, in its own session (so stop_pidfile can end
# it with its children), unless already running with the same environment: one started with other
# settings (or before its environment was recorded) is restarted. Logs in var/log; the digest of the
# environment (not the values) in var/run/NAME.env-sha256.
start_process() {
  local name="$1"; shift
  local pidfile="$VAR/run/$name.pid" hash
  hash="$(env_hash)"
  if is_current "$name"; then return; fi
  if is_running "$name"; then
    log "restarting $name: its environment changed"
    stop_pidfile "$name"
  fi
  (cd "$ROOT" && exec setsid nohup "$@" >>"$(log_file "$name")" 2>&1 </dev/null) &
  echo $! >"$pidfile"
  echo "$hash" >"$VAR/run/$name.env-sha256"
}

# log_file NAME: var/log/NAME.log, appended to by each start (a restart keeps what the previous process,
# maybe killed, wrote); past LOG_ROTATE_BYTES it is moved to NAME.log.1 first. Prints its path.
LOG_ROTATE_BYTES="${GOVWATCH_LOG_ROTATE_BYTES:-10485760}"
log_file() {
  local file="$VAR/log/$1.log"
  if [ -f "$file" ] && [ "$(stat -c %s "$file")" -gt "$LOG_ROTATE_BYTES" ]; then mv -f "$file" "$file.1"; fi
  printf '=== %s started %s ===\n' "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$file"
  echo "$file"
}

# s3_answers PORT: the S3 store answers an HTTP request on PORT (any status: anonymous requests are refused).
s3_answers() {
  local code
  code="$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null)" || true
  [ -n "$code" ] && [ "$code" != 000 ]
}

# require_healthy SPEC...: every service really works, else say which and return 1. SPEC is NAME=URL (an
# HTTP health URL answering 2xx), NAME=s3:PORT (the S3 store answers on PORT) or NAME (a worker: alive).
require_healthy() {
  local spec name check failed=0
  for spec in "$@"; do
    name="${spec%%=*}"; check="${spec#*=}"
    if ! is_running "$name"; then
      log "UNHEALTHY: $name is not running; see $VAR/log/$name.log"; failed=1; continue
    fi
    [ "$check" = "$spec" ] && continue
    case "$check" in
      s3:*) s3_answers "${check#s3:}" ||
              { log "UNHEALTHY: $name does not answer on port ${check#s3:}; see $VAR/log/$name.log"; failed=1; } ;;
      *) curl -fsS -m 5 -o /dev/null "$check" 2>/dev/null ||
           { log "UNHEALTHY: $name does not answer at $check; see $VAR/log/$name.log"; failed=1; } ;;
    esac
  done
  return "$failed"
}

is_current() {  # is_current NAME: running, started with the environment of this shell
  is_running "$1" && [ "$(cat "$VAR/run/$1.env-sha256" 2>/dev/null)" = "$(env_hash)" ]
}

is_running() {  # is_running NAME: a process started by start_process/start_s3 is alive
  local pidfile="$VAR/run/$1.pid"
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

free_port() {
  "$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

ensure_browser() {  # Debian Chromium (and a CJK font for readable screenshots) for the e2e tests
  [ -x /usr/bin/chromium ] && return
  log "installing Chromium for the browser tests"
  apt-get install -y -q chromium fonts-wqy-microhei >/dev/null 2>&1 ||
    (apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-wqy-microhei >/dev/null)
}

ensure_office() {  # LibreOffice (PDF rendering of notices, kept warm through python3-uno) and CJK fonts
  # grep reads all of fc-list's output (no -q): an early exit would fail the pipe under pipefail.
  if ! { command -v soffice >/dev/null && fc-list 2>/dev/null | grep -i "Noto Serif CJK" >/dev/null &&
         /usr/bin/python3 -c "import uno" 2>/dev/null; }; then
    log "installing LibreOffice and CJK fonts for PDF rendering"
    apt-get install -y -q libreoffice-writer-nogui python3-uno fonts-noto-cjk poppler-utils >/dev/null 2>&1 ||
      (apt-get update -q >/dev/null &&
       apt-get install -y -q libreoffice-writer-nogui python3-uno fonts-noto-cjk poppler-utils >/dev/null)
  fi
  ensure_official_fonts
}

FANDOL_DIR=/usr/local/share/fonts/fandol
ensure_official_fonts() {  # free faces for the four official styles: FandolSong/Fang/Kai/Hei
  # Debian ships them only inside texlive-lang-chinese (49 MB, with TeX around them): the package is
  # downloaded by apt and only the six OpenType faces and their licence are unpacked for fontconfig.
  fc-list 2>/dev/null | grep "FandolKai" >/dev/null && return
  log "installing the Fandol fonts (宋/仿宋/楷/黑) for PDF rendering"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && { apt-get download -q texlive-lang-chinese >/dev/null 2>&1 ||
                  { apt-get update -q >/dev/null && apt-get download -q texlive-lang-chinese >/dev/null 2>&1; }; })
  mkdir -p "$FANDOL_DIR"
  dpkg-deb --fsys-tarfile "$tmp"/texlive-lang-chinese_*.deb |
    tar -x -C "$tmp" --wildcards './usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol[FHKS]*' \
      './usr/share/doc/texlive-doc/fonts/fandol/*'
  cp "$tmp"/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/*.otf \
     "$tmp"/usr/share/doc/texlive-doc/fonts/fandol/* "$FANDOL_DIR"/
  rm -rf "$tmp"
  fc-cache -f "$FANDOL_DIR" >/dev/null
}

ensure_frontend() {  # npm packages once (again when the lock changes)
  # `npm install` with the committed lock installs the locked versions; `npm ci` is not used because
  # npm 11 refuses this lock for the platform packages of rollup it does not list.
  (cd "$ROOT/frontend" &&
    if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
      npm install --no-audit --no-fund >/dev/null 2>&1 && touch node_modules
    fi)
}

wait_http() {  # wait_http URL NAME
  for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return; sleep 0.2; done
  log "$2 did not answer at $1; see $VAR/log/$2.log"; exit 1
}
