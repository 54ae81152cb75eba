# .ci/cgroup-leaf: inside a container's own cgroup namespace on cgroup2 (a
# hosted CI runner's container job), the root cgroup holds the container's
# processes and the kernel refuses to give a controller to its children
# until they are moved to a leaf. Reproduced here with a cgroup of our own
# in the cgroup2 hierarchy as the namespace's root, and a controller that
# hierarchy has free (pids is v1's on this hybrid machine: hugetlb, as the
# script's CGROUP_LEAF_CONTROLLER allows). And on the host's namespace it
# must move nothing.
. "$(dirname "$0")/../lib.sh"

U=/sys/fs/cgroup/unified
LEAF=$ROOT/.ci/cgroup-leaf
if [ "$(id -u)" -ne 0 ] || [ ! -f "$U/cgroup.controllers" ] || ! grep -qw hugetlb "$U/cgroup.controllers"; then
	skip "cgroup-leaf: needs root and a cgroup2 hierarchy at $U with hugetlb free"
	exit 0
fi
enabled_before=$(grep -cw hugetlb "$U/cgroup.subtree_control")
[ "$enabled_before" -eq 1 ] || echo +hugetlb >"$U/cgroup.subtree_control"
G=$U/reapbench-leaftest-$$
mkdir "$G"
M=$TMP/cg2
mkdir -p "$M"

# A shell in G, then in a cgroup namespace of its own (rooted at G) and a
# mount namespace where cgroup2 is mounted at M: G is its root, with a
# process in it. Before: enabling is refused; then the script; after: the
# controller is there, the processes are in init, the root holds none.
sh -c "echo \$\$ >'$G/cgroup.procs' && exec unshare --cgroup --mount --propagation private sh -c '
	mount -t cgroup2 none \"$M\" || exit 9
	if echo +hugetlb >\"$M/cgroup.subtree_control\" 2>/dev/null; then echo before=enabled; else echo before=refused; fi
	CGROUP_ROOT=\"$M\" CGROUP_LEAF_CONTROLLER=hugetlb \"$LEAF\"; echo rc=\$?
	echo after=\$(cat \"$M/cgroup.subtree_control\")
	echo root_procs=\$(wc -l <\"$M/cgroup.procs\") init_procs=\$(wc -l <\"$M/init/cgroup.procs\")
	CGROUP_ROOT=\"$M\" CGROUP_LEAF_CONTROLLER=hugetlb \"$LEAF\"; echo again=\$?
'" >"$TMP/out" 2>&1
got=$(grep -E '^(before|rc|after|root_procs|again)=' "$TMP/out" | sed 's/init_procs=[1-9][0-9]*/init_procs=some/' | tr '\n' ' ')
expect_eq "cgroup-leaf in a container's namespace: refused before, moved to init, enabled, idempotent" \
	"$got" "before=refused rc=0 after=hugetlb root_procs=0 init_procs=some again=0 "
grep -q 'moved the processes of .* to .*/init; hugetlb enabled for the children' "$TMP/out" \
	&& ok "cgroup-leaf says what it moved" || { notok "cgroup-leaf message"; diag <"$TMP/out"; }

# The host's cgroup namespace: G2 (not a namespace root) holds a process and
# refuses the controller; the script must refuse too and move nothing. (Only
# where this test runs in the host's namespace itself.)
rmdir "$G/init" 2>/dev/null
G2=$U/reapbench-leaftest2-$$
if [ "$(stat -L -c %i /proc/self/ns/cgroup)" = 4026531835 ]; then
	mkdir "$G2"
	sleep 30 &
	sleeper=$!
	echo "$sleeper" >"$G2/cgroup.procs"
	CGROUP_ROOT=$G2 CGROUP_LEAF_CONTROLLER=hugetlb "$LEAF" >"$TMP/out" 2>&1; rc=$?
	expect_eq "cgroup-leaf in the host's namespace: exit 1, nothing moved (no init, the sleeper still in place)" \
		"$rc/$([ -d "$G2/init" ] && echo init || echo none)/$(cat "$G2/cgroup.procs")" "1/none/$sleeper"
	grep -q "this is the host's cgroup namespace" "$TMP/out" && ok "cgroup-leaf says why it moved nothing" \
		|| { notok "cgroup-leaf host message"; diag <"$TMP/out"; }
	kill "$sleeper"
	wait "$sleeper" 2>/dev/null
else
	skip "cgroup-leaf on the host's namespace: this test runs in a cgroup namespace of its own"
fi

# Leave the hierarchy as it was.
for d in "$G/init" "$G" "$G2"; do
	[ -d "$d" ] && for i in 1 2 3 4 5; do rmdir "$d" 2>/dev/null && break; sleep 0.2; done
done
[ "$enabled_before" -eq 1 ] || echo -hugetlb >"$U/cgroup.subtree_control"
expect_eq "cgroup-leaf test: its cgroups removed, the hierarchy's controllers as before" \
	"$(ls -d "$U"/reapbench-leaftest* 2>/dev/null | wc -l)/$(grep -cw hugetlb "$U/cgroup.subtree_control")" \
	"0/$enabled_before"
