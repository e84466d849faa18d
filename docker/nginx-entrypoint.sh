#!/bin/sh
# Writes /tmp/nginx.conf from docker/nginx.conf: NGINX_PORT to listen on, NGINX_UPSTREAMS
# (space-separated host:port of the API replicas), then runs nginx in the foreground.
set -eu
port="${NGINX_PORT:-8080}"
upstreams=""
for server in ${NGINX_UPSTREAMS:-api:8000}; do
    upstreams="${upstreams}server ${server} max_fails=1 fail_timeout=2s; "
done
sed -e "s/__LISTEN__/${port}/" -e "s/__UPSTREAMS__/${upstreams}/" /etc/precis/nginx.conf > /tmp/nginx.conf
exec nginx -c /tmp/nginx.conf -g "daemon off;"
