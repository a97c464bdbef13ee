/* Unit tests of the output module: CSV fields, SHA-256 (FIPS 180-2
 * vectors), atomic files (including a write that fails half-way), mkdir -p,
 * the run writer driven by hand-made samples and events, and manifest.json
 * read back with jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cohesim/date.h"
#include "cohesim/output.h"
#include "cohesim/version.h"
#include "core/alloc.h"
#include "output/csv.h"
#include "output/sha256.h"

/*--- Helpers -------------------------------------------------------------*/

/* A fresh folder under /tmp per test, removed (with its files) after. */
static int make_tmpdir(void **state)
{
	char *dir = strdup("/tmp/cohesim-test-output-XXXXXX");
	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int remove_tmpdir(void **state)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
	int rc = system(cmd);
	free(*state);
	return rc == 0 ? 0 : -1;
}

static char *path_in(const char *dir, const char *name)
{
	static char buf[4][1024];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

/* The whole file as a NUL-terminated string (caller frees), or NULL. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 4096, len = 0;
	char *text = malloc(cap);
	size_t n;
	while (text && (n = fread(text + len, 1, cap - len - 1, fp)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *bigger = realloc(text, cap *= 2);
			if (!bigger)
				free(text);
			text = bigger;
		}
	}
	fclose(fp);
	if (text)
		text[len] = '\0';
	return text;
}

static void spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Number of entries in dir whose name contains ".tmp.". */
static int count_temporaries(const char *dir)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '\\.tmp\\.'", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

/*--- CSV -----------------------------------------------------------------*/

static const char *fmt(double x)
{
	static char buf[COH_CSV_NUMBER_MAX];
	coh_csv_format_double(buf, x);
	return buf;
}

static void test_csv_numbers_shortest(void **state)
{
	(void)state;
	assert_string_equal(fmt(0.1), "0.1");
	assert_string_equal(fmt(0.6), "0.6");
	assert_string_equal(fmt(1.0), "1");
	assert_string_equal(fmt(0.0), "0");
	assert_string_equal(fmt(-2.5), "-2.5");
	assert_string_equal(fmt(100.0), "100");
	/* needs 16 digits */
	assert_string_equal(fmt(1.0 / 3.0), "0.3333333333333333");
	/* needs all 17: 0.1 + 0.2 is not 0.3 */
	assert_string_equal(fmt(0.1 + 0.2), "0.30000000000000004");
	assert_string_equal(fmt(0.40606601717798213), "0.40606601717798213");
	assert_string_equal(fmt((double)NAN), "");
}

static void test_csv_numbers_round_trip(void **state)
{
	(void)state;
	/* A fixed pseudo-random walk over bit patterns; the seed is the
	 * starting value, printed on failure. */
	uint64_t seed = 0x9e3779b97f4a7c15u, x = seed;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double d;
		memcpy(&d, &x, sizeof d);
		if (isnan(d))
			continue;
		char buf[COH_CSV_NUMBER_MAX];
		size_t n = coh_csv_format_double(buf, d);
		assert_int_equal(n, strlen(buf));
		double back = strtod(buf, NULL);
		if (memcmp(&back, &d, sizeof d) != 0 && !(back == 0 && d == 0)) {
			print_error("seed %#llx step %d: %.17g printed as %s\n",
				    (unsigned long long)seed, i, d, buf);
			fail();
		}
	}
}

static const char *csv_text(const char *text)
{
	static char buf[256];
	memset(buf, 0, sizeof buf);
	FILE *fp = fmemopen(buf, sizeof buf, "w");
	assert_non_null(fp);
	coh_csv_write_text(fp, text);
	fclose(fp);
	return buf;
}

static void test_csv_text_quoting(void **state)
{
	(void)state;
	assert_string_equal(csv_text("plain text"), "plain text");
	assert_string_equal(csv_text(NULL), "");
	assert_string_equal(csv_text(""), "");
	assert_string_equal(csv_text("a,b"), "\"a,b\"");
	assert_string_equal(csv_text("say \"no\""), "\"say \"\"no\"\"\"");
	assert_string_equal(csv_text("two\nlines"), "\"two\nlines\"");
	assert_string_equal(csv_text("cr\rhere"), "\"cr\rhere\"");
	assert_string_equal(csv_text("\""), "\"\"\"\"");
}

/*--- SHA-256 -------------------------------------------------------------*/

static const char *sha_hex(const void *data, size_t size)
{
	static char hex[65];
	unsigned char digest[32];
	coh_sha256 ctx;
	coh_sha256_init(&ctx);
	coh_sha256_update(&ctx, data, size);
	coh_sha256_final(&ctx, digest);
	coh_sha256_hex(hex, digest);
	return hex;
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	assert_string_equal(sha_hex("abc", 3),
			    "ba7816bf8f01cfea414140de5dae2223"
			    "b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(sha_hex("", 0),
			    "e3b0c44298fc1c149afbf4c8996fb924"
			    "27ae41e4649b934ca495991b7852b855");
	const char *two_blocks =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	assert_string_equal(sha_hex(two_blocks, strlen(two_blocks)),
			    "248d6a61d20638b8e5c026930c3e6039"
			    "a33ce45964ff2167f6ecedd419db06c1");

	/* One million 'a', fed in uneven pieces to exercise the partial
	 * block path. */
	char chunk[997];
	memset(chunk, 'a', sizeof chunk);
	coh_sha256 ctx;
	coh_sha256_init(&ctx);
	size_t left = 1000000, piece = 1;
	while (left > 0) {
		size_t n = piece < left ? piece : left;
		coh_sha256_update(&ctx, chunk, n);
		left -= n;
		piece = (piece * 7 + 61) % sizeof chunk + 1;
	}
	unsigned char digest[32];
	char hex[65];
	coh_sha256_final(&ctx, digest);
	coh_sha256_hex(hex, digest);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
				 "f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_file(void **state)
{
	const char *dir = *state;
	char hex[65];
	coh_error err = {0};
	spit(path_in(dir, "abc.txt"), "abc");
	assert_int_equal(coh_sha256_file(hex, path_in(dir, "abc.txt"), &err),
			 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(coh_sha256_file(hex, path_in(dir, "none"), &err),
			 COH_EIO);
	assert_string_equal(err.file, path_in(dir, "none"));
	assert_non_null(strstr(err.message, strerror(ENOENT)));
}

/*--- Atomic files --------------------------------------------------------*/

static void test_atomic_commit_replaces(void **state)
{
	const char *dir = *state;
	const char *path = path_in(dir, "out.txt");
	spit(path, "old contents\n");

	coh_atomic_file *f = NULL;
	coh_error err = {0};
	assert_int_equal(coh_atomic_open(&f, path, 4096, &err), 0);
	assert_string_equal(coh_atomic_path(f), path);
	fputs("new contents\n", coh_atomic_stream(f));
	/* Until commit, the final name still holds the old file. */
	char *text = slurp(path);
	assert_string_equal(text, "old contents\n");
	free(text);
	assert_int_equal(count_temporaries(dir), 1);

	assert_int_equal(coh_atomic_commit(f, &err), 0);
	text = slurp(path);
	assert_string_equal(text, "new contents\n");
	free(text);
	assert_int_equal(count_temporaries(dir), 0);
}

static void test_atomic_abort_keeps_old(void **state)
{
	const char *dir = *state;
	const char *path = path_in(dir, "out.txt");
	spit(path, "old\n");
	coh_atomic_file *f = NULL;
	assert_int_equal(coh_atomic_open(&f, path, 0, NULL), 0);
	fputs("half", coh_atomic_stream(f));
	coh_atomic_abort(f);
	coh_atomic_abort(NULL);
	char *text = slurp(path);
	assert_string_equal(text, "old\n");
	free(text);
	assert_int_equal(count_temporaries(dir), 0);
}

static void test_atomic_open_fails_cleanly(void **state)
{
	const char *dir = *state;
	const char *path = path_in(dir, "no/such/folder/out.txt");
	coh_atomic_file *f = NULL;
	coh_error err = {0};
	assert_int_equal(coh_atomic_open(&f, path, 0, &err), COH_EIO);
	assert_null(f);
	assert_int_equal(err.code, COH_EIO);
	assert_string_equal(err.file, path);
	assert_non_null(strstr(err.message, strerror(ENOENT)));
}

/* A write that fails part-way (the file size limit stands in for a full
 * disk) must leave neither a final file nor a temporary. */
static void test_atomic_write_error(void **state)
{
	const char *dir = *state;
	const char *path = path_in(dir, "big.txt");
	struct rlimit saved, small;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);

	coh_atomic_file *f = NULL;
	coh_error err = {0};
	assert_int_equal(coh_atomic_open(&f, path, 1 << 16, &err), 0);
	small = saved;
	small.rlim_cur = 10000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	FILE *fp = coh_atomic_stream(f);
	for (int i = 0; i < 100000; i++)
		fputs("0123456789", fp);
	int rc = coh_atomic_commit(f, &err);
	setrlimit(RLIMIT_FSIZE, &saved);
	signal(SIGXFSZ, old_handler);

	assert_int_equal(rc, COH_EIO);
	assert_string_equal(err.file, path);
	assert_non_null(strstr(err.message, "cannot write"));
	assert_false(exists(path));
	assert_int_equal(count_temporaries(dir), 0);
}

static void test_atomic_out_of_memory(void **state)
{
	const char *dir = *state;
	const char *path = path_in(dir, "oom.txt");
	for (long n = 0; n < 4; n++) {
		coh_atomic_file *f = NULL;
		coh_error err = {0};
		coh_alloc_fail_after(n);
		int rc = coh_atomic_open(&f, path, 1024, &err);
		coh_alloc_fail_after(-1);
		if (rc == 0) {
			assert_true(n >= 3);
			coh_atomic_abort(f);
			continue;
		}
		assert_int_equal(rc, COH_ENOMEM);
		assert_null(f);
	}
	assert_int_equal(count_temporaries(dir), 0);
}

/*--- mkdir -p ------------------------------------------------------------*/

static void test_mkdirs(void **state)
{
	const char *dir = *state;
	coh_error err = {0};
	const char *deep = path_in(dir, "a/b/c/");
	assert_int_equal(coh_output_mkdirs(deep, &err), 0);
	struct stat st;
	assert_int_equal(stat(path_in(dir, "a/b/c"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* again: already there is fine */
	assert_int_equal(coh_output_mkdirs(deep, &err), 0);

	spit(path_in(dir, "file"), "x");
	assert_int_equal(coh_output_mkdirs(path_in(dir, "file"), &err),
			 COH_EIO);
	assert_string_equal(err.file, path_in(dir, "file"));
	assert_int_equal(coh_output_mkdirs(path_in(dir, "file/sub"), &err),
			 COH_EIO);
	assert_non_null(strstr(err.message, "cannot create folder"));
	assert_int_equal(coh_output_mkdirs("", &err), COH_EIO);
}

/*--- The run writer ------------------------------------------------------*/

static coh_member members[2] = {
	{.id = "A", .name = "Alpha", .power = 2, .commitment = 0.9},
	{.id = "B,2", .name = "Beta", .power = 1, .commitment = 0.5},
};
static coh_outsider outsiders[1] = {{.id = "X", .name = "Outsider"}};

static coh_model small_model(void)
{
	coh_model m;
	memset(&m, 0, sizeof m);
	m.name = "unit";
	m.title = "Unit test";
	assert_int_equal(coh_date_parse(&m.start_day, "2020-01-01"), 0);
	m.horizon = 366;
	m.seed = 18446744073709551615u;
	m.replications = 2;
	m.members = members;
	m.n_members = 2;
	m.outsiders = outsiders;
	m.n_outsiders = 1;
	m.leader = -1;
	m.sample_every = 7;
	return m;
}

/* Feeds the recorder one sample and two events per replication. */
static int feed(coh_recorder rec, uint64_t r)
{
	double commitment[2] = {0.9, 0.1 + 0.2};
	coh_status status[2] = {COH_ACTIVE, COH_FROZEN};
	coh_sample s = {
		.day = 31.5, .cohesion = 0.7, .mean = 0.6, .min = 0.3,
		.sd = 0.25, .active = 1, .frozen = 1, .exited = 0,
		.reliability = r == 0 ? (double)NAN : 0.5, .n_members = 2,
		.commitment = commitment, .status = status,
	};
	coh_event_record ev1 = {
		.day = 10, .type = COH_EV_ASSISTANCE_REQUEST, .actor = 1,
		.target = -1, .outsider = 0, .subject = 1, .value = 1,
		.before = (double)NAN, .after = (double)NAN, .source = "seed: \"p. 5\", top",
		.label = "B asks, X",
	};
	coh_event_record ev2 = {
		/* shortest round-trip form: ...563 */
		.day = 168.49625007211562, .type = COH_EV_FREEZE, .actor = 1,
		.target = 0, .outsider = -1, .subject = 1, .value = 0,
		.before = 0.5, .after = 0.3, .source = NULL,
	};
	int rc = 0;
	if (rec.event)
		rc |= rec.event(rec.ctx, &ev1) | rec.event(rec.ctx, &ev2);
	if (rec.sample)
		rc |= rec.sample(rec.ctx, &s);
	return rc;
}

static void test_run_writer_all(void **state)
{
	const char *dir = *state;
	coh_model m = small_model();
	coh_run_writer *w = NULL;
	coh_error err = {0};
	assert_int_equal(coh_run_writer_open(&w, dir, &m, COH_KEEP_ALL, &err),
			 0);
	size_t n;
	const char *const *names = coh_run_writer_files(w, &n);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "cohesion.csv");
	assert_string_equal(names[1], "members.csv");
	assert_string_equal(names[2], "events.csv");
	for (uint64_t r = 0; r < 2; r++)
		assert_int_equal(feed(coh_run_writer_recorder(w, r), r), 0);
	assert_null(coh_run_writer_error(w));
	assert_false(exists(path_in(dir, "cohesion.csv")));
	assert_int_equal(coh_run_writer_commit(w, &err), 0);
	assert_int_equal(count_temporaries(dir), 0);

	char *text = slurp(path_in(dir, "cohesion.csv"));
	assert_string_equal(text,
		"replication,day,date,cohesion,mean,min,sd,active,frozen,"
		"exited,reliability\n"
		"0,31.5,2020-02-01,0.7,0.6,0.3,0.25,1,1,0,\n"
		"1,31.5,2020-02-01,0.7,0.6,0.3,0.25,1,1,0,0.5\n");
	free(text);

	text = slurp(path_in(dir, "members.csv"));
	assert_string_equal(text,
		"replication,day,date,member,commitment,status\n"
		"0,31.5,2020-02-01,A,0.9,active\n"
		"0,31.5,2020-02-01,\"B,2\",0.30000000000000004,frozen\n"
		"1,31.5,2020-02-01,A,0.9,active\n"
		"1,31.5,2020-02-01,\"B,2\",0.30000000000000004,frozen\n");
	free(text);

	text = slurp(path_in(dir, "events.csv"));
	assert_string_equal(text,
		"replication,day,date,type,actor,target,member,value,"
		"commitment_before,commitment_after,source,label\n"
		"0,10,2020-01-11,assistance_request,\"B,2\",X,\"B,2\",1,,,"
		"\"seed: \"\"p. 5\"\", top\",\"B asks, X\"\n"
		"0,168.49625007211563,2020-06-17,freeze,\"B,2\",A,\"B,2\",0,"
		"0.5,0.3,,\n"
		"1,10,2020-01-11,assistance_request,\"B,2\",X,\"B,2\",1,,,"
		"\"seed: \"\"p. 5\"\", top\",\"B asks, X\"\n"
		"1,168.49625007211563,2020-06-17,freeze,\"B,2\",A,\"B,2\",0,"
		"0.5,0.3,,\n");
	free(text);
}

static void test_run_writer_keep_subset(void **state)
{
	const char *dir = *state;
	coh_model m = small_model();
	/* Leftovers of an earlier run in the same folder. */
	spit(path_in(dir, "events.csv"), "stale\n");
	spit(path_in(dir, "members.csv"), "stale\n");

	coh_run_writer *w = NULL;
	coh_error err = {0};
	assert_int_equal(coh_run_writer_open(&w, dir, &m, COH_KEEP_COHESION,
					     &err),
			 0);
	coh_recorder rec = coh_run_writer_recorder(w, 0);
	assert_null(rec.event);
	assert_non_null(rec.sample);
	assert_int_equal(feed(rec, 0), 0);
	assert_int_equal(coh_run_writer_commit(w, &err), 0);
	assert_true(exists(path_in(dir, "cohesion.csv")));
	assert_false(exists(path_in(dir, "members.csv")));
	assert_false(exists(path_in(dir, "events.csv")));

	assert_int_equal(coh_run_writer_open(&w, dir, &m, COH_KEEP_EVENTS,
					     &err),
			 0);
	rec = coh_run_writer_recorder(w, 0);
	assert_null(rec.sample);
	assert_int_equal(feed(rec, 0), 0);
	coh_run_writer_abort(w);
	coh_run_writer_abort(NULL);
	/* Aborting leaves the earlier run's files alone. */
	assert_true(exists(path_in(dir, "cohesion.csv")));
	assert_false(exists(path_in(dir, "events.csv")));
	assert_int_equal(count_temporaries(dir), 0);
}

static void test_run_writer_write_error(void **state)
{
	const char *dir = *state;
	coh_model m = small_model();
	struct rlimit saved, small;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);

	coh_run_writer *w = NULL;
	coh_error err = {0};
	assert_int_equal(coh_run_writer_open(&w, dir, &m, COH_KEEP_ALL, &err),
			 0);
	small = saved;
	small.rlim_cur = 100000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	int rc = 0;
	/* Enough rows to overflow the 1 MiB buffers and hit the limit. */
	for (uint64_t r = 0; r < 100000 && rc == 0; r++)
		rc = feed(coh_run_writer_recorder(w, r), r);
	setrlimit(RLIMIT_FSIZE, &saved);
	signal(SIGXFSZ, old_handler);

	assert_int_equal(rc, COH_EIO);
	const coh_error *werr = coh_run_writer_error(w);
	assert_non_null(werr);
	assert_non_null(strstr(werr->message, "cannot write"));
	assert_int_equal(coh_run_writer_commit(w, &err), COH_EIO);
	assert_non_null(strstr(err.message, "cannot write"));
	assert_false(exists(path_in(dir, "cohesion.csv")));
	assert_false(exists(path_in(dir, "members.csv")));
	assert_false(exists(path_in(dir, "events.csv")));
	assert_int_equal(count_temporaries(dir), 0);
}

static void test_run_writer_out_of_memory(void **state)
{
	const char *dir = *state;
	coh_model m = small_model();
	int succeeded = 0;
	for (long n = 0; n < 40 && !succeeded; n++) {
		coh_run_writer *w = NULL;
		coh_error err = {0};
		coh_alloc_fail_after(n);
		int rc = coh_run_writer_open(&w, dir, &m, COH_KEEP_ALL, &err);
		coh_alloc_fail_after(-1);
		if (rc == 0) {
			succeeded = 1;
			coh_run_writer_abort(w);
		} else {
			assert_int_equal(rc, COH_ENOMEM);
			assert_null(w);
		}
		assert_int_equal(count_temporaries(dir), 0);
	}
	assert_true(succeeded);
}

/*--- manifest.json -------------------------------------------------------*/

static void test_manifest(void **state)
{
	const char *dir = *state;
	coh_model m = small_model();
	spit(path_in(dir, "scenario.cfg"), "abc");
	spit(path_in(dir, "cohesion.csv"), "12345");
	spit(path_in(dir, "events.csv"), "");
	const char *files[] = {"cohesion.csv", "events.csv"};
	char a0[] = "cohesim", a1[] = "run", a2[] = "x.cfg", a3[] = "--seed",
	     a4[] = "7";
	char *argv[] = {a0, a1, a2, a3, a4};
	coh_manifest man = {
		.dir = dir, .argc = 5, .argv = argv,
		.scenario_path = path_in(dir, "scenario.cfg"), .model = &m,
		.replications = 2, .requested = 3, .interrupted = 1,
		.wall_seconds = 1.25, .files = files, .n_files = 2,
	};
	coh_error err = {0};
	assert_int_equal(coh_manifest_write(&man, &err), 0);
	assert_int_equal(count_temporaries(dir), 0);

	json_error_t jerr;
	json_t *root = json_load_file(path_in(dir, "manifest.json"), 0, &jerr);
	if (!root) {
		print_error("manifest.json:%d: %s\n", jerr.line, jerr.text);
		fail();
	}
	assert_string_equal(json_string_value(json_object_get(root, "version")),
			    COH_VERSION);
	json_t *cl = json_object_get(root, "command_line");
	assert_int_equal(json_array_size(cl), 5);
	assert_string_equal(json_string_value(json_array_get(cl, 3)),
			    "--seed");
	json_t *sc = json_object_get(root, "scenario");
	assert_string_equal(json_string_value(json_object_get(sc, "sha256")),
			    "ba7816bf8f01cfea414140de5dae2223"
			    "b00361a396177a9cb410ff61f20015ad");
	/* 2^64 - 1 does not fit a JSON integer reader: string only. */
	assert_true(json_is_null(json_object_get(root, "seed")));
	assert_string_equal(
		json_string_value(json_object_get(root, "seed_string")),
		"18446744073709551615");
	assert_int_equal(json_integer_value(json_object_get(root,
							    "replications")),
			 2);
	assert_true(json_is_true(json_object_get(root, "interrupted")));
	assert_string_equal(json_string_value(json_object_get(root, "start")),
			    "2020-01-01");
	assert_string_equal(json_string_value(json_object_get(root, "end")),
			    "2021-01-01");
	json_t *fl = json_object_get(root, "files");
	assert_int_equal(json_array_size(fl), 2);
	json_t *f0 = json_array_get(fl, 0);
	assert_string_equal(json_string_value(json_object_get(f0, "name")),
			    "cohesion.csv");
	assert_int_equal(json_integer_value(json_object_get(f0, "bytes")), 5);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(fl, 1), "bytes")),
			 0);
	json_decref(root);

	/* A listed file that is missing is an error, and the old manifest
	 * stays. */
	const char *missing[] = {"nope.csv"};
	man.files = missing;
	man.n_files = 1;
	assert_int_equal(coh_manifest_write(&man, &err), COH_EIO);
	assert_string_equal(err.file, path_in(dir, "nope.csv"));
	root = json_load_file(path_in(dir, "manifest.json"), 0, &jerr);
	assert_non_null(root);
	assert_int_equal(json_array_size(json_object_get(root, "files")), 2);
	json_decref(root);

	/* A seed that fits is written as a number too. */
	m.seed = 20231123;
	man.files = files;
	man.n_files = 2;
	assert_int_equal(coh_manifest_write(&man, &err), 0);
	root = json_load_file(path_in(dir, "manifest.json"), 0, &jerr);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "seed")),
			 20231123);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_numbers_shortest),
		cmocka_unit_test(test_csv_numbers_round_trip),
		cmocka_unit_test(test_csv_text_quoting),
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test_setup_teardown(test_sha256_file, make_tmpdir,
						remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_atomic_commit_replaces,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_atomic_abort_keeps_old,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_atomic_open_fails_cleanly,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_atomic_write_error,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_atomic_out_of_memory,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_mkdirs, make_tmpdir,
						remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_run_writer_all,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_run_writer_keep_subset,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_run_writer_write_error,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_run_writer_out_of_memory,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_manifest, make_tmpdir,
						remove_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
