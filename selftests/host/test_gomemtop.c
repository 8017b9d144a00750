// SPDX-License-Identifier: GPL-2.0
/*
 * gomemtop (tools/gomemtop), run as a program over a known /proc/gomem
 * snapshot, data/gomemtop/snapshot.txt: a real /proc/gomem read in the QEMU
 * guest with gomem_workload.ko and gomem_demo.ko loaded. The binary is
 * built with ASan and UBSan (gomemtop.mk); a sanitizer report or a leak
 * exits with its own status (97, 98), which no test accepts.
 *
 *  expected_output    -o, and -s n, -s a, -s u, -a: byte for byte the
 *                     data/gomemtop/expected*.txt files
 *  rows_agree         every row and header figure, recomputed here from the
 *                     snapshot with proc_parse.h, whatever the files say
 *  sort_keys          each -s key orders its column, ties by name; the
 *                     letters and the words are the same keys
 *  iterations, live   -o -n 2; the refreshing display (-n 3, SIGINT)
 *  help               the man page's sections
 *  usage_errors       status 2 and a message; read_errors: status 1
 *  garbled            broken snapshots: status 1 and a line number, never a
 *                     crash, over every truncation and random corruptions;
 *                     unknown records and keys are ignored
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "proc_parse.h"

#if !defined(GOMEMTOP_BIN) || !defined(GOMEMTOP_DATA)
#error "build with selftests/host/gomemtop.mk: GOMEMTOP_BIN and GOMEMTOP_DATA"
#endif

#define SNAPSHOT	GOMEMTOP_DATA "/snapshot.txt"
#define EXPECTED	GOMEMTOP_DATA "/expected.txt"
#define CLEAR		"\033[H\033[2J"
#define ASAN_STATUS	97
#define UBSAN_STATUS	98
#define MAX_ROWS	256

struct result {
	int status;		/* the exit status, or 128 + the signal */
	char *out, *err;
	size_t outlen;
};

static char *slurp(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	lseek(fd, 0, SEEK_SET);
	while (buf && (r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += r;
		if (cap - n < 2)
			buf = realloc(buf, cap *= 2);
	}
	if (buf)
		buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static int tmpfd(void)
{
	char path[] = "/tmp/gomemtop_test_XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	return fd;
}

/* sanitizer reports get their own exit status: never taken for gomemtop's */
static void sanitizer_env(void)
{
	setenv("ASAN_OPTIONS", "detect_leaks=1:exitcode=97:abort_on_error=0", 1);
	setenv("UBSAN_OPTIONS", "halt_on_error=1:exitcode=98:print_stacktrace=1", 1);
}

/* start gomemtop with @args (after argv[0]), stdin /dev/null, into @out and @err */
static pid_t start(const char *const *args, int out, int err)
{
	const char *argv[32] = { "gomemtop" };
	pid_t pid;
	int i, in;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	pid = fork();
	if (pid)
		return pid;
	in = open("/dev/null", O_RDONLY);
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	sanitizer_env();
	execv(GOMEMTOP_BIN, (char **)argv);
	_exit(127);
}

static int status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void run(struct result *r, const char *const *args)
{
	int out = tmpfd(), err = tmpfd(), st = 0;
	pid_t pid = start(args, out, err);

	waitpid(pid, &st, 0);
	r->status = status_of(st);
	r->out = slurp(out, &r->outlen);
	r->err = slurp(err, NULL);
	close(out);
	close(err);
}

static void done(struct result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

static char *read_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	char *s;

	if (fd < 0)
		return NULL;
	s = slurp(fd, NULL);
	close(fd);
	return s;
}

static char tmp_path[64];

/* @len bytes of @text into a temporary file: its path */
static const char *write_tmp(const char *text, size_t len)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/gomemtop_snap_XXXXXX");
	fd = mkstemp(tmp_path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		abort();
	close(fd);
	return tmp_path;
}

/* ---------------- the table, parsed back ---------------- */

struct row {
	unsigned long long objs, active, use, size, spans, per, mem;
	char type[16], name[128], spans_s[24], per_s[24];
};

/* the rows of one screen of gomemtop's output. Return: how many, or -1 */
static int parse_rows(const char *out, struct row *rows, int max)
{
	const char *l = strstr(out, "\n     OBJS ");
	int n = 0;

	if (!l)
		return -1;
	l = strchr(l + 1, '\n');
	while (l && l[1] && l[1] != '\033' && n < max) {
		struct row *r = &rows[n];

		memset(r, 0, sizeof(*r));
		l++;
		if (*l == '\n')
			break;
		if (sscanf(l, "%llu %llu %llu%% %llu %23s %23s %lluK %15s %127s", &r->objs,
			   &r->active, &r->use, &r->size, r->spans_s, r->per_s, &r->mem, r->type,
			   r->name) != 9)
			return -1;
		r->spans = strtoull(r->spans_s, NULL, 10);
		r->per = strtoull(r->per_s, NULL, 10);
		n++;
		l = strchr(l, '\n');
	}
	return n;
}

/* the text after "LABEL ...: " on its header line, up to the newline */
static int header(const char *out, const char *label, char *buf, size_t size)
{
	const char *l = out, *v, *e;
	size_t n = strlen(label);

	while (l && (l[0] != ' ' || strncmp(l + 1, label, n))) {
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	if (!l)
		return -1;
	v = strstr(l, ": ");
	e = strchr(l, '\n');
	if (!v || !e || v > e)
		return -1;
	snprintf(buf, size, "%.*s", (int)(e - v - 2), v + 2);
	return 0;
}

/* ---------------- tests ---------------- */

TEST(expected_output)
{
	static const struct {
		const char *args[6], *file;
	} cases[] = {
		{ { "-o", "-f", SNAPSHOT }, "expected.txt" },
		{ { "-o", "-s", "n", "-f", SNAPSHOT }, "expected-s-n.txt" },
		{ { "-o", "-s", "a", "-f", SNAPSHOT }, "expected-s-a.txt" },
		{ { "-o", "-s", "u", "-f", SNAPSHOT }, "expected-s-u.txt" },
		{ { "-o", "-a", "-f", SNAPSHOT }, "expected-a.txt" },
		{ { "--once", "--sort=memory", "--file=" SNAPSHOT }, "expected.txt" },
		{ { "-o", "-s", "c", "-f", SNAPSHOT }, "expected.txt" },
		{ { "-o", "--sort", "name", "-f", SNAPSHOT }, "expected-s-n.txt" },
		{ { "-os", "active", "-f", SNAPSHOT }, "expected-s-a.txt" },
		{ { "-o", "--all", "-f", SNAPSHOT }, "expected-a.txt" },
	};
	struct result r;
	unsigned int i;
	char path[256], *want;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(path, sizeof(path), GOMEMTOP_DATA "/%s", cases[i].file);
		want = read_file(path);
		ASSERT_NE(NULL, want) TH_LOG("cannot read %s", path);
		run(&r, cases[i].args);
		EXPECT_EQ(0, r.status) TH_LOG("case %u: %s", i, r.err);
		EXPECT_STREQ("", r.err);
		EXPECT_STREQ(want, r.out) TH_LOG("case %u: not %s", i, cases[i].file);
		done(&r);
		free(want);
	}
}

/* the rows and the header, recomputed from the snapshot */
TEST(rows_agree)
{
	static const char *const args[] = { "-o", "-f", SNAPSHOT, NULL };
	unsigned long long held, inuse, idle, mem_sum = 0, act = 0, objs = 0, v, large, lbytes;
	unsigned long long spans, per, sb, slot, a, spc, size;
	static struct row rows[MAX_ROWS];
	int n, i, classes = 0, caches = 0, want_classes = 0, want_caches = 0;
	char *snap = read_file(SNAPSHOT), sel[160], buf[256], want[256];
	const char *rec;
	struct result r;

	ASSERT_NE(NULL, snap);
	ASSERT_TRUE(gomem_proc_valid(snap));
	run(&r, args);
	ASSERT_EQ(0, r.status);
	n = parse_rows(r.out, rows, MAX_ROWS);
	ASSERT_LT(5, n) TH_LOG("%d rows in\n%s", n, r.out);
	for (i = 0; i < n; i++) {
		const struct row *w = &rows[i];

		if (!strcmp(w->type, "class")) {
			classes++;
			snprintf(sel, sizeof(sel), "class object_size=%llu", w->size);
			rec = gomem_proc_find(snap, sel);
			ASSERT_NE(NULL, rec) TH_LOG("%s: no class", w->name);
			snprintf(buf, sizeof(buf), "kmalloc-%llu", w->size);
			EXPECT_STREQ(buf, w->name);
			ASSERT_EQ(0, gomem_proc_u64(rec, "spans", &spans));
			ASSERT_EQ(0, gomem_proc_u64(rec, "objects_per_span", &per));
			ASSERT_EQ(0, gomem_proc_u64(rec, "span_bytes", &sb));
			ASSERT_EQ(0, gomem_proc_u64(rec, "objects_inuse", &a));
			EXPECT_EQ(spans, w->spans);
			EXPECT_EQ(per, w->per);
			EXPECT_EQ(spans * per, w->objs);
			EXPECT_EQ(a, w->active);
			EXPECT_EQ(spans * sb / 1024, w->mem);
			EXPECT_EQ(w->objs ? a * 100 / w->objs : 0, w->use);
			mem_sum += w->mem;
			act += a;
			objs += w->objs;
		} else if (!strcmp(w->type, "large")) {
			ASSERT_EQ(0, gomem_proc_get(snap, "total", "large_objects_inuse", &large));
			ASSERT_EQ(0, gomem_proc_get(snap, "total", "large_bytes_inuse", &lbytes));
			EXPECT_EQ(large, w->active);
			EXPECT_EQ(large, w->spans);
			EXPECT_EQ(lbytes / 1024, w->mem);
			EXPECT_EQ(lbytes / large, w->size);
			mem_sum += w->mem;
		} else {
			/* a cache: the row of the record with its name (unique here) */
			caches++;
			snprintf(sel, sizeof(sel), "cache name=%s", w->name);
			rec = gomem_proc_find(snap, sel);
			ASSERT_NE(NULL, rec) TH_LOG("%s: no cache", w->name);
			ASSERT_EQ(0, gomem_proc_u64(rec, "active_objects", &a));
			ASSERT_EQ(0, gomem_proc_u64(rec, "slot_size", &slot));
			ASSERT_EQ(0, gomem_proc_u64(rec, "spanclass", &spc));
			EXPECT_EQ(a, w->active);
			EXPECT_EQ(slot, w->size);
			gomem_proc_str(rec, "merged_with", buf, sizeof(buf));
			if (!strcmp(buf, "-private")) {
				EXPECT_STREQ("private", w->type);
				ASSERT_EQ(0, gomem_proc_u64(rec, "spans", &spans));
				snprintf(sel, sizeof(sel), "class id=%llu", spc >> 1);
				ASSERT_EQ(0, gomem_proc_get(snap, sel, "objects_per_span", &per));
				ASSERT_EQ(0, gomem_proc_get(snap, sel, "span_bytes", &sb));
				EXPECT_EQ(spans, w->spans);
				EXPECT_EQ(spans * per, w->objs);
				EXPECT_EQ(spans * sb / 1024, w->mem);
				mem_sum += w->mem;
				act += a;
				objs += w->objs;
			} else {
				EXPECT_STREQ(spc == 5 ? "tiny" : "merged", w->type);
				EXPECT_STREQ("-", w->spans_s);
				EXPECT_STREQ("-", w->per_s);
				EXPECT_EQ(a, w->objs);
				EXPECT_EQ((a * slot + 1023) / 1024, w->mem);
			}
		}
	}
	/* one row per class in use, per cache; the memory adds up to inuse_bytes */
	for (rec = gomem_proc_next(snap, NULL); rec; rec = gomem_proc_next(snap, rec)) {
		unsigned long long s = 0, in = 0, c = 0;

		if (gomem_proc_is(rec, "cache"))
			want_caches++;
		if (!gomem_proc_is(rec, "class"))
			continue;
		gomem_proc_u64(rec, "spans", &s);
		gomem_proc_u64(rec, "objects_inuse", &in);
		gomem_proc_u64(rec, "objects_cached", &c);
		want_classes += s || in || c;
	}
	EXPECT_EQ(want_classes, classes);
	EXPECT_EQ(want_caches, caches);
	ASSERT_EQ(0, gomem_proc_get(snap, "total", "held_bytes", &held));
	ASSERT_EQ(0, gomem_proc_get(snap, "total", "inuse_bytes", &inuse));
	ASSERT_EQ(0, gomem_proc_get(snap, "total", "idle_bytes", &idle));
	EXPECT_EQ(inuse / 1024, mem_sum);
	/* the header */
	ASSERT_EQ(0, header(r.out, "Memory held / in use / idle", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%.2fK / %.2fK / %.2fK", held / 1024.0, inuse / 1024.0,
		 idle / 1024.0);
	EXPECT_STREQ(want, buf);
	ASSERT_EQ(0, header(r.out, "Active / Total Objects (% used)", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%llu / %llu (%.1f%%)", act, objs, 100.0 * act / objs);
	EXPECT_STREQ(want, buf);
	ASSERT_EQ(0, gomem_proc_get(snap, "total", "spans_inuse", &v));
	ASSERT_EQ(0, header(r.out, "Spans: classes / private / large", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "(%llu in use)", v);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("%s", buf);
	ASSERT_EQ(0, header(r.out, "Node 0 held / in use / idle", buf, sizeof(buf)));
	ASSERT_EQ(0, gomem_proc_get(snap, "node id=0", "held_bytes", &size));
	snprintf(want, sizeof(want), "%.2fK / ", size / 1024.0);
	EXPECT_EQ(0, strncmp(buf, want, strlen(want))) TH_LOG("%s", buf);
	done(&r);
	free(snap);
}

static unsigned long long column(const struct row *r, char key)
{
	switch (key) {
	case 'a': return r->active;
	case 'b': return r->per;
	case 'c': return r->mem;
	case 'l': return r->spans;
	case 'o': return r->objs;
	case 's': return r->size;
	case 'u': return r->use;
	}
	return 0;
}

static int cmp_lines(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct row));
}

/* every key orders its column, largest first, ties by name; the same rows */
TEST(sort_keys)
{
	static const char keys[] = "abclosu";
	static struct row base[MAX_ROWS], rows[MAX_ROWS];
	const char *args[] = { "-o", "-a", "-s", NULL, "-f", SNAPSHOT, NULL };
	char key[2] = { 0 };
	int n0, n, i;
	unsigned int k;
	struct result r;

	args[3] = "n";
	run(&r, args);
	ASSERT_EQ(0, r.status);
	n0 = parse_rows(r.out, base, MAX_ROWS);
	ASSERT_LT(67, n0);
	for (i = 1; i < n0; i++)
		EXPECT_GT(0, strverscmp(base[i - 1].name, base[i].name))
			TH_LOG("-s n: %s before %s", base[i - 1].name, base[i].name);
	done(&r);
	qsort(base, n0, sizeof(base[0]), cmp_lines);
	for (k = 0; k < sizeof(keys) - 1; k++) {
		key[0] = keys[k];
		args[3] = key;
		run(&r, args);
		ASSERT_EQ(0, r.status) TH_LOG("-s %s: %s", key, r.err);
		n = parse_rows(r.out, rows, MAX_ROWS);
		ASSERT_EQ(n0, n);
		for (i = 1; i < n; i++) {
			const struct row *p = &rows[i - 1], *q = &rows[i];
			unsigned long long a = column(p, key[0]), b = column(q, key[0]);

			/* use: the exact ratio, USE is rounded down */
			if (key[0] == 'u') {
				a = p->objs && q->objs ? p->active * q->objs : !!(p->objs && p->active);
				b = p->objs && q->objs ? q->active * p->objs : !!(q->objs && q->active);
			}
			EXPECT_TRUE(a > b || (a == b && strverscmp(p->name, q->name) <= 0))
				TH_LOG("-s %s: %s (%llu) before %s (%llu)", key, p->name, a,
				       q->name, b);
		}
		qsort(rows, n, sizeof(rows[0]), cmp_lines);
		EXPECT_EQ(0, memcmp(base, rows, n * sizeof(rows[0]))) TH_LOG("-s %s", key);
		done(&r);
	}
}

TEST(iterations)
{
	static const char *const args[] = { "-o", "-n", "2", "-d", "0.01", "-f", SNAPSHOT, NULL };
	char *want = read_file(EXPECTED), *twice;
	struct result r;

	ASSERT_NE(NULL, want);
	ASSERT_LT(0, asprintf(&twice, "%s\n%s", want, want));
	run(&r, args);
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ(twice, r.out);
	done(&r);
	free(twice);
	free(want);
}

/* the refreshing display, on a pipe: 3 screens, each cleared, with a title */
TEST(live)
{
	static const char *const args[] = { "-d", "0.05", "-n", "3", "-f", SNAPSHOT, NULL };
	char *want = read_file(EXPECTED), *p, *q;
	struct result r;
	int screens = 0;

	ASSERT_NE(NULL, want);
	run(&r, args);
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("", r.err);
	for (p = strstr(r.out, CLEAR); p; p = q) {
		char *title = p + strlen(CLEAR), *body = strchr(title, '\n');

		ASSERT_NE(NULL, body);
		EXPECT_EQ(0, strncmp(title, "gomemtop - ", 11));
		EXPECT_NE(NULL, memmem(title, body - title, "sorted by memory", 16));
		body++;
		q = strstr(body, CLEAR);
		/* the screen is the batch output; the last one ends with a newline more */
		EXPECT_EQ(strlen(want) + (q ? 0 : 1), (size_t)(q ? q - body : (long)strlen(body)));
		EXPECT_EQ(0, strncmp(body, want, strlen(want)));
		screens++;
	}
	EXPECT_EQ(3, screens);
	done(&r);
	free(want);
}

/* SIGINT ends the display at once, with status 0 */
TEST(live_sigint)
{
	static const char *const args[] = { "-d", "30", "-f", SNAPSHOT, NULL };
	int out = tmpfd(), err = tmpfd(), st = 0, i;
	struct timespec t0, t1;
	pid_t pid, w = 0;
	struct stat sb;

	pid = start(args, out, err);
	for (i = 0; i < 500 && !fstat(out, &sb) && !sb.st_size; i++)
		usleep(10000);
	ASSERT_LT(0, sb.st_size) TH_LOG("no first screen");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kill(pid, SIGINT);
	for (i = 0; i < 500 && !w; i++) {
		w = waitpid(pid, &st, WNOHANG);
		if (!w)
			usleep(10000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!w) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	ASSERT_EQ(pid, w) TH_LOG("still running 5 s after SIGINT");
	EXPECT_EQ(0, status_of(st));
	EXPECT_GT(3, t1.tv_sec - t0.tv_sec);
	close(out);
	close(err);
}

TEST(help)
{
	static const char *const sections[] = { "NAME\n", "\nSYNOPSIS\n", "\nDESCRIPTION\n",
		"\nOPTIONS\n", "\nFIELDS\n", "\nEXIT STATUS\n", "\nEXAMPLES\n", "\nSEE ALSO\n" };
	static const char *const opts[] = { "-o, --once", "-d SECS, --delay=SECS",
		"-s KEY, --sort=KEY", "-f FILE, --file=FILE", "-n N, --iterations=N",
		"-a, --all", "-h, --help" };
	static const char *const a1[] = { "--help", NULL }, *const a2[] = { "-h", NULL };
	const char *last = NULL;
	struct result r, r2;
	unsigned int i;

	run(&r, a1);
	run(&r2, a2);
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0, r2.status);
	EXPECT_STREQ("", r.err);
	EXPECT_STREQ(r.out, r2.out);
	EXPECT_EQ(0, strncmp(r.out, "NAME\n       gomemtop - ", 23));
	/* the sections, in this order */
	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		const char *s = strstr(r.out, sections[i]);

		EXPECT_NE(NULL, s) TH_LOG("no %s", sections[i]);
		EXPECT_TRUE(!s || !last || s > last) TH_LOG("%s out of order", sections[i]);
		last = s;
	}
	for (i = 0; i < ARRAY_SIZE(opts); i++)
		EXPECT_NE(NULL, strstr(r.out, opts[i])) TH_LOG("option %s", opts[i] ?: "");
	/* and every column of the table */
	for (i = 0; i < 9; i++) {
		static const char *const cols[] = { "OBJS", "ACTIVE", "USE", "OBJSIZE", "SPANS",
						    "OBJ/SPAN", "MEMORY", "TYPE", "NAME" };
		char pat[32];

		snprintf(pat, sizeof(pat), "\n       %s ", cols[i]);
		EXPECT_NE(NULL, strstr(r.out, pat)) TH_LOG("field %s", cols[i]);
	}
	done(&r);
	done(&r2);
}

TEST(usage_errors)
{
	static const struct {
		const char *args[4], *msg;
	} cases[] = {
		{ { "-x" }, "gomemtop: unknown option '-x'\n" },
		{ { "--bogus" }, "gomemtop: unknown option '--bogus'\n" },
		{ { "-o", "-s", "zz" }, "gomemtop: unknown sort key 'zz': " },
		{ { "-s", "" }, "gomemtop: unknown sort key '': " },
		{ { "-d", "0" }, "gomemtop: bad delay '0'" },
		{ { "-d", "abc" }, "gomemtop: bad delay 'abc'" },
		{ { "-d", "-1" }, "gomemtop: bad delay '-1'" },
		{ { "-n", "0" }, "gomemtop: bad iteration count '0'" },
		{ { "-n", "-2" }, "gomemtop: bad iteration count '-2'" },
		{ { "-n", "3x" }, "gomemtop: bad iteration count '3x'" },
		{ { "-o", "-d" }, "gomemtop: option '-d' needs an argument\n" },
		{ { "--sort" }, "gomemtop: option '--sort' needs an argument\n" },
		{ { "-o", "snapshot.txt" }, "gomemtop: unexpected argument 'snapshot.txt'\n" },
	};
	struct result r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		run(&r, cases[i].args);
		EXPECT_EQ(2, r.status) TH_LOG("%s %s", cases[i].args[0], cases[i].args[1]);
		EXPECT_STREQ("", r.out);
		EXPECT_EQ(0, strncmp(r.err, cases[i].msg, strlen(cases[i].msg)))
			TH_LOG("stderr: %s", r.err);
		EXPECT_NE(NULL, strstr(r.err, "Try 'gomemtop --help' for more information.\n"));
		done(&r);
	}
}

TEST(read_errors)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "", "not a /proc/gomem snapshot: the first line is not \"version 1\"\n" },
		{ "version 2\ntotal held_bytes=0\n", "not a /proc/gomem snapshot" },
		{ "version 10\n", "not a /proc/gomem snapshot" },
		{ "\x7f" "ELF\x02\x01\x01", "not a /proc/gomem snapshot" },
		{ "version 1\n", "no total record\n" },
	};
	const char *a1[] = { "-o", "-f", "/nonexistent/snapshot", NULL };
	const char *a2[] = { "-o", "-f", "/tmp", NULL };
	const char *a3[] = { "-o", "-f", NULL, NULL };
	struct result r;
	unsigned int i;
	char msg[256];

	run(&r, a1);
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("", r.out);
	EXPECT_STREQ("gomemtop: /nonexistent/snapshot: No such file or directory\n", r.err);
	done(&r);
	run(&r, a2);
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("gomemtop: /tmp: Is a directory\n", r.err);
	done(&r);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		a3[2] = write_tmp(cases[i].text, strlen(cases[i].text));
		run(&r, a3);
		EXPECT_EQ(1, r.status) TH_LOG("case %u", i);
		EXPECT_STREQ("", r.out);
		snprintf(msg, sizeof(msg), "gomemtop: %s: %s", tmp_path, cases[i].msg);
		EXPECT_EQ(0, strncmp(r.err, msg, strlen(msg))) TH_LOG("stderr: %s", r.err);
		done(&r);
		unlink(tmp_path);
	}
}

/* @snap with the first match of @from replaced by @to */
static char *edit(const char *snap, const char *from, const char *to)
{
	const char *p = strstr(snap, from);
	char *s;

	if (!p || asprintf(&s, "%.*s%s%s", (int)(p - snap), snap, to, p + strlen(from)) < 0)
		return NULL;
	return s;
}

/* run over @text: 0 and a table, or 1 and one message; never a crash */
static int run_text(struct __test_metadata *_metadata, const char *text, size_t len,
		    struct result *r)
{
	const char *args[] = { "-o", "-a", "-f", NULL, NULL };

	args[3] = write_tmp(text, len);
	run(r, args);
	unlink(tmp_path);
	if (r->status == 0) {
		EXPECT_EQ(0, strncmp(r->out, " Active / Total Objects", 23));
	} else {
		EXPECT_EQ(1, r->status) TH_LOG("status %d, stderr: %.300s", r->status, r->err);
		EXPECT_STREQ("", r->out);
		EXPECT_EQ(0, strncmp(r->err, "gomemtop: ", 10));
		EXPECT_TRUE(strchr(r->err, '\n') == r->err + strlen(r->err) - 1)
			TH_LOG("not one line: %s", r->err);
	}
	return r->status;
}

/* broken records: status 1 and what is wrong, on which line */
TEST(garbled_records)
{
	static const struct {
		const char *from, *to, *msg;
	} edits[] = {
		{ "\ntotal held_bytes=", "\ntotal held_bytes=x", ": line 2: held_bytes=x" },
		{ " spans_inuse=", " spans_inuse ", ": line 2: \"spans_inuse\" is not key=value" },
		{ "\ntotal ", "\ntotalx ", ": no total record\n" },
		{ "\nnode id=0 ", "\ntotal held_bytes=1\nnode id=0 ", ": line 3: a second total" },
		{ "\nclass id=1 ", "\nclass id=2 ", ": class id=2 twice\n" },
		{ " objects_inuse=", " objects_inus=", "class record without objects_inuse=" },
		{ " objects_per_span=1024 ", " objects_per_span=18446744073709551616 ",
		  "objects_per_span=18446744073709551616 is not a number" },
		{ " merged_with=-private spans=", " merged_with=-private spanz=",
		  "cache record without spans=" },
		{ " spans=- ", " spans=3 ", "but spans is not -" },
		{ " active_objects=", " active_objects=-", "active_objects=-" },
		{ "cache name=", "cache nam=", "cache record without name=" },
		{ " slot_size=", " slot_size=0x", "slot_size=0x" },
	};
	char *snap = read_file(SNAPSHOT), *s, *line, *nl, sel[32];
	unsigned long long spc;
	const char *c;
	struct result r;
	unsigned int i;

	ASSERT_NE(NULL, snap);
	for (i = 0; i < ARRAY_SIZE(edits); i++) {
		s = edit(snap, edits[i].from, edits[i].to);
		ASSERT_NE(NULL, s) TH_LOG("no \"%s\" in the snapshot", edits[i].from);
		EXPECT_EQ(1, run_text(_metadata, s, strlen(s), &r)) TH_LOG("edit %u", i);
		EXPECT_NE(NULL, strstr(r.err, edits[i].msg)) TH_LOG("edit %u: %s", i, r.err);
		done(&r);
		free(s);
	}
	/* a private cache on a class that has no record */
	c = gomem_proc_find(snap, "cache merged_with=-private");
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, gomem_proc_u64(c, "spanclass", &spc));
	s = strdup(snap);
	snprintf(sel, sizeof(sel), "\nclass id=%llu ", spc >> 1);
	line = strstr(s, sel);
	ASSERT_NE(NULL, line);
	nl = strchr(line + 1, '\n');
	memmove(line, nl, strlen(nl) + 1);
	EXPECT_EQ(1, run_text(_metadata, s, strlen(s), &r));
	snprintf(sel, sizeof(sel), "spanclass=%llu\n", spc);
	EXPECT_NE(NULL, strstr(r.err, ": no class record for ")) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, sel)) TH_LOG("%s", r.err);
	done(&r);
	free(s);
	free(snap);
}

/* unknown records and keys are ignored, as the format asks */
TEST(unknown_records_and_keys)
{
	char *snap = read_file(SNAPSHOT), *want = read_file(GOMEMTOP_DATA "/expected-a.txt");
	char *s, *extra;
	struct result r;

	ASSERT_NE(NULL, snap);
	ASSERT_NE(NULL, want);
	s = edit(snap, "\nclass id=1 ", "\nslab id=1 x=y\nclass newkey=5 id=1 ");
	ASSERT_NE(NULL, s);
	ASSERT_LT(0, asprintf(&extra, "%s\n\nfuture record=1 with=fields\n", s));
	EXPECT_EQ(0, run_text(_metadata, extra, strlen(extra), &r));
	EXPECT_STREQ(want, r.out);
	done(&r);
	free(extra);
	free(s);
	free(snap);
	free(want);
}

/* gw_b's record edited to @to: its one row as gomemtop shows it, into @row */
static void private_row(struct __test_metadata *_metadata, const char *to, struct row *row)
{
	char *snap = read_file(SNAPSHOT), *s;
	static struct row rows[MAX_ROWS];
	struct result r;
	int n, i, found = 0;

	ASSERT_NE(NULL, snap);
	s = edit(snap, "name=gw_b object_size=100 align=8 spanclass=18 slot_size=112 "
		 "merged_with=-private spans=7 ", to);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, run_text(_metadata, s, strlen(s), &r)) TH_LOG("%s", r.err);
	n = parse_rows(r.out, rows, MAX_ROWS);
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].name, "gw_b"))
			continue;
		found++;
		*row = rows[i];
		EXPECT_STREQ("private", rows[i].type);
	}
	EXPECT_EQ(1, found);
	done(&r);
	free(s);
	free(snap);
}

/*
 * A private cache's row takes its class's span size and objects per span:
 * gw_b moved to class 35 (1408 bytes, 16 KiB spans of 11), in 31 spans.
 */
TEST(private_cache_class)
{
	char *snap = read_file(SNAPSHOT);
	struct row row = { };

	ASSERT_NE(NULL, snap);
	ASSERT_NE(NULL, strstr(snap, "\nclass id=35 object_size=1408 span_bytes=16384 "
			       "objects_per_span=11 "));
	free(snap);
	private_row(_metadata, "name=gw_b object_size=1400 align=8 spanclass=70 slot_size=1408 "
		    "merged_with=-private spans=31 ", &row);
	EXPECT_EQ(31, row.spans);
	EXPECT_EQ(11, row.per);
	EXPECT_EQ(341, row.objs);
	EXPECT_EQ(333, row.active);
	EXPECT_EQ(97, row.use);	/* 97.65 % */
	EXPECT_EQ(1408, row.size);
	EXPECT_EQ(31 * 16, row.mem);
}

/*
 * A private cache whose row gives its own span_bytes and objects_per_span
 * (an exact-fit class: spanclass 0, no class record) takes them: gw_b as
 * 1192-byte slots, 27 in 32 KiB spans, in 13 spans.
 */
TEST(private_cache_exact_fit)
{
	struct row row = { };

	private_row(_metadata, "name=gw_b object_size=1184 align=8 spanclass=0 slot_size=1192 "
		    "span_bytes=32768 objects_per_span=27 merged_with=-private spans=13 ", &row);
	EXPECT_EQ(13, row.spans);
	EXPECT_EQ(27, row.per);
	EXPECT_EQ(351, row.objs);
	EXPECT_EQ(1192, row.size);
	EXPECT_EQ(13 * 32, row.mem);
}

/* the sweeps run gomemtop a few hundred times, slow under ASan: 5 minutes */
FIXTURE(sweep) {
};

FIXTURE_SETUP(sweep)
{
}

FIXTURE_TEARDOWN(sweep)
{
}

/*
 * Truncated snapshots: cut inside a required key, an error naming the
 * line; cut anywhere, a table or one error line, never a crash.
 */
TEST_F_TIMEOUT(sweep, truncated, 300)
{
	char *snap = read_file(SNAPSHOT), *p, msg[64];
	size_t len, cut, lines = 0, inside = 0;
	struct result r;
	unsigned int bad = 0, line;

	ASSERT_NE(NULL, snap);
	len = strlen(snap);
	/* in "held_bytes" of the total; in "object_size" of class 40's line */
	p = strstr(snap, "\ntotal held_b");
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, run_text(_metadata, snap, p + 13 - snap, &r));
	EXPECT_NE(NULL, strstr(r.err, ": line 2: \"held_b\" is not key=value\n")) TH_LOG("%s",
											r.err);
	done(&r);
	p = strstr(snap, "\nclass id=40 ");
	ASSERT_NE(NULL, p);
	for (line = 1, cut = 0; snap + cut <= p; cut++)
		line += snap[cut] == '\n';
	EXPECT_EQ(1, run_text(_metadata, snap, p + 19 - snap, &r));
	snprintf(msg, sizeof(msg), ": line %u: \"object\" is not key=value\n", line);
	EXPECT_NE(NULL, strstr(r.err, msg)) TH_LOG("%s: %s", msg, r.err);
	done(&r);
	for (cut = 0; cut < len; cut++) {
		if (snap[cut] != '\n' && cut % 151)
			continue;
		if (snap[cut] == '\n')
			lines++;
		else
			inside++;
		run_text(_metadata, snap, cut + 1, &r);
		bad += r.status != 0 && r.status != 1;
		done(&r);
	}
	EXPECT_EQ(0, bad);
	TH_LOG("%zu cuts at line ends, %zu inside lines", lines, inside);
	free(snap);
}

/* random corruptions: a table or one error line, never a crash */
TEST_F_TIMEOUT(sweep, corrupted, 300)
{
	char *snap = read_file(SNAPSHOT), *s;
	unsigned int i, j, seed = 1, bad = 0, ok = 0;
	struct result r;
	size_t len;

	ASSERT_NE(NULL, snap);
	len = strlen(snap);
	s = malloc(len + 1);
	ASSERT_NE(NULL, s);
	for (i = 0; i < 100; i++) {
		memcpy(s, snap, len + 1);
		for (j = 0; j < 1 + i % 8; j++) {
			seed = seed * 1103515245 + 12345;
			s[(seed >> 8) % len] = "=\n 0x-9\0a"[(seed >> 4) % 9];
		}
		ok += run_text(_metadata, s, len, &r) == 0;
		bad += r.status != 0 && r.status != 1;
		done(&r);
	}
	EXPECT_EQ(0, bad);
	TH_LOG("100 corruptions: %u read as a table, %u refused", ok, 100 - ok);
	free(s);
	free(snap);
}

TEST_HARNESS_MAIN
