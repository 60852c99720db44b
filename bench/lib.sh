# Shared by the benchmarks: nginx on 127.0.0.1 answering every request with a fixed JSON body.
# start_nginx WORKDIR PORT BODY — started in the background; stop_nginx WORKDIR stops it.
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
