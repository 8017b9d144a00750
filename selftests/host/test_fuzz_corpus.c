// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzz target (selftests/fuzz/fuzz_gomem.c) without libFuzzer: replays
 * every input of the committed corpus, selftests/fuzz/corpus/, under
 * ASan+UBSan. A failed check aborts with the input's name on stderr.
 * FUZZ_CORPUS overrides the directory; arguments name single inputs.
 */
#include <dirent.h>
#include <libgen.h>
#include "../fuzz/fuzz_gomem.c"
#include "kselftest_harness.h"

static char **replay_args;
static int replay_nargs;

static int replay_file(struct __test_metadata *_metadata, const char *path)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fz_input = path;
	gomem_fuzz_one(buf, n);
	fz_input = NULL;
	return 1;
}

TEST(corpus)
{
	char dir[4096], path[8192];
	struct dirent *e;
	int n = 0, i;
	DIR *d;

	if (replay_nargs) {
		for (i = 0; i < replay_nargs; i++)
			n += replay_file(_metadata, replay_args[i]);
		ASSERT_EQ(replay_nargs, n);
		return;
	}
	if (getenv("FUZZ_CORPUS")) {
		snprintf(dir, sizeof(dir), "%s", getenv("FUZZ_CORPUS"));
	} else {
		snprintf(path, sizeof(path), "%s", __FILE__);
		snprintf(dir, sizeof(dir), "%s/../fuzz/corpus", dirname(path));
	}
	d = opendir(dir);
	ASSERT_NE(NULL, d) TH_LOG("no corpus at %s", dir);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n += replay_file(_metadata, path);
	}
	closedir(d);
	TH_LOG("%d inputs replayed from %s", n, dir);
	ASSERT_LT(0, n);
}

int main(int argc, char **argv)
{
	replay_args = argv + 1;
	replay_nargs = argc - 1;
	return test_harness_run(1, argv);
}
