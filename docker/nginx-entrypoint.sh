#!/bin/sh
# Writes /tmp/nginx.conf from docker/nginx.conf: NGINX_PORT to listen on, NGINX_UPSTREAMS
# (space-separated host:port of the API replicas), then runs nginx in the foreground.
set -eu
port="${NGINX_PORT:-8080}"
# Each replica twice. As a primary, one failure takes it out of rotation for 2 s, so a
# replica that is restarting costs no request a refused connection. As a backup that is
# never marked down, it is still tried when every primary is marked: in a rolling restart
# the replica that just came back can still carry a stale mark when the next one stops,
# and without the backups nginx would answer 502 "no live upstreams" meanwhile.
primaries=""
backups=""
for server in ${NGINX_UPSTREAMS:-api:8000}; do
    primaries="${primaries}server ${server} max_fails=1 fail_timeout=2s; "
    backups="${backups}server ${server} backup max_fails=0; "
done
upstreams="${primaries}${backups}"
sed -e "s/__LISTEN__/${port}/" -e "s/__UPSTREAMS__/${upstreams}/" /etc/precis/nginx.conf > /tmp/nginx.conf
exec nginx -c /tmp/nginx.conf -g "daemon off;"
