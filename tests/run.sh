#!/bin/sh
# Runs every test and ends with one totals line, "N passed, M failed".
#   unit and binary-driven tests: the cmocka programs built in BUILD/tests/
#   bad input: tests/bad/NAME.cfg must make `cohesim validate` exit 1 and
#              print exactly tests/bad/NAME.err on stderr
# COH_VALGRIND=1 runs everything under valgrind's memcheck.
BUILD=${1:-build}
BIN=$BUILD/cohesim
passed=0
failed=0
log=$(mktemp)

if [ -n "$COH_VALGRIND" ]; then
	WRAP="valgrind -q --suppressions=$(pwd)/tests/valgrind.supp --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --track-fds=no"
else
	WRAP=""
fi
# The binary-driven tests read these to find and wrap the real binary.
COH_BIN=$BIN
COH_WRAP=$WRAP
export COH_BIN COH_WRAP
# The MPI build, when made (make MPI=1), for the test that compares a sweep
# under mpirun with a single-process one.
if [ -z "$COH_MPI_BIN" ] && [ -x build/mpi/cohesim ]; then
	COH_MPI_BIN=build/mpi/cohesim
	export COH_MPI_BIN
fi

# Each test program runs in a process of its own, JOBS at a time (the
# machine's cores; COH_TEST_JOBS overrides): valgrind and the sanitizers
# run one program on one core, so this is what keeps `make check` short.
# The results are reported in name order, whatever finished first.
JOBS=${COH_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
logs=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$logs"' EXIT
export logs
ls "$BUILD"/tests/test_* 2>/dev/null | xargs -r -n 1 -P "$JOBS" sh -c '
	t=$1; name=${t##*/}
	[ -x "$t" ] || exit 0
	start=$(date +%s)
	$COH_WRAP "$t" >"$logs/$name.log" 2>&1
	echo "$? $(( $(date +%s) - start ))" >"$logs/$name.rc"' sh

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	rc=127 secs=0   # no .rc file: the runner itself was killed
	[ -f "$logs/$name.rc" ] && read -r rc secs <"$logs/$name.rc"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$logs/$name.log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$logs/$name.log" | tail -n 1)
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1   # crashed, or valgrind/sanitizer found something
	fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL $name (exit $rc, $secs s)"; cat "$logs/$name.log"
	else
		echo "ok   $name: $p tests ($secs s)"
	fi
done

# The bad-input files, JOBS at a time as well.
ls tests/bad/*.cfg 2>/dev/null | xargs -r -n 1 -P "$JOBS" sh -c '
	cfg=$1; name=${cfg##*/}
	$COH_WRAP "$COH_BIN" validate "$cfg" >/dev/null 2>"$logs/bad-$name.err"
	echo $? >"$logs/bad-$name.rc"' sh
bad_passed=0
for cfg in tests/bad/*.cfg; do
	[ -e "$cfg" ] || continue
	want=${cfg%.cfg}.err
	got=$logs/bad-${cfg##*/}.err
	rc=127
	[ -f "$logs/bad-${cfg##*/}.rc" ] && read -r rc <"$logs/bad-${cfg##*/}.rc"
	if [ "$rc" -eq 1 ] && [ -f "$want" ] && diff -u "$want" "$got" >/dev/null; then
		bad_passed=$((bad_passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $cfg (exit $rc, want 1):"
		diff -u "$want" "$got"
	fi
done
passed=$((passed + bad_passed))
echo "ok   bad input: $bad_passed files give their exact message"

# The fuzz harnesses' seed corpora and past findings, replayed (their
# properties are checked on every input; tests/fuzz/run.sh says more).
for t in "$BUILD"/tests/replay_*; do
	[ -x "$t" ] || continue
	name=${t##*/replay_}
	case $name in
	scenario) inputs="scenarios seeds tests/bad tests/bad/inc" ;;
	run) inputs="tests/scenarios scenarios" ;;
	*) inputs=tests/fuzz/corpus/$name ;;
	esac
	if $WRAP "$t" $inputs tests/fuzz/regressions/$name >"$log" 2>&1; then
		passed=$((passed + 1)); echo "ok   fuzz replay $name: $(tail -n 1 "$log")"
	else
		failed=$((failed + 1)); echo "FAIL fuzz replay $name"; cat "$log"
	fi
done

# The benchmark's smoke version: that it runs, not how fast.
if [ -x "$BUILD/bench" ]; then
	if $WRAP "$BUILD/bench" "$BIN" --quick >"$log" 2>&1; then
		passed=$((passed + 1)); echo "ok   bench --quick"
	else
		failed=$((failed + 1)); echo "FAIL bench --quick"; cat "$log"
	fi
fi

# The manual page: mandoc finds nothing to warn about, its version is the
# program's, and each command's section names every long option that the
# command's --help lists (so a new option cannot go undocumented).
man=man/cohesim.1
if command -v mandoc >/dev/null 2>&1 && [ -x "$BIN" ]; then
	problems=$(mandoc -T lint -W warning "$man" 2>&1)
	version=$("$BIN" --version | sed 's/^cohesim //')
	grep -q "^\.TH COHESIM 1 [0-9-]* \"cohesim $version\"" "$man" ||
		problems="$problems
$man: .TH does not say cohesim $version"
	commands=$("$BIN" --help | sed -n '/^Commands:/,/^$/p' |
		   sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
	for c in $commands; do
		section=$(sed -n "/^\\.SS $c /,/^\\.S[HS] /p" "$man")
		if [ -z "$section" ]; then
			problems="$problems
$man: no section '.SS $c ...'"
			continue
		fi
		for o in $("$BIN" "$c" --help | sed -n '/^Options:/,$p' |
			   grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' |
			   grep -oE -- '--[a-z][a-z-]*' | grep -v -- '--help'); do
			roff=$(printf '%s' "$o" | sed 's/-/\\-/g')
			printf '%s\n' "$section" | grep -qF -- "$roff" ||
				problems="$problems
$man: section $c does not name $o"
		done
	done
	if [ -z "$problems" ]; then
		passed=$((passed + 1)); echo "ok   man page: lint clean, every command and option"
	else
		failed=$((failed + 1)); echo "FAIL man page:$problems"
	fi
else
	failed=$((failed + 1)); echo "FAIL man page: mandoc is not installed (make deps)"
fi

# make MPI=1 on a machine without Open MPI names the command that installs
# it (PATH holds no mpicc here; make is called by its full path).
make_bin=$(command -v make)
if [ -n "$make_bin" ]; then
	env PATH=/nonexistent "$make_bin" -n MPI=1 all >"$log" 2>&1
	if grep -q "mpicc not found: run 'make deps MPI=1' to install Open MPI" "$log"; then
		passed=$((passed + 1)); echo "ok   make MPI=1 without Open MPI"
	else
		failed=$((failed + 1)); echo "FAIL make MPI=1 without Open MPI"; cat "$log"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
