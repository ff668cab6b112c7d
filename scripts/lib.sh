# Shared by the test-server scripts; sourced, never run. The sourcing
# script defines die() and log().

# free_port prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	# Below the kernel's ephemeral range: a port there can be taken at any
	# moment as the local end of an outgoing connection, and binding it then
	# fails although nothing listens (seen: fake-gcs-server "address already
	# in use" on a port this probe had found free).
	local p i low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	((low > 12000)) || low=32768
	for i in $(seq 1 100); do
		p=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

# stop_pid NAME PID SECONDS stops a server: TERM, then KILL if it is still
# there after SECONDS.
stop_pid() {
	local name=$1 pid=$2 seconds=$3 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 $((seconds * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name: pid $pid ignored TERM for $seconds s; killing"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	log "$name: stopped pid $pid"
}
