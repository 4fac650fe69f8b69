# SPDX-License-Identifier: GPL-2.0-only
# Debian's own kernel as a PV guest, for linux-boot.test and linux.test:
# the kernel and the test initramfs, Palisade started, how a guest is
# launched and landed, and what its init (guests/linux/init) printed.
. "$top_srcdir/tests/integration/lib.sh"
need_kvm

kernel=$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -z "$kernel" ]; then
	echo "FAILED: no Debian kernel in /boot (scripts/install-deps installs linux-image-amd64)"
	exit 1
fi
kver=${kernel#/boot/vmlinuz-}
initrd=$("$top_srcdir/guests/linux/mkinitramfs" "$B/guests/linux" "$kver") || exit 1
start_palisade
sha() { sha256sum | cut -c1-16; }
vif() { echo "vif = [ 'mac=00:16:3e:00:01:$1, bridge=sw0, vlan=$2' ]"; }

# launch NAME VCPUS EXTRA [SETTINGS...]: pal create -c, in the background;
# landed NAME: its console, once it has powered off.
declare -A pids
launch() {
	local name=$1 vcpus=$2 extra=$3 cfg
	shift 3
	cfg=$(GUEST_KERNEL=$kernel write_cfg "$name" 256 "console=hvc0 watchdog_thresh=60 palisade=$name $extra" \
	    "$vcpus" "ramdisk = \"$initrd\"" "$@")
	timeout 900 "$PAL" create -c "$cfg" > "$PALISADE_RUNDIR/$name.out" 2>&1 &
	pids[$name]=$!
}
landed() {
	local out=$PALISADE_RUNDIR/$1.out rc d
	wait "${pids[$1]}"
	rc=$?
	grep -a -E 'linux-init:|Kernel panic|BUG|Oops|RIP:' "$out" | sed "s/^/  [$1] /"
	[ $rc -eq 0 ] && ok "$1: pal create -c returned when it powered off" && return
	nok "$1: pal create -c exited $rc"
	# The kernel's report from its first line, and the hypervisor's lines
	# about each instance of the domain.
	sed -n '/BUG\|Oops\|general protection\|unable to handle\|invalid opcode\|double fault/,$p' "$out" |
		head -n 60 | sed "s/^/  [$1] /"
	for d in $(sed -n "s/.* d\([0-9]*\): created '$1'.*/\1/p" "$PALISADE_RUNDIR/palisade-hv.log"); do
		grep -a "d$d[: ]" "$PALISADE_RUNDIR/palisade-hv.log" | grep -v runstate_publish | tail -n 30 | cut -c1-300
	done
}
boot() { launch "$@"; landed "$1"; }
console() { tr -d '\r' < "$PALISADE_RUNDIR/$1.out"; }	# NAME: its console so far
# printed NAME KEY [N]: wait (up to 10 minutes) until its init has printed
# KEY N times (1).
printed() {
	local i
	for i in $(seq 600); do
		[ "$(console "$1" | grep -a -c "^linux-init: $2")" -ge "${3:-1}" ] &&
			return 0
		kill -0 "${pids[$1]}" 2>/dev/null || return 1
		sleep 1
	done
	return 1
}
field() {	# NAME KEY: what its init printed after "linux-init: KEY "
	console "$1" | grep -a "^linux-init: $2 " | head -n 1 |
		sed "s/^linux-init: $2 //"
}
# label NAME: the hosting policy's (policies/hosting.xml) VM label NAME.
label() { echo "seclabel = 'ACM:hosting:$1'"; }
# launch_pcr NAME I: what PCR I (4, 5, 8) holds after the launch of NAME: the
# kernel, the ramdisk, the command line its init printed.
launch_pcr() {
	case $2 in
	4) extended "$(sha256sum < "$kernel" | cut -d' ' -f1)" ;;
	5) extended "$(sha256sum < "$initrd" | cut -d' ' -f1)" ;;
	8) extended "$(echo -n "$(field "$1" cmdline)" | sha256sum | cut -d' ' -f1)" ;;
	esac
}
# check_pcrs NAME: PCRs 4, 5 and 8 as its init read them with tpm2_pcrread
# (tpm=1) are those of its launch.
check_pcrs() {
	local n=$1
	pcr() { field "$n" "pcr $1" | tr A-F a-f; }
	[ "$(pcr 4)" = "$(launch_pcr "$n" 4)" ] && [ "$(pcr 5)" = "$(launch_pcr "$n" 5)" ] &&
		[ "$(pcr 8)" = "$(launch_pcr "$n" 8)" ] &&
		ok "$n: tpm2_pcrread over xen-tpmfront: PCRs 4, 5, 8 hold the kernel, ramdisk and command line" ||
		nok "$n: PCRs 4 '$(pcr 4)' 5 '$(pcr 5)' 8 '$(pcr 8)' $(field "$n" 'tpm2_pcrread failed:')"
}
