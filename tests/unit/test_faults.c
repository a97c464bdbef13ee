/* Faults the program must survive, through the real binary: memory that
 * runs out at each allocation of a run and of a sweep, summaries too big
 * for the memory limit, a disk that fills
 * up (a file size limit, and a small tmpfs when the tests run as root), and
 * a folder that cannot be written.  Each must end with a message that says
 * what failed, exit status 1, no temporary file left behind and no earlier
 * result damaged; a sweep stopped by a full disk resumes to the same bytes
 * once there is room. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/resource.h>

#include "bin_helpers.h"

#define SCENARIO "tests/scenarios/generator.cfg"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = bin_tmpdir();
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 64];
	/* whatever a test left mounted below its folder */
	snprintf(cmd, sizeof cmd, "umount '%s/disk' 2>/dev/null", dir);
	if (system(cmd) == -1)
		return -1;
	bin_rmtree(dir); /* frees dir */
	dir = NULL;
	return 0;
}

static void expect_in_err(bin_result *r, const char *text)
{
	if (!strstr(r->err, text))
		fail_msg("stderr lacks \"%s\":\n%s", text, r->err);
}

/* Files whose names say they are temporaries (atomic files being written). */
static int temporaries(const char *folder)
{
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof cmd, "ls -a '%s' 2>/dev/null | grep -c '\\.tmp\\.'",
		 folder);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static int sh(const char *fmt, ...)
{
	char cmd[2 * PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

/*--- Memory --------------------------------------------------------------*/

/* Runs args with allocation n failing, for n = 0, 1, ... until the command
 * succeeds, into a fresh `out` each time (a failed sweep leaves its
 * finished points for --resume).  In make check (under valgrind or
 * AddressSanitizer, where a run takes up to a second or more, on CI's
 * budget) every 13th n, which still reaches every stage of each command;
 * make test tries every n. */
static void fail_each_allocation(const char *const *args, const char *out)
{
	long step = bin_reduced() ? 13 : 1;
	long n;
	for (n = 0; n < 100000; n += step) {
		char value[32];
		snprintf(value, sizeof value, "%ld", n);
		assert_int_equal(sh("rm -rf '%s'", out), 0);
		setenv("COH_ALLOC_FAIL_AFTER", value, 1);
		bin_result r;
		int rc = bin_run_argv(&r, NULL, args);
		unsetenv("COH_ALLOC_FAIL_AFTER");
		assert_true(rc >= 0);
		if (r.status == 0) {
			bin_result_free(&r);
			break;
		}
		if (r.status != 1 || !strstr(r.err, "out of memory"))
			fail_msg("allocation %ld failing: exit %d, stderr:\n%s",
				 n, r.status, r.err);
		bin_result_free(&r);
		assert_int_equal(temporaries(out), 0);
	}
	print_message("  %s: failed at each of the first %ld allocations "
		      "(every %ld), then succeeded\n", args[0], n, step);
	assert_true(n > 50); /* the faults did reach the run */
}

static void test_out_of_memory_in_a_run(void **state)
{
	(void)state;
	const char *out = bin_path(dir, "run");
	const char *args[] = {"run", SCENARIO, "-r", "3", "-j", "1", "--keep",
			      "all", "--plot", "none", "-q", "-o", out, NULL};
	fail_each_allocation(args, out);
}

static void test_out_of_memory_in_a_sweep(void **state)
{
	(void)state;
	const char *out = bin_path(dir, "sweep");
	const char *args[] = {"sweep", SCENARIO, "--vary",
			      "model.half_life=100:200:2", "-r", "2", "-j",
			      "1", "--plot", "none", "-q", "-o", out, NULL};
	fail_each_allocation(args, out);
}

/* compare builds its paths on the heap and removes the folders it made
 * when it fails before writing. */
static void test_out_of_memory_in_a_compare(void **state)
{
	(void)state;
	const char *out = bin_path(dir, "compare");
	const char *args[] = {"compare", SCENARIO, SCENARIO, "-r", "3", "-j",
			      "1", "--plot", "none", "-q", "-o", out, NULL};
	fail_each_allocation(args, out);
}

/* Summaries that would not fit are refused before any work, with the
 * size and what to change; the limit is a flag. */
static void test_memory_limit(void **state)
{
	(void)state;
	const char *out = bin_path(dir, "limit");
	bin_result r;
	assert_true(bin_run(&r, "run", SCENARIO, "-j", "1", "--max-memory",
			    "0.0001", "-o", out, "-q", NULL) >= 0);
	bin_expect_status(&r, 1);
	expect_in_err(&r, SCENARIO ": the summaries would take 1 MB of "
		      "memory, more than the limit of 1 MB;");
	expect_in_err(&r, "raise the limit with --max-memory GB");
	bin_result_free(&r);
	assert_false(bin_exists(out));
	assert_true(bin_run(&r, "compare", SCENARIO, SCENARIO, "--max-memory",
			    "0.0001", "-o", out, "-q", NULL) >= 0);
	bin_expect_status(&r, 1);
	expect_in_err(&r, "the summaries would take");
	bin_result_free(&r);
	assert_true(bin_run(&r, "run", SCENARIO, "--max-memory", "-1", NULL)
		    >= 0);
	bin_expect_status(&r, 2);
	expect_in_err(&r, "--max-memory expects a size in GB greater than 0, "
		      "got \"-1\"");
	bin_result_free(&r);
	assert_true(bin_run(&r, "run", SCENARIO, "-r", "2", "--max-memory",
			    "1", "-o", out, "-q", "--plot", "none", NULL) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
}

/*--- A full disk ---------------------------------------------------------*/

/* A run that succeeds into `out`, then a bigger one that cannot finish
 * writing there.  The folder must no longer claim a finished run (the
 * manifest goes first), and every file in it must be whole: the earlier
 * run's or the failed run's as it would have been written, never a part. */
static void refuse_and_keep(const char *out_name, const char *why,
			    void (*squeeze)(int on))
{
	char out[PATH_MAX], before[PATH_MAX], unhindered[PATH_MAX];
	snprintf(out, sizeof out, "%s/%s", dir, out_name);
	snprintf(before, sizeof before, "%s/before", dir);
	snprintf(unhindered, sizeof unhindered, "%s/unhindered", dir);
	bin_result r;
	/* --report none: the report's inline figures (over 100 KB) would
	 * not fit the small disk, and these are checks of the data files */
	const char *small[] = {"run", SCENARIO, "-r", "2", "--plot", "none",
			       "--report", "none", "-q", "-o", out, NULL};
	assert_true(bin_run_argv(&r, NULL, small) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	assert_int_equal(sh("cp -r '%s' '%s'", out, before), 0);
	const char *big[] = {"run", SCENARIO, "-r", "40", "--keep", "all",
			     "--plot", "none", "--report", "none", "-q", "-o",
			     NULL, NULL};
	big[12] = unhindered;
	assert_true(bin_run_argv(&r, NULL, big) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);

	big[12] = out;
	squeeze(1);
	int rc = bin_run_argv(&r, NULL, big);
	squeeze(0);
	assert_true(rc >= 0);
	bin_expect_status(&r, 1);
	expect_in_err(&r, out);
	expect_in_err(&r, why);
	bin_result_free(&r);
	assert_int_equal(temporaries(out), 0);
	assert_false(bin_exists(bin_path(out, "manifest.json")));
	const char *files[] = {"summary.csv", "survival.csv", "outcomes.csv",
			       "timeline.csv", "scenario.resolved.cfg",
			       "cohesion.csv", "members.csv", "events.csv"};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		const char *f = bin_path(out, files[i]);
		if (bin_exists(f) &&
		    !bin_same_file(f, bin_path(before, files[i])) &&
		    !bin_same_file(f, bin_path(unhindered, files[i])))
			fail_msg("%s is neither the earlier run's nor the "
				 "failed run's", files[i]);
	}
}

static void file_size_limit(int on)
{
	static struct rlimit saved;
	if (on) {
		getrlimit(RLIMIT_FSIZE, &saved);
		/* ignored signals stay ignored across exec: the child sees
		 * EFBIG instead of being killed by SIGXFSZ */
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit small = {16 * 1024, saved.rlim_max};
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	} else {
		setrlimit(RLIMIT_FSIZE, &saved);
		signal(SIGXFSZ, SIG_DFL);
	}
}

static void test_file_size_limit(void **state)
{
	(void)state;
	refuse_and_keep("limited", "File too large",
			file_size_limit);
}

/* A 96 KiB tmpfs at DIR/disk (only root may mount one). */
static int mount_disk(const char *options)
{
	const char *disk = bin_path(dir, "disk");
	mkdir(disk, 0755);
	return sh("mount -t tmpfs -o %s tmpfs '%s' 2>/dev/null", options,
		  disk);
}

static void no_squeeze(int on)
{
	(void)on;
}

static void test_full_disk(void **state)
{
	(void)state;
	if (geteuid() != 0 || mount_disk("size=96k") != 0) {
		print_message("  skipped: mounting a small tmpfs needs root\n");
		skip();
	}
	refuse_and_keep("disk/out", "No space left on device",
			no_squeeze);
}

static int lines(const char *path)
{
	int n = 0;
	char *text = bin_slurp(path, NULL);
	for (char *p = text; p && *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

/* A sweep on a disk that fills up part-way (another program takes the
 * space while the sweep is held with SIGSTOP) stops with the points it
 * finished; with room again, --resume writes the same bytes as a sweep
 * that never stopped. */
static void test_sweep_resumes_after_a_full_disk(void **state)
{
	(void)state;
	if (geteuid() != 0 || mount_disk("size=16m") != 0) {
		print_message("  skipped: mounting a small tmpfs needs root\n");
		skip();
	}
	/* copies: bin_path's buffers are reused */
	char whole[PATH_MAX], cut[PATH_MAX];
	snprintf(whole, sizeof whole, "%s/whole", dir);
	snprintf(cut, sizeof cut, "%s/disk/cut", dir);
	const char *args[] = {"sweep", SCENARIO, "--vary",
			      "model.half_life=50:500:400", "-r", "20", "-j",
			      "1", "--plot", "none", "-q", "-o", whole, NULL,
			      NULL};
	bin_result r;
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);

	args[12] = cut;
	bin_child c;
	assert_int_equal(bin_start(&c, NULL, args), 0);
	const char *summary = bin_path(cut, "sweep-summary.csv");
	for (int tries = 0; tries < 5000 && lines(summary) < 6; tries++) {
		struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
	}
	kill(c.pid, SIGSTOP);
	int finished = lines(summary) - 1;
	sh("dd if=/dev/zero of='%s' bs=4k 2>/dev/null",
	   bin_path(dir, "disk/filler"));
	kill(c.pid, SIGCONT);
	assert_int_equal(bin_wait(&c, &r), 0);
	if (finished >= 400)
		fail_msg("the sweep ended before the disk was filled");
	bin_expect_status(&r, 1);
	expect_in_err(&r, "No space left on device");
	bin_result_free(&r);
	assert_int_equal(temporaries(cut), 0);

	unlink(bin_path(dir, "disk/filler"));
	args[13] = "--resume";
	assert_true(bin_run_argv(&r, NULL, args) >= 0);
	bin_expect_status(&r, 0);
	bin_result_free(&r);
	const char *files[] = {"points.csv", "sweep.csv", "sweep-summary.csv"};
	for (size_t i = 0; i < 3; i++)
		if (!bin_same_file(bin_path(whole, files[i]),
			       bin_path(cut, files[i])))
			fail_msg("%s differs after the resume", files[i]);
	print_message("  the disk filled after %d points; resumed to the same "
		      "bytes\n", finished);
}

/*--- A folder that cannot be written --------------------------------------*/

static void test_unwritable_folder(void **state)
{
	(void)state;
	const char *disk = bin_path(dir, "disk");
	const char *why;
	if (geteuid() == 0) {   /* root writes anywhere but on a read-only fs */
		if (mount_disk("ro,size=16k") != 0) {
			print_message("  skipped: cannot mount a tmpfs\n");
			skip();
		}
		why = "Read-only file system";
	} else {
		mkdir(disk, 0555);
		why = "Permission denied";
	}
	const char *out = bin_path(dir, "disk/out");
	bin_result r;
	const char *run[] = {"run", SCENARIO, "-r", "2", "--plot", "none",
			     "-q", "-o", out, NULL};
	assert_true(bin_run_argv(&r, NULL, run) >= 0);
	bin_expect_status(&r, 1);
	expect_in_err(&r, out);
	expect_in_err(&r, why);
	bin_result_free(&r);
	const char *sweep[] = {"sweep", SCENARIO, "--vary",
			       "model.half_life=100:200:2", "-r", "2",
			       "--plot", "none", "-q", "-o", out, NULL};
	assert_true(bin_run_argv(&r, NULL, sweep) >= 0);
	bin_expect_status(&r, 1);
	expect_in_err(&r, out);
	expect_in_err(&r, why);
	bin_result_free(&r);
	chmod(disk, 0755);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_out_of_memory_in_a_run,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory_in_a_sweep,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory_in_a_compare,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_file_size_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_resumes_after_a_full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_folder, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
