// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/common/proc_parse.h, the one /proc/gomem parser of the tests
 * and benchmarks, over a fixed text in the format of proc-gomem.rst.
 */
#include <stdio.h>
#include <stdlib.h>
#include "kselftest_harness.h"
#include "proc_parse.h"

static const char sample[] =
	"version 1\n"
	"total held_bytes=16384 inuse_bytes=8192 idle_bytes=8192 bad_frees=3\n"
	"node id=0 held_bytes=16384 inuse_bytes=8192\n"
	"node id=1 held_bytes=0 inuse_bytes=0\n"
	"class id=1 object_size=8 span_bytes=8192 objects_per_span=1024\n"
	"class id=12 object_size=160 span_bytes=8192 objects_per_span=51\n"
	"cache name=a object_size=40 merged_with=kmalloc-48 spans=- flags=-\n"
	"cache name=ab object_size=41 merged_with=a spans=- flags=noscan,poison bad=x1\n"
	"cache name=c object_size=18446744073709551615 over=18446744073709551616\n";

TEST(find_records)
{
	const char *r;

	ASSERT_TRUE(gomem_proc_valid(sample));
	EXPECT_FALSE(gomem_proc_valid("version 10\n"));
	EXPECT_FALSE(gomem_proc_valid("total x=1\n"));
	r = gomem_proc_find(sample, "total");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, strncmp(r, "total held", 10));
	r = gomem_proc_find(sample, "node id=1");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, strncmp(r, "node id=1 ", 10));
	/* a value must match whole: "id=1" is not "id=12", "name=a" not "name=ab" */
	r = gomem_proc_find(sample, "class id=1");
	EXPECT_EQ(0, strncmp(r, "class id=1 ", 11));
	r = gomem_proc_find(sample, "cache name=ab");
	EXPECT_EQ(0, strncmp(r, "cache name=ab ", 14));
	/* and the key must match whole */
	EXPECT_EQ(NULL, gomem_proc_find(sample, "cache ame=a"));
	EXPECT_EQ(NULL, gomem_proc_find(sample, "class id=2"));
	EXPECT_EQ(NULL, gomem_proc_find(sample, "nod"));
	EXPECT_EQ(NULL, gomem_proc_find(sample, "version"));
	EXPECT_EQ(NULL, gomem_proc_find("", "total"));
}

TEST(fields)
{
	unsigned long long v = 0;
	const char *r = gomem_proc_find(sample, "cache name=ab");
	char s[16];
	int n = 0;

	ASSERT_EQ(0, gomem_proc_get(sample, "total", "bad_frees", &v));
	EXPECT_EQ(3, v);
	ASSERT_EQ(0, gomem_proc_get(sample, "class id=12", "objects_per_span", &v));
	EXPECT_EQ(51, v);
	EXPECT_EQ(-1, gomem_proc_get(sample, "class id=12", "objects", &v));
	EXPECT_EQ(-1, gomem_proc_get(sample, "class id=13", "object_size", &v));
	EXPECT_EQ(-1, gomem_proc_u64(r, "bad", &v));	/* not a number */
	EXPECT_EQ(-1, gomem_proc_u64(r, "merged_with", &v));
	ASSERT_EQ(0, gomem_proc_str(r, "flags", s, sizeof(s)));
	EXPECT_STREQ("noscan,poison", s);
	EXPECT_EQ(-1, gomem_proc_str(r, "flags", s, 5));	/* does not fit */
	r = gomem_proc_find(sample, "cache name=c");
	ASSERT_EQ(0, gomem_proc_u64(r, "object_size", &v));
	EXPECT_EQ(~0ULL, v);
	EXPECT_EQ(-1, gomem_proc_u64(r, "over", &v));	/* 2^64 overflows */
	/* every record, every field */
	for (r = gomem_proc_next(sample, NULL); r; r = gomem_proc_next(sample, r)) {
		const char *f;
		size_t kl, vl;

		for (f = gomem_proc_next_field(r, NULL); f; f = gomem_proc_next_field(r, f)) {
			EXPECT_NE(NULL, gomem_proc_kv(f, &kl, &vl));
			n++;
		}
	}
	EXPECT_EQ(4 + 3 + 3 + 4 + 4 + 5 + 6 + 3, n);
}

TEST(read_file)
{
	char path[] = "/tmp/gomem_proc_XXXXXX", buf[64], *big = malloc(4096);
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(sample), write(fd, sample, strlen(sample)));
	close(fd);
	EXPECT_EQ(-EFBIG, gomem_proc_read_file(path, buf, sizeof(buf)));
	EXPECT_EQ((ssize_t)strlen(sample), gomem_proc_read_file(path, big, 4096));
	EXPECT_STREQ(sample, big);
	free(big);
	fd = open(path, O_WRONLY | O_TRUNC);
	ASSERT_EQ(6, write(fd, "total\n", 6));
	close(fd);
	EXPECT_EQ(-EPROTO, gomem_proc_read_file(path, buf, sizeof(buf)));
	unlink(path);
}

TEST_HARNESS_MAIN
