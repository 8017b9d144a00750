// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for gomem's generated size class tables.
 *
 * The tables must equal Go 1.19's (selftests/host/data/go_sizeclasses.txt,
 * or $GOMEM_TESTDATA), the lookups must agree with brute force for every
 * input, and scripts/mksizeclasses.c ($GOMEM_MKSIZECLASSES) must reproduce
 * the committed gomem/sizeclasses.[ch] exactly.
 */

#include "kselftest_harness.h"

#include "sizeclasses.h"

#define GO_CLASSES	67	/* rows in the data file: classes 1..67 */

/*
 * Note: ASSERT_*()/EXPECT_*() expand to more than one statement, so a loop
 * or if body holding one must be braced.
 */

/* Directory of this source file; the data file and gomem/ hang off it. */
static const char *src_dir(void)
{
	static char dir[4096];
	const char *slash;

	if (dir[0])
		return dir;
	slash = strrchr(__FILE__, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - __FILE__), __FILE__);
	return dir;
}

/* Read a whole file, NUL-terminated; NULL on failure. */
static char *slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

struct go_row {
	unsigned long cls, size, span, objects, tail, divmagic;
};

TEST(constants)
{
	ASSERT_EQ(68, GOMEM_NUM_SIZE_CLASSES);
	ASSERT_EQ(136, GOMEM_NUM_SPAN_CLASSES);
	ASSERT_EQ(13, GOMEM_PAGE_SHIFT);
	ASSERT_EQ(8192UL, GOMEM_PAGE_SIZE);
	ASSERT_EQ(32768, GOMEM_MAX_SMALL_SIZE);
	ASSERT_EQ(8, GOMEM_SMALL_SIZE_DIV);
	ASSERT_EQ(1024, GOMEM_SMALL_SIZE_MAX);
	ASSERT_EQ(128, GOMEM_LARGE_SIZE_DIV);
	ASSERT_EQ(16, GOMEM_TINY_SIZE);
	ASSERT_EQ(2, GOMEM_TINY_SIZE_CLASS);
	ASSERT_EQ(GOMEM_TINY_SIZE, gomem_class_to_size[GOMEM_TINY_SIZE_CLASS]);
	ASSERT_EQ(129UL, ARRAY_SIZE(gomem_size_to_class8));
	ASSERT_EQ(249UL, ARRAY_SIZE(gomem_size_to_class128));
	ASSERT_EQ(GOMEM_MAX_SMALL_SIZE,
		  gomem_class_to_size[GOMEM_NUM_SIZE_CLASSES - 1]);

	/* class 0 is the large-object pseudo class */
	ASSERT_EQ(0, gomem_class_to_size[0]);
	ASSERT_EQ(0, gomem_class_to_npages[0]);
	ASSERT_EQ(0, gomem_class_to_nelems[0]);
	ASSERT_EQ(0U, gomem_class_to_divmagic[0]);
}

TEST(matches_go_table)
{
	const char *env = getenv("GOMEM_TESTDATA");
	char path[4200];
	char line[256];
	int rows = 0;
	FILE *f;

	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else
		snprintf(path, sizeof(path), "%s/data/go_sizeclasses.txt", src_dir());
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("cannot open %s: %s", path, strerror(errno));

	while (fgets(line, sizeof(line), f)) {
		struct go_row r;
		unsigned long span;
		unsigned int c;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		ASSERT_EQ(6, sscanf(line, "%lu %lu %lu %lu %lu %lu", &r.cls, &r.size,
				    &r.span, &r.objects, &r.tail, &r.divmagic))
			TH_LOG("%s: bad line: %s", path, line);
		rows++;
		ASSERT_EQ((unsigned long)rows, r.cls) TH_LOG("%s: rows out of order", path);
		c = (unsigned int)r.cls;
		ASSERT_LT(c, (unsigned int)GOMEM_NUM_SIZE_CLASSES);

		span = (unsigned long)gomem_class_to_npages[c] * GOMEM_PAGE_SIZE;
		EXPECT_EQ(r.size, gomem_class_to_size[c]) TH_LOG("class %u size", c);
		EXPECT_EQ(r.span, span) TH_LOG("class %u span bytes", c);
		EXPECT_EQ(r.objects, gomem_class_to_nelems[c]) TH_LOG("class %u objects", c);
		EXPECT_EQ(r.tail, span - (unsigned long)gomem_class_to_nelems[c] *
			  gomem_class_to_size[c]) TH_LOG("class %u tail waste", c);
		EXPECT_EQ(r.divmagic, gomem_class_to_divmagic[c]) TH_LOG("class %u divmagic", c);
	}
	fclose(f);
	ASSERT_EQ(GO_CLASSES, rows) TH_LOG("%s: expected %d classes", path, GO_CLASSES);
}

/* Properties the generator's rules guarantee, checked independently of Go. */
TEST(class_invariants)
{
	unsigned int c;

	for (c = 1; c < GOMEM_NUM_SIZE_CLASSES; c++) {
		unsigned long size = gomem_class_to_size[c];
		unsigned long span = (unsigned long)gomem_class_to_npages[c] * GOMEM_PAGE_SIZE;

		ASSERT_LT(gomem_class_to_size[c - 1], size) TH_LOG("class %u not increasing", c);
		ASSERT_EQ(0UL, size % 8) TH_LOG("class %u", c);
		if (size >= GOMEM_SMALL_SIZE_MAX) {
			ASSERT_EQ(0UL, size % GOMEM_LARGE_SIZE_DIV) TH_LOG("class %u", c);
		}
		ASSERT_NE(0, gomem_class_to_npages[c]);
		ASSERT_EQ(span / size, gomem_class_to_nelems[c]) TH_LOG("class %u", c);
		/* tail waste at most 12.5% of the span */
		ASSERT_LE(span % size, span / 8) TH_LOG("class %u", c);
		ASSERT_EQ((u32)(0xffffffffu / size + 1), gomem_class_to_divmagic[c]);
	}
}

TEST(size_to_class)
{
	unsigned long size;
	unsigned int c;

	ASSERT_EQ(1U, gomem_size_to_class(0));
	for (size = 1; size <= GOMEM_MAX_SMALL_SIZE; size++) {
		c = gomem_size_to_class(size);
		ASSERT_GE(c, 1U) TH_LOG("size %lu", size);
		ASSERT_LT(c, (unsigned int)GOMEM_NUM_SIZE_CLASSES) TH_LOG("size %lu", size);
		ASSERT_GE(gomem_class_to_size[c], size)
			TH_LOG("size %lu -> class %u (%u bytes) too small", size, c,
			       gomem_class_to_size[c]);
		if (c > 1) {
			ASSERT_LT(gomem_class_to_size[c - 1], size)
				TH_LOG("size %lu -> class %u, but class %u (%u bytes) fits",
				       size, c, c - 1, gomem_class_to_size[c - 1]);
		}
	}
	ASSERT_EQ(0U, gomem_size_to_class(GOMEM_MAX_SMALL_SIZE + 1));
	ASSERT_EQ(0U, gomem_size_to_class(1UL << 20));
	ASSERT_EQ(0U, gomem_size_to_class(SIZE_MAX));
}

TEST(obj_index)
{
	unsigned long mismatches = 0;
	unsigned int c;

	for (c = 1; c < GOMEM_NUM_SIZE_CLASSES; c++) {
		u32 size = gomem_class_to_size[c];
		u32 span = (u32)gomem_class_to_npages[c] * GOMEM_PAGE_SIZE;
		u32 off, k;

		/* object starts */
		for (k = 0; k <= gomem_class_to_nelems[c]; k++) {
			ASSERT_EQ(k, gomem_obj_index(k * size, c))
				TH_LOG("class %u (%u bytes): object %u", c, size, k);
		}

		/* every byte offset, including one past the end of the span */
		for (off = 0; off <= span; off++) {
			if (gomem_obj_index(off, c) == off / size)
				continue;
			if (!mismatches++)
				TH_LOG("class %u (%u bytes): offset %u -> %u, want %u",
				       c, size, off, gomem_obj_index(off, c), off / size);
		}
	}
	ASSERT_EQ(0UL, mismatches);

	/* large spans hold one object */
	ASSERT_EQ(0U, gomem_obj_index(0, 0));
	ASSERT_EQ(0U, gomem_obj_index(1U << 20, 0));
}

TEST(spanclass)
{
	unsigned int c;
	int noscan;

	for (c = 0; c < GOMEM_NUM_SIZE_CLASSES; c++) {
		for (noscan = 0; noscan <= 1; noscan++) {
			u8 spc = gomem_make_spanclass(c, noscan);

			ASSERT_EQ((c << 1) | (unsigned int)noscan, spc);
			ASSERT_LT(spc, GOMEM_NUM_SPAN_CLASSES);
			ASSERT_EQ(c, gomem_spanclass_sizeclass(spc));
			ASSERT_EQ(!!noscan, gomem_spanclass_noscan(spc));
		}
	}
}

static void expect_same_file(struct __test_metadata *_metadata,
			     const char *want_path, const char *got_path)
{
	size_t want_len = 0, got_len = 0, i;
	char *want, *got;

	want = slurp(want_path, &want_len);
	EXPECT_NE(NULL, want) TH_LOG("cannot read %s", want_path);
	got = slurp(got_path, &got_len);
	EXPECT_NE(NULL, got) TH_LOG("cannot read %s", got_path);
	if (want && got) {
		i = 0;
		while (i < want_len && i < got_len && want[i] == got[i])
			i++;
		EXPECT_EQ(want_len, got_len) TH_LOG("%s differs in length from %s",
						    got_path, want_path);
		EXPECT_EQ(want_len, i) TH_LOG("%s differs from %s at byte %zu",
					      got_path, want_path, i);
	}
	free(want);
	free(got);
}

TEST(regenerate)
{
	const char *gen = getenv("GOMEM_MKSIZECLASSES");
	char tmpl[] = "/tmp/gomem-sizeclasses.XXXXXX";
	char out_h[256], out_c[256], want[4200];
	int status = -1;
	bool ran_ok;
	pid_t pid;

	if (!gen || !*gen)
		SKIP(return, "GOMEM_MKSIZECLASSES is not set (path to the built generator)");
	ASSERT_EQ(0, access(gen, X_OK)) TH_LOG("%s: %s", gen, strerror(errno));
	ASSERT_NE(NULL, mkdtemp(tmpl)) TH_LOG("mkdtemp: %s", strerror(errno));
	snprintf(out_h, sizeof(out_h), "%s/sizeclasses.h", tmpl);
	snprintf(out_c, sizeof(out_c), "%s/sizeclasses.c", tmpl);

	pid = fork();
	if (pid == 0) {
		execl(gen, gen, out_h, out_c, (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) != pid)
		status = -1;
	ran_ok = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	EXPECT_TRUE(ran_ok) TH_LOG("%s failed (wait status %d)", gen, status);

	if (ran_ok) {
		snprintf(want, sizeof(want), "%s/../../gomem/sizeclasses.h", src_dir());
		expect_same_file(_metadata, want, out_h);
		snprintf(want, sizeof(want), "%s/../../gomem/sizeclasses.c", src_dir());
		expect_same_file(_metadata, want, out_c);
	}

	unlink(out_h);
	unlink(out_c);
	rmdir(tmpl);
}

TEST_HARNESS_MAIN
