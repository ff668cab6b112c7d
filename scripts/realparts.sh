#!/usr/bin/env bash
# realparts.sh: install, start and stop the real servers Cairn's integration
# tests run against, on 127.0.0.1 only (see /work/shared/REALPARTS.md).
#
#   scripts/realparts.sh install [minio|gcs|toxiproxy ...]  install what is missing (pinned)
#   scripts/realparts.sh start   [minio|gcs|toxiproxy ...]  start them (default: minio gcs)
#   scripts/realparts.sh stop                               stop everything started, by PID
#   scripts/realparts.sh status                             show what runs
#
# start writes $CAIRN_REALPARTS_DIR/env (default /tmp/cairn-realparts/env);
# source it before `go test`:
#
#   scripts/realparts.sh start && . /tmp/cairn-realparts/env && go test ./publisher/...
#
# Variables in the env file: CAIRN_TEST_S3_ENDPOINT, CAIRN_TEST_S3_BUCKET,
# CAIRN_TEST_S3_REGION, CAIRN_TEST_S3_ACCESS_KEY, CAIRN_TEST_S3_SECRET_KEY,
# CAIRN_TEST_GCS_ENDPOINT, CAIRN_TEST_GCS_BUCKET, CAIRN_TEST_TOXIPROXY_URL.
set -euo pipefail

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
FAKEGCS_VERSION=v1.56.1
TOXIPROXY_VERSION=v2.12.0

STATE=${CAIRN_REALPARTS_DIR:-/tmp/cairn-realparts}
BIN=${GOBIN:-$(go env GOPATH)/bin}
BUCKET=${CAIRN_REALPARTS_BUCKET:-cairn-test}

log() { printf 'realparts: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# module and binary of each part
mod_of() {
	case $1 in
	minio) echo "github.com/minio/minio@$MINIO_VERSION" ;;
	gcs) echo "github.com/fsouza/fake-gcs-server@$FAKEGCS_VERSION" ;;
	toxiproxy) echo "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION" ;;
	*) die "unknown part $1 (want minio, gcs or toxiproxy)" ;;
	esac
}
bin_of() {
	case $1 in
	minio) echo "$BIN/minio" ;;
	gcs) echo "$BIN/fake-gcs-server" ;;
	toxiproxy) echo "$BIN/server" ;;
	esac
}

# main module path of each part's binary, as `go version -m` reports it
path_of() {
	case $1 in
	minio) echo github.com/minio/minio ;;
	gcs) echo github.com/fsouza/fake-gcs-server ;;
	toxiproxy) echo github.com/Shopify/toxiproxy/v2 ;;
	esac
}

# installed reports whether the binary of $1 exists and was built from the
# pinned module version.
installed() {
	local bin want
	bin=$(bin_of "$1")
	want="$(path_of "$1") $(mod_of "$1" | sed 's/.*@//')"
	[[ -x $bin ]] || return 1
	go version -m "$bin" 2>/dev/null | awk '$1 == "mod" { print $2, $3 }' | grep -qxF "$want"
}

cmd_install() {
	local parts=("$@")
	((${#parts[@]})) || parts=(minio gcs toxiproxy)
	local pids=() part
	for part in "${parts[@]}"; do
		if installed "$part"; then
			log "$part: pinned version already installed at $(bin_of "$part")"
			continue
		fi
		log "$part: go install $(mod_of "$part") (minutes on an empty cache)"
		GOFLAGS=-buildvcs=false go install "$(mod_of "$part")" &
		pids+=($!)
	done
	local failed=0 pid
	for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
	((failed == 0)) || die "install failed"
}

# wait_http waits until URL answers with any HTTP status, up to 30 s.
wait_http() {
	local url=$1 i
	for i in $(seq 1 300); do
		if curl -s -o /dev/null --max-time 1 "$url"; then return 0; fi
		sleep 0.1
	done
	return 1
}

# launch NAME CMD...: start CMD in the background with its log and PID file.
launch() {
	local name=$1
	shift
	nohup "$@" >"$STATE/$name.log" 2>&1 &
	echo $! >"$STATE/$name.pid"
}

start_minio() {
	local port console user secret
	port=$(free_port)
	console=$(free_port)
	user=cairn-$RANDOM$RANDOM
	secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
	mkdir -p "$STATE/minio-data"
	MINIO_ROOT_USER=$user MINIO_ROOT_PASSWORD=$secret MINIO_BROWSER=off \
		launch minio "$(bin_of minio)" server "$STATE/minio-data" \
		--address "127.0.0.1:$port" --console-address "127.0.0.1:$console"
	local url=http://127.0.0.1:$port
	wait_http "$url/minio/health/live" || die "minio did not start; see $STATE/minio.log"
	local s3=(curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" -u "$user:$secret")
	"${s3[@]}" -X PUT "$url/$BUCKET" >/dev/null || die "minio: create bucket $BUCKET failed"
	# Anonymous reads, as a CDN in front of the bucket needs. curl signs a
	# body only when given its hash.
	local policy
	policy=$(printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/*"]}]}' "$BUCKET")
	"${s3[@]}" -X PUT -H "x-amz-content-sha256: $(printf %s "$policy" | sha256sum | cut -d' ' -f1)" \
		--data-binary "$policy" "$url/$BUCKET?policy=" >/dev/null || die "minio: bucket policy failed"
	cat >"$STATE/minio.env" <<-ENV
		export CAIRN_TEST_S3_ENDPOINT=$url
		export CAIRN_TEST_S3_BUCKET=$BUCKET
		export CAIRN_TEST_S3_REGION=us-east-1
		export CAIRN_TEST_S3_ACCESS_KEY=$user
		export CAIRN_TEST_S3_SECRET_KEY=$secret
	ENV
	log "minio: $url bucket $BUCKET"
}

start_gcs() {
	local port
	port=$(free_port)
	launch gcs "$(bin_of gcs)" -scheme http -host 127.0.0.1 -port "$port" -backend memory \
		-public-host "127.0.0.1:$port" -external-url "http://127.0.0.1:$port" -log-level warn
	local url=http://127.0.0.1:$port
	wait_http "$url/storage/v1/b" || die "fake-gcs-server did not start; see $STATE/gcs.log"
	curl -sf -X POST -H 'Content-Type: application/json' --data "{\"name\":\"$BUCKET\"}" \
		"$url/storage/v1/b?project=cairn-test" >/dev/null || die "fake-gcs-server: create bucket $BUCKET failed"
	cat >"$STATE/gcs.env" <<-ENV
		export CAIRN_TEST_GCS_ENDPOINT=$url
		export CAIRN_TEST_GCS_BUCKET=$BUCKET
	ENV
	log "fake-gcs-server: $url bucket $BUCKET"
}

start_toxiproxy() {
	local port
	port=$(free_port)
	launch toxiproxy "$(bin_of toxiproxy)" -host 127.0.0.1 -port "$port"
	wait_http "http://127.0.0.1:$port/version" || die "toxiproxy did not start; see $STATE/toxiproxy.log"
	echo "export CAIRN_TEST_TOXIPROXY_URL=http://127.0.0.1:$port" >"$STATE/toxiproxy.env"
	log "toxiproxy: http://127.0.0.1:$port"
}

cmd_start() {
	local parts=("$@")
	((${#parts[@]})) || parts=(minio gcs)
	command -v curl >/dev/null || die "curl is needed"
	mkdir -p "$STATE"
	local part
	for part in "${parts[@]}"; do
		[[ ! -f $STATE/$part.pid ]] || die "$part already started ($STATE/$part.pid); run stop first"
	done
	cmd_install "${parts[@]}"
	# A failed start leaves nothing running.
	trap cmd_stop EXIT
	for part in "${parts[@]}"; do "start_$part"; done
	trap - EXIT
	cat "$STATE"/*.env >"$STATE/env"
	log "env file: $STATE/env"
}

cmd_stop() {
	[[ -d $STATE ]] || return 0
	local pidfile name
	for pidfile in "$STATE"/*.pid; do
		[[ -e $pidfile ]] || continue
		name=$(basename "$pidfile" .pid)
		stop_pid "$name" "$(cat "$pidfile")" 10
		rm -f "$pidfile" "$STATE/$name.env"
	done
	rm -rf "$STATE/minio-data" "$STATE/env"
}

cmd_status() {
	local pidfile
	for pidfile in "$STATE"/*.pid; do
		[[ -e $pidfile ]] || { log "nothing started"; return; }
		if kill -0 "$(cat "$pidfile")" 2>/dev/null; then
			log "$(basename "$pidfile" .pid): running, pid $(cat "$pidfile")"
		else
			log "$(basename "$pidfile" .pid): pid $(cat "$pidfile") is gone"
		fi
	done
	[[ ! -f $STATE/env ]] || cat "$STATE/env"
}

case ${1:-} in
install | start | stop | status)
	sub=$1
	shift
	"cmd_$sub" "$@"
	;;
*) die "usage: $0 install|start|stop|status [minio|gcs|toxiproxy ...]" ;;
esac
