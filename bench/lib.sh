# Shared by the benchmarks: nginx on 127.0.0.1 answering every request with a fixed JSON body, and
# the wrk scripts they send. start_nginx WORKDIR PORT BODY — started in the background; stop_nginx WORKDIR stops it.
start_nginx() {
    local work=$1 port=$2 body=$3
    cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    server { listen 127.0.0.1:$port; location / { default_type application/json; return 200 '$body'; } }
}
CONF
    nginx -c "$work/nginx.conf" -p "$work"
}

stop_nginx() { nginx -c "$1/nginx.conf" -p "$1" -s stop 2>/dev/null || true; }

# signed_nxlink_request BIN BODY OUT: a wrk script POSTing BODY to NXLink's call/list, signed now by
# BIN with the vendor's published sample credentials (FACTS.md), passed through the environment
# rather than the argument list; valid for a run of under a minute (NXLink's ±60 s window).
signed_nxlink_request() {
    local bin=$1 body=$2 out=$3
    NX_KEY=fme2na3kdi3ki NX_SECRET=abciiiko2k3 "$bin" --plugins plugins sign nxlink call/list "$body" \
        --cred accessKey=env:NX_KEY --cred accessSecret=env:NX_SECRET --json |
        python3 -c '
import json, sys
d = json.load(sys.stdin)
headers = ", ".join("[%s] = %s" % (json.dumps(k), json.dumps(v)) for k, v in d["headers"].items())
print("wrk.method = \"POST\"\nwrk.body = %s\nwrk.headers = { %s }" % (json.dumps(sys.argv[1]), headers))' "$body" > "$out"
}

# callback_post FILE OUT: a wrk script POSTing the JSON callback in FILE.
callback_post() {
    python3 - "$1" > "$2" <<'PY'
import json, sys
print('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s' % json.dumps(open(sys.argv[1]).read()))
PY
}
