#!/usr/bin/env bash
# cdn.sh: install Varnish, and start or stop one varnishd on 127.0.0.1 in
# front of an origin, with internal/cdnharness/cdn.vcl (see its comments).
#
#   scripts/cdn.sh install                        apt-get install varnish if missing
#   scripts/cdn.sh env                            install, then write $CAIRN_CDN_DIR/env (CAIRN_TEST_VARNISHD)
#   scripts/cdn.sh start HOST:PORT [ORIGIN_HOST]  start varnishd in front of HOST:PORT
#   scripts/cdn.sh stop                           stop it, by PID
#   scripts/cdn.sh stats                          origin requests and cache hits so far
#
# The tests and `cairn bench` start their own varnishd from CAIRN_TEST_VARNISHD;
# start is for trying the CDN by hand, e.g. in front of MinIO:
#
#   scripts/realparts.sh start minio && . /tmp/cairn-realparts/env
#   scripts/cdn.sh start "${CAIRN_TEST_S3_ENDPOINT#http://}" && . /tmp/cairn-cdn/env
#   curl -si "$CAIRN_CDN_URL/$CAIRN_TEST_S3_BUCKET/<prefix>/<env>/ruleset.json"
#   curl -si -X PURGE "$CAIRN_CDN_URL/$CAIRN_TEST_S3_BUCKET/<prefix>/<env>/ruleset.json"
#
# ORIGIN_HOST is the Host header sent to the origin (default HOST:PORT);
# fake-gcs-server needs its -public-host there.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE=${CAIRN_CDN_DIR:-/tmp/cairn-cdn}
VCL=internal/cdnharness/cdn.vcl

log() { printf 'cdn: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

varnishd_bin() { command -v varnishd || { [[ -x /usr/sbin/varnishd ]] && echo /usr/sbin/varnishd; } || true; }

cmd_install() {
	if [[ -n $(varnishd_bin) ]]; then
		log "varnish already installed: $("$(varnishd_bin)" -V 2>&1 | head -1)"
		return
	fi
	log "installing varnish with apt-get (a few seconds)"
	local sudo=()
	((EUID == 0)) || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq varnish >/dev/null
	# The package starts a system-wide varnishd on port 6081; we want none.
	if command -v systemctl >/dev/null && systemctl is-active --quiet varnish 2>/dev/null; then
		"${sudo[@]}" systemctl stop varnish || true
	fi
	[[ -n $(varnishd_bin) ]] || die "varnishd not found after installing"
}

cmd_env() {
	cmd_install
	mkdir -p "$STATE"
	echo "export CAIRN_TEST_VARNISHD=$(varnishd_bin)" >"$STATE/env"
	log "env file: $STATE/env"
}

cmd_start() {
	local backend=${1:-}
	[[ $backend == *:* ]] || die "usage: $0 start HOST:PORT [ORIGIN_HOST]"
	local origin_host=${2:-$backend}
	[[ ! -f $STATE/varnishd.pid ]] || die "already started ($STATE/varnishd.pid); run stop first"
	cmd_install
	mkdir -p "$STATE"
	sed -e "s/@@BACKEND_HOST@@/${backend%:*}/" -e "s/@@BACKEND_PORT@@/${backend##*:}/" \
		-e "s/@@ORIGIN_HOST@@/$origin_host/" -e "s/@@FETCH_TIMEOUT@@/2s/" "$VCL" >"$STATE/cdn.vcl"
	local port
	port=$(free_port)
	# -j none: the state directory is ours, not the varnish user's.
	"$(varnishd_bin)" -j none -a "127.0.0.1:$port" -T none -n "$STATE/work" -f "$STATE/cdn.vcl" \
		-s malloc,64m -P "$STATE/varnishd.pid" >"$STATE/varnishd.log" 2>&1 || {
		cat "$STATE/varnishd.log" >&2
		die "varnishd did not start"
	}
	local i
	for i in $(seq 1 100); do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
	{
		echo "export CAIRN_TEST_VARNISHD=$(varnishd_bin)"
		echo "export CAIRN_CDN_URL=http://127.0.0.1:$port"
		echo "export CAIRN_CDN_WORKDIR=$STATE/work"
	} >"$STATE/env"
	log "varnishd: http://127.0.0.1:$port -> $backend (pid $(cat "$STATE/varnishd.pid")); env file: $STATE/env"
}

cmd_stop() {
	[[ -f $STATE/varnishd.pid ]] || return 0
	stop_pid varnishd "$(cat "$STATE/varnishd.pid")" 5
	rm -f "$STATE/varnishd.pid" "$STATE/env"
}

cmd_stats() {
	varnishstat -n "$STATE/work" -1 -f MAIN.client_req -f MAIN.cache_hit -f MAIN.cache_hit_grace \
		-f MAIN.cache_miss -f MAIN.backend_req -f MAIN.backend_fail
}

case ${1:-} in
install | env | start | stop | stats)
	sub=$1
	shift
	"cmd_$sub" "$@"
	;;
*) die "usage: $0 install|env|start HOST:PORT [ORIGIN_HOST]|stop|stats" ;;
esac
