#!/bin/sh
# make fuzz: runs every libFuzzer harness built in BUILD for SECONDS each,
# from the top of the tree.  Each harness grows its corpus in
# BUILD/corpus/NAME, starting from its seeds (below); whatever it finds is
# written to BUILD/findings/ and the run fails.  A finding, once fixed,
# belongs in tests/fuzz/regressions/NAME/, which `make test` replays.
#   tests/fuzz/run.sh BUILD SECONDS [NAME ...]
set -u
BUILD=$1
SECONDS_EACH=$2
shift 2
NAMES=${*:-scenario run override vary date import}

seeds() {
	case $1 in
	scenario) echo scenarios seeds tests/bad tests/bad/inc tests/fuzz/regressions/scenario ;;
	run) echo tests/scenarios scenarios tests/fuzz/regressions/run ;;
	*) echo tests/fuzz/corpus/$1 tests/fuzz/regressions/$1 ;;
	esac
}

mkdir -p "$BUILD/findings"
failed=0
for name in $NAMES; do
	corpus=$BUILD/corpus/$name
	mkdir -p "$corpus"
	dict=
	[ -f "tests/fuzz/$name.dict" ] && dict=-dict=tests/fuzz/$name.dict
	[ "$name" = run ] && dict=-dict=tests/fuzz/scenario.dict
	log=$BUILD/findings/$name.log
	printf 'fuzz %-9s %4ss ... ' "$name" "$SECONDS_EACH"
	# -timeout: an input that takes 10 s is a hang; -rss_limit_mb: one
	# that takes 2 GB is a memory bomb.  Both count as findings.
	# timeout: libFuzzer can deadlock in its own alarm handler when an
	# input times out inside malloc; the run then still ends, as a failure.
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=tests/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1 \
	timeout -s KILL $((SECONDS_EACH + 120)) "$BUILD/fuzz_$name" $dict -max_total_time="$SECONDS_EACH" \
		-timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 \
		-artifact_prefix="$BUILD/findings/$name-" \
		"$corpus" $(seeds "$name") >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	size=$(ls "$corpus" | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "ok: ${runs:-?} inputs run, corpus of $size"
	else
		failed=1
		echo "FAILED (exit $rc), see $log and $BUILD/findings/"
		grep -m 5 -E 'ERROR|SUMMARY|broken|abort' "$log"
	fi
done
exit $failed
