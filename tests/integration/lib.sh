# SPDX-License-Identifier: GPL-2.0-only
# Shared by the integration tests: a private run directory, the daemons,
# guests from generated configs, and assertions on what they print.

: "${top_builddir:?run through make check}"
: "${top_srcdir:?run through make check}"
B=$top_builddir
PAL=$B/pal
PVTEST=$B/guests/pvtest/pvtest
HVMTEST=$B/guests/hvmtest/hvmtest
passed=0
failed=0

# Re-run this test where /dev/kvm works: here, or in a QEMU VM (77 = skip;
# PALISADE_FORCE_VM=1 takes the VM even here). scripts/check starts one VM
# for all the tests instead, so inside it this is a no-op.
need_kvm() {
	if { [ ! -w /dev/kvm ] || [ -n "${PALISADE_FORCE_VM:-}" ]; } &&
	    [ -z "${PALISADE_IN_VM:-}" ]; then
		exec "$top_srcdir/tests/vm/run-in-vm" bash "$0" "$@"
	fi
	if [ ! -w /dev/kvm ]; then
		echo "SKIP: /dev/kvm is not usable here and no VM could provide it" >&2
		exit 77
	fi
}

start_palisade() {
	export PALISADE_RUNDIR
	PALISADE_RUNDIR=$(mktemp -d /tmp/palisade-test.XXXXXX)
	export PALISADE_LABELDB=$PALISADE_RUNDIR/resource-labels
	export PALISADE_VTPM_DIR=$PALISADE_RUNDIR/vtpm
	trap stop_palisade EXIT
	"$PAL" up >/dev/null || { echo "pal up failed"; cat "$PALISADE_RUNDIR"/*.log; exit 1; }
}

stop_palisade() {
	"$PAL" down >/dev/null 2>&1
	if [ "$failed" -ne 0 ] || [ -n "${VERBOSE:-}" ]; then
		for l in palisade-hv palstored palblkback; do
			[ -f "$PALISADE_RUNDIR/$l.log" ] || continue
			echo "--- $l.log"
			tail -n 60 "$PALISADE_RUNDIR/$l.log"
		done
	fi
	rm -rf "$PALISADE_RUNDIR"
}

# kill_daemon NAME: kill -9 a dom0 daemon and wait until it is dead (a
# zombie has closed its sockets), so that 'pal up' does not find it
# still answering.
kill_daemon() {
	local pid
	pid=$(cat "$PALISADE_RUNDIR/$1.pid") || return 1
	kill -9 "$pid"
	for _ in $(seq 200); do
		[ -d "/proc/$pid" ] || return 0
		grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "kill_daemon: $1 ($pid) still running"
}

ok() { passed=$((passed + 1)); echo "ok: $*"; }
nok() { failed=$((failed + 1)); echo "FAILED: $*"; }
# extended HEX: what a SHA-256 PCR holds after one extend of HEX from zeros.
extended() { { head -c 32 /dev/zero; echo -n "$1" | xxd -r -p; } | sha256sum | cut -d' ' -f1; }

# write_cfg NAME MEM_MB EXTRA [VCPUS] [more settings...]: prints the path
# (GUEST_KERNEL and GUEST_TYPE, when set, give another kernel and type=)
write_cfg() {
	local f=$PALISADE_RUNDIR/$1.cfg
	{
		echo "name = \"$1\""
		echo "kernel = \"${GUEST_KERNEL:-$PVTEST}\""		# hvm.test: hvmtest
		[ -n "${GUEST_TYPE:-}" ] && echo "type = \"$GUEST_TYPE\""
		echo "memory = $2"
		echo "extra = \"$3\""
		echo "vcpus = ${4:-1}"
		shift 4 2>/dev/null || shift $#
		for s in "$@"; do echo "$s"; done
	} > "$f"
	echo "$f"
}

# run_suite NAME MEM EXTRA [VCPUS]: boot pvtest on the console; every check
# must pass and the guest must power off.
run_suite() {
	local name=$1 cfg out rc
	cfg=$(write_cfg "$@")
	out=$PALISADE_RUNDIR/$name.out
	timeout 120 "$PAL" create -c "$cfg" > "$out" 2>&1
	rc=$?
	sed "s/^/  [$name] /" "$out"
	[ $rc -eq 124 ] && "$PAL" destroy "$name" >/dev/null 2>&1	# not to hold its devices
	if [ $rc -ne 0 ]; then
		nok "$name: pal create -c exited $rc"
	elif grep -q '^FAIL' "$out"; then
		nok "$name: a check failed"
	elif ! grep -q '^\(pv\|hvm\)test: [0-9]* checks, 0 failed' "$out"; then
		nok "$name: no summary line"
	else
		ok "$name: $(grep -c '^PASS' "$out") checks passed"
	fi
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
