#!/usr/bin/env bash
# Makes a development CA, a server certificate (localhost, 127.0.0.1, ::1) and a client
# certificate in the given folder, with the openssl CLI. Keys stay out of git.
set -euo pipefail
out=${1:-certs/dev}
mkdir -p "$out"
cd "$out"
[ -f ca.pem ] && [ -f server.pem ] && [ -f client.pem ] && exit 0
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
  -subj "/CN=bbs dev CA" -keyout ca.key -out ca.pem 2>/dev/null
for who in server client; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=bbs-$who" \
    -keyout "$who.key" -out "$who.csr" 2>/dev/null
  if [ "$who" = server ]; then
    ext="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth"
  else
    ext="subjectAltName=DNS:bbs-client
extendedKeyUsage=clientAuth"
  fi
  openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 \
    -extfile <(echo "$ext") -out "$who.pem" 2>/dev/null
  rm -f "$who.csr"
done
echo "dev certificates in $PWD"
