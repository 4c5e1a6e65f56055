#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Turn the logs of a VM run into results ($RESULTS):
#   report.sh vm MODE BOOT [kunit]
#                         kselftest TAP from tests-BOOT.log, KUnit KTAP
#                         from console-BOOT.log (with "kunit"), kernel
#                         splats, kmemleak, VM status
#   report.sh summary     apply the expected-failure list, print the summary;
#                         exit 1 on any failure
. "$(dirname "$0")/lib.sh"

BOOT=$3
CONSOLE=$LOGDIR/console-$BOOT.log
TESTS=$LOGDIR/tests-$BOOT.log

if [ "$BASE" = ours ]; then
	XFAIL_LIST=$HARNESS/expected-failures.txt
elif [ "$BASE" = legacy ]; then
	# The legacy reference runs upstream 6.12's iommufd for /dev/iommu:
	# the tree's selftests fail there exactly as on BASE=upstream.
	XFAIL_LIST=$HARNESS/expected-failures-upstream.txt
else
	XFAIL_LIST=$HARNESS/expected-failures-$BASE.txt
fi

# kselftest TAP (and plain programs) from tests.log.
report_tests()
{
	tr -d '\r' <"$TESTS" | awk -v order="$BIN/order" -v boot="$BOOT" '
	function flush_prog(    n) {
		if (cur == "")
			return
		if (!ended) {
			printf "FAIL %s:(did not finish: killed, or the VM died)\n", cur
		} else if (ntap == 0) {
			if (rc == 0)
				printf "PASS %s\n", cur
			else if (rc == 4)
				printf "SKIP %s (exit status 4)\n", cur
			else
				printf "FAIL %s (exit status %d)\n", cur, rc
		} else {
			if (rc != 0 && rc != 1 && rc != 4)
				printf "FAIL %s:(exit status %d: crashed or timed out)\n", cur, rc
			if (plan > ntap)
				printf "FAIL %s:(%d of %d tests never reported)\n", cur, plan - ntap, plan
		}
		cur = ""
	}
	BEGIN {
		while ((getline l < order) > 0) {
			split(l, a, " ")
			if (a[1] == boot)
				want[++nwant] = a[2]
		}
	}
	/^@@ harness: begin / {
		flush_prog()
		cur = $4; ended = 0; ntap = 0; plan = 0; rc = -1
		seen[cur] = 1
		next
	}
	/^@@ harness: end / {
		ended = 1
		rc = $5; sub(/^rc=/, "", rc); rc += 0
		flush_prog()
		next
	}
	/^@@ harness: done/ { done = 1 }
	cur == "" { next }
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
	/^(not )?ok [0-9]+ / {
		line = $0
		st = "PASS"
		if (line ~ /^not ok/) {
			st = "FAIL"
			sub(/^not ok [0-9]+ /, "", line)
		} else {
			sub(/^ok [0-9]+ /, "", line)
		}
		note = ""
		if (match(line, / # [A-Za-z]+/)) {
			dir = toupper(substr(line, RSTART + 3, RLENGTH - 3))
			note = substr(line, RSTART + 3)
			line = substr(line, 1, RSTART - 1)
			if (dir == "SKIP")
				st = "SKIP"
			else if (dir == "XFAIL")
				st = "PASS"
			else if (dir == "XPASS" || dir == "TODO")
				st = "FAIL"
		}
		gsub(/ /, "_", line)
		ntap++
		printf "%s %s:%s%s\n", st, cur, line, note == "" ? "" : " (" note ")"
	}
	END {
		flush_prog()
		for (i = 1; i <= nwant; i++)
			if (!(want[i] in seen))
				printf "FAIL %s:(never started)\n", want[i]
	}' >>"$RESULTS"
}

report_kunit()
{
	local n

	if ! grep -qE '(KTAP|TAP) version [0-9]+' "$CONSOLE"; then
		if grep -qE '^CONFIG_[A-Z0-9_]*IOMMUFD[A-Z0-9_]*KUNIT[A-Z0-9_]*=y' \
			"$BUILD/.config"; then
			result FAIL "kunit:(no KTAP output on the console)"
		else
			say "    KUnit: no suites built in"
		fi
		return
	fi
	tr -d '\r' <"$CONSOLE" | python3 "$TREE/tools/testing/kunit/kunit.py" \
		parse --json="$LOGDIR/kunit.json" >"$LOGDIR/kunit.log" 2>&1
	if [ ! -s "$LOGDIR/kunit.json" ]; then
		result FAIL "kunit:(kunit.py parse failed; see $LOGDIR/kunit.log)"
		return
	fi
	python3 - "$LOGDIR/kunit.json" >>"$RESULTS" <<'EOF'
import json, sys

def walk(group, prefix):
    name = group.get("name", "")
    path = prefix + [name] if name else prefix
    for case in group.get("test_cases", []):
        st = case.get("status", "FAIL")
        st = {"PASS": "PASS", "SKIP": "SKIP"}.get(st, "FAIL")
        print("%s kunit:%s" % (st, ".".join(path + [case["name"]])))
    for sub in group.get("sub_groups", []):
        walk(sub, path)

data = json.load(open(sys.argv[1]))
# The top level is the whole run; its name is not part of a test name.
for sub in data.get("sub_groups", []):
    walk(sub, [])
for case in data.get("test_cases", []):
    print("FAIL kunit:%s (reported outside a suite)" % case["name"])
EOF
	n=$(grep -c ' kunit:' "$RESULTS")
	say "    KUnit: $n cases (log: $LOGDIR/kunit.log)"
}

# Kernel reports that fail the run whatever the tests said.
report_console()
{
	local pat='WARNING:|BUG:|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|Kernel panic|Oops|general protection fault|INFO: task .* blocked|detected stalls|possible circular locking'

	tr -d '\r' <"$CONSOLE" | grep -E "$pat" |
		sort | uniq -c | sort -rn | head -n 10 |
		while read -r count line; do
			result FAIL "kernel:$BOOT.console" "$line (x$count)"
		done
}

report_kmemleak()
{
	local n

	tr -d '\r' <"$TESTS" |
		sed -n '/^@@ harness: kmemleak begin/,/^@@ harness: kmemleak end/p' |
		grep -v '^@@ harness' >"$LOGDIR/kmemleak-$BOOT.log"
	grep -q '^@@ harness: kmemleak end' "$TESTS" ||
		{ result FAIL "kernel:$BOOT.kmemleak" "(no scan result)"; return; }
	n=$(grep -c '^unreferenced object' "$LOGDIR/kmemleak-$BOOT.log")
	if [ "$n" -gt 0 ]; then
		result FAIL "kernel:$BOOT.kmemleak" "($n leaks; see $LOGDIR/kmemleak-$BOOT.log)"
	else
		result PASS "kernel:$BOOT.kmemleak"
	fi
}

report_vm()
{
	local rc

	rc=$(cat "$LOGDIR/vm-$BOOT.rc" 2>/dev/null || echo missing)
	case "$rc" in
	0) ;;
	124|137) result FAIL "vm:$BOOT.timeout" "(killed after VM_TIMEOUT=${VM_TIMEOUT}s)" ;;
	*) result FAIL "vm:$BOOT.qemu" "(exit status $rc)" ;;
	esac
	if ! grep -q '^@@ harness: start' "$TESTS"; then
		result FAIL "vm:$BOOT.boot" "(init never started; see $CONSOLE)"
	elif ! grep -q '^@@ harness: done' "$TESTS"; then
		result FAIL "vm:$BOOT.finish" "(init never reached the end; see $CONSOLE)"
	fi
}

# Expected failures: FAIL -> XFAIL (skipped), PASS -> XPASS (failed).
apply_xfail()
{
	[ -f "$XFAIL_LIST" ] || return 0
	awk -v list="$XFAIL_LIST" '
	BEGIN {
		while ((getline l < list) > 0) {
			sub(/[ \t]*#.*$/, "", l)
			gsub(/^[ \t]+|[ \t]+$/, "", l)
			if (l != "")
				xfail[l] = 1
		}
	}
	{
		name = $2
		if (name in xfail) {
			used[name] = 1
			if ($1 == "FAIL") $1 = "XFAIL"
			else if ($1 == "PASS") $1 = "XPASS"
		}
		print
	}' "$RESULTS" >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
}

summary()
{
	local pass fail skip xfail xpass f

	apply_xfail
	pass=$(grep -c '^PASS ' "$RESULTS")
	fail=$(grep -c '^FAIL ' "$RESULTS")
	skip=$(grep -c '^SKIP ' "$RESULTS")
	xfail=$(grep -c '^XFAIL ' "$RESULTS")
	xpass=$(grep -c '^XPASS ' "$RESULTS")

	echo
	echo "==== results ($BASE${DEBUG:+, DEBUG=1}) ===="
	awk '{ split($2, a, ":"); g = a[1]; groups[g] = 1; n[g, $1]++ }
	END {
		for (g in groups)
			printf "  %-28s %4d passed %4d failed %4d skipped%s\n", g,
				n[g, "PASS"], n[g, "FAIL"] + n[g, "XPASS"],
				n[g, "SKIP"] + n[g, "XFAIL"],
				n[g, "XFAIL"] ? sprintf(" (%d expected failures)", n[g, "XFAIL"]) : ""
	}' "$RESULTS" | sort
	if [ "$fail" -gt 0 ]; then
		echo "  failed:"
		grep '^FAIL ' "$RESULTS" | sed 's/^FAIL /    /' | head -n 60
		[ "$fail" -gt 60 ] && echo "    ... ($fail in all; see $RESULTS)"
	fi
	if [ "$xpass" -gt 0 ]; then
		echo "  UNEXPECTED PASS: these are listed in $(basename "$XFAIL_LIST") but passed;"
		echo "  remove them from the list (it only shrinks):"
		grep '^XPASS ' "$RESULTS" | sed 's/^XPASS /    /'
	fi
	echo "  results: $RESULTS"
	for f in "$LOGDIR"/console-*.log "$LOGDIR"/tests-*.log \
		 "$LOGDIR"/kunit.log "$LOGDIR"/lint.log; do
		[ -f "$f" ] && echo "  $(basename "$f"): $f"
	done
	echo
	echo "$pass passed, $((fail + xpass)) failed, $((skip + xfail)) skipped"
	[ $((fail + xpass)) -eq 0 ]
}

case "$1" in
vm)
	mode=$2
	[ "$mode" = check ] && report_tests
	[ "$4" = kunit ] && report_kunit
	report_console
	[ -n "$DEBUG" ] && report_kmemleak
	report_vm
	;;
summary)
	summary
	;;
*)
	die "report.sh: unknown command $1"
	;;
esac
