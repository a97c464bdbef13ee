/* Runs a harness over files without libFuzzer, so that `make test` (and
 * `make check`, under the sanitizers and valgrind) replays the seed corpora
 * and every past finding with any compiler.  Arguments are files or
 * folders (their files, not recursively). */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		return 1;
	}
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, got;
	do {
		if (size == cap) {
			cap = cap ? 2 * cap : 4096;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
		got = fread(data + size, 1, cap - size, fp);
		size += got;
	} while (got > 0);
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		perror(path);
		free(data);
		return 1;
	}
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;
	size_t inputs = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= replay_file(argv[i]);
			inputs++;
			continue;
		}
		DIR *dir = opendir(argv[i]);
		if (!dir) {
			perror(argv[i]);
			return 1;
		}
		for (struct dirent *e; (e = readdir(dir));) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
			if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
				continue;
			failed |= replay_file(path);
			inputs++;
		}
		closedir(dir);
	}
	printf("%zu inputs replayed\n", inputs);
	return failed;
}
