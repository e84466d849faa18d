# nginx in front of the Précis API replicas: Debian's nginx on the same base as the API image.
#   docker build -f docker/nginx.Dockerfile -t precis-nginx .
#   docker run -e NGINX_UPSTREAMS="api1:8000 api2:8000" -e NGINX_PORT=8080 precis-nginx
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
 && ln -sf /dev/stderr /var/log/nginx/error.log
COPY docker/nginx.conf /etc/precis/nginx.conf
COPY docker/nginx-entrypoint.sh /usr/local/bin/precis-nginx
EXPOSE 8080
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=10s --timeout=3s CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('NGINX_PORT', '8080') + '/nginx-health', timeout=2)"]
ENTRYPOINT ["precis-nginx"]
