#!/bin/sh
# Installs the Debian packages cohesim needs that are missing: as root
# directly, otherwise through sudo.  Quiet when everything is there.
set -e
missing=""
need() { # need CHECK PACKAGE: CHECK is a pkg-config name, /path or command
	case "$1" in
	/*) [ -e "$1" ] || missing="$missing $2" ;;
	cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 || missing="$missing $2" ;;
	*) pkg-config --exists "$1" 2>/dev/null || missing="$missing $2" ;;
	esac
}
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
need cmd:cc gcc
need cmd:make make
need gsl libgsl-dev
need libconfig libconfig-dev
need jansson libjansson-dev
need cmocka libcmocka-dev
need /usr/include/Random123/philox.h librandom123-dev
need cmd:gnuplot gnuplot-nox
need cmd:valgrind valgrind
need cmd:strace strace        # counts the files a sweep opens (tests)
need cmd:mandoc mandoc        # lints the manual page (tests)
need cmd:tidy tidy            # checks report.html is valid HTML (tests)
# renders report.html in a real browser (tests)
need cmd:chromium-headless-shell chromium-headless-shell
if [ "${COH_MPI:-}" = 1 ]; then
	need cmd:mpicc libopenmpi-dev
	need cmd:mpirun openmpi-bin
fi
if [ "${COH_FUZZ:-}" = 1 ]; then   # make fuzz: clang and libFuzzer
	need cmd:clang clang
	ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
		>/dev/null 2>&1 || missing="$missing libclang-rt-14-dev"
fi
if [ "${COH_LINT:-}" = 1 ]; then   # make lint
	need cmd:cppcheck cppcheck
	need cmd:clang-tidy clang-tidy
fi
[ -z "$missing" ] && exit 0
echo "make deps: installing$missing" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
