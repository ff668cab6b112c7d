#!/usr/bin/env bash
# quickstart.sh: Cairn end to end on this machine, in about a minute on a warm
# build cache, everything on 127.0.0.1 and stopped at the end:
#
#   1. cairn init        a flag directory with an example flag
#   2. cairn publish     the production ruleset to a local directory
#   3. cairn serve       that directory over HTTP, as a CDN origin would
#   4. an SDK client     (examples/quickstart) polls it and evaluates the flag
#                        for 1,000 users on every change
#   5. cairn flag …      raises the rollout, then switches the flag off,
#                        straight in the published ruleset; the client shows
#                        each change arriving
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/cairn-quickstart.XXXXXX")
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

if [[ -t 1 ]]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
run() { printf '$'; printf ' %q' "$@"; printf '\n'; "$@"; }

say "building cairn and the SDK client (first build takes a minute or two)"
go build -o "$work/bin/cairn" ./cmd/cairn
go build -o "$work/bin/quickstart-client" ./examples/quickstart
export PATH=$work/bin:$PATH
cd "$work"

say "1. a flag directory"
run cairn init flags
run cairn validate flags

say "2. publish production to a local directory (a stand-in for a bucket)"
run cairn publish flags --env production --to "file://$work/site" -m "first publish"

say "3. serve it on 127.0.0.1 as a CDN origin would"
cairn serve site --addr 127.0.0.1:0 >serve.out 2>serve.log &
pids+=($!)
for _ in $(seq 1 100); do
	addr=$(sed -n 's|^serving .* on http://\(.*\)/$|\1|p' serve.out)
	[[ -n $addr ]] && break
	sleep 0.1
done
[[ -n ${addr:-} ]] || { cat serve.log >&2; echo "cairn serve did not start" >&2; exit 1; }
url=http://$addr/production/ruleset.json
echo "serving $url"
if command -v curl >/dev/null; then
	run curl -sS -o /dev/null -D - --compressed "$url" | grep -iE '^(HTTP|etag|cache-control|content-type|content-encoding)' || true
fi

say "4. an SDK client evaluates new-checkout for 1,000 users, live"
quickstart-client -url "$url" -until 3 -timeout 60s &
client=$!
sleep 2

say "5a. raise the rollout to 50%, straight in the published ruleset"
run cairn flag rollout new-checkout 50 --env production --to "file://$work/site"
sleep 2

say "5b. kill switch: turn the flag off"
run cairn flag disable new-checkout --env production --to "file://$work/site"

wait "$client"

say "the history of production"
run cairn history --env production --to "file://$work/site"

say "the origin's access log (last lines)"
tail -n 5 serve.log

say "done: everything stopped, $work removed"
