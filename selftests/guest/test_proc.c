// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/gomem from userspace (kselftest harness): its format, and that it
 * counts exactly what a known workload did.
 *
 *  format          version 1; one total, one row per size class 1..67, node
 *                  and cache rows; every required key; numbers are plain
 *                  decimals; no kernel addresses; the class table is sane.
 *  workload        gomem_workload.ko (selftests/modules/gomem_workload.c)
 *                  with the parameters below: per-cache allocs, frees and
 *                  active objects, merged_with, flags; per-class allocs,
 *                  frees and objects in use (diffed against a snapshot taken
 *                  before), totals; the sums add up; after rmmod and
 *                  "shrink", everything is back to the snapshot.
 *  under_load      two threads read and parse /proc/gomem while every CPU
 *                  allocates and frees (gomem_workload.ko churn=1) and a
 *                  third writes "shrink"; every snapshot is well formed.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "proc_parse.h"

#define PROC		GOMEM_PROC_PATH
#define MODS		"/mods"
#define MAX_RECS	512
#define NCLASSES	68	/* size classes 1..67 */

/* ---------------- parser: selftests/common/proc_parse.h ---------------- */

/* a record: its type, and its line in snap.text */
struct rec {
	char type[8];
	const char *line;
};

/*
 * A snapshot of /proc/gomem, its records indexed (about 72 KiB of text:
 * small enough for malloc() to reuse heap memory rather than map and unmap
 * pages for every snapshot).
 */
struct snap {
	char *text;
	int nrec;
	struct rec rec[MAX_RECS];
};

static const char * const total_keys[] = {
	"held_bytes", "inuse_bytes", "idle_bytes", "released_bytes", "spans_inuse",
	"small_allocs", "small_frees", "small_objects_inuse", "small_objects_cached",
	"small_bytes_inuse", "large_allocs", "large_frees", "large_objects_inuse",
	"large_bytes_inuse", "tiny_allocs", "tiny_frees", "tiny_blocks", "vmalloc_allocs",
	"vmalloc_frees", "remote_node_frees", "bad_frees", "double_frees", "failed_allocs",
	"foreign_frees", NULL
};
static const char * const node_keys[] = {
	"id", "held_bytes", "inuse_bytes", "idle_bytes", "released_bytes", "grown_blocks",
	"fallback_blocks", "released_blocks", "grow_failures", "spans_inuse",
	"large_objects_inuse", "large_bytes_inuse", "hot_bytes", "hot_hits", NULL
};
static const char * const class_keys[] = {
	"id", "object_size", "span_bytes", "objects_per_span", "spans", "objects_inuse",
	"objects_cached", "allocs", "frees", "objects_transferred", NULL
};
static const char * const cache_keys[] = {
	"name", "object_size", "align", "spanclass", "slot_size", "merged_with", "spans",
	"active_objects", "allocs", "frees", "flags", "ctor", "isolated", "span_bytes",
	"objects_per_span", NULL
};

/* keys whose values are not numbers */
static int string_key(const char *type, const char *key)
{
	return !strcmp(type, "cache") && (!strcmp(key, "name") || !strcmp(key, "merged_with") ||
					  !strcmp(key, "flags") || !strcmp(key, "spans"));
}

static char *read_proc(void)
{
	size_t size = 1 << 17;
	char *buf = NULL;
	ssize_t n = -EFBIG;

	while (n == -EFBIG && size <= (16 << 20)) {
		free(buf);
		buf = malloc(size);
		if (!buf)
			return NULL;
		n = gomem_proc_read(buf, size);
		size *= 2;
	}
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int write_proc(const char *s)
{
	int fd = open(PROC, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* a plain decimal below 2^62: no sign, no hex, not a wrapped negative */
static int plain_number(const char *v)
{
	unsigned long long x;
	char *end;

	if (!*v || !isdigit((unsigned char)*v) || (v[0] == '0' && v[1]))
		return 0;
	errno = 0;
	x = strtoull(v, &end, 10);
	return !*end && !errno && x < (1ULL << 62);
}

/* looks like a kernel address: 0x..., or a long run of hex digits */
static int looks_like_address(const char *v)
{
	size_t n = 0;
	int letters = 0;

	if (!strncasecmp(v, "0x", 2))
		return 1;
	for (; v[n]; n++) {
		if (!isxdigit((unsigned char)v[n]))
			return 0;
		letters += isalpha((unsigned char)v[n]) != 0;
	}
	return n >= 12 && letters;
}


/*
 * The value of @key in @r, NUL-terminated, or NULL. The copy lives in one
 * of this thread's 16 buffers, long enough for a CHECK() message.
 */
static const char *field(const struct rec *r, const char *key)
{
	static __thread char bufs[16][128];
	static __thread unsigned int next;
	char *b = bufs[next++ % 16];

	if (!r || gomem_proc_str(r->line, key, b, sizeof(bufs[0])))
		return NULL;
	return b;
}

/*
 * Index @text (taken over) into @s, checking what proc_parse.h takes for
 * granted: known record types, key=value fields, no key twice. Return: NULL,
 * or what is wrong with the format (in a static buffer).
 */
static const char *parse(struct snap *s, char *text)
{
	static __thread char err[256];
	const char *l, *f, *g, *v;
	size_t tl, kl, vl, kl2, vl2;

	s->text = text;
	s->nrec = 0;
	if (!gomem_proc_valid(text)) {
		snprintf(err, sizeof(err), "first line is \"%.*s\"",
			 (int)(gomem_proc_linelen(text) < 60 ? gomem_proc_linelen(text) : 60), text);
		return err;
	}
	for (l = gomem_proc_next(text, NULL); l; l = gomem_proc_next(text, l)) {
		struct rec *r;

		if (s->nrec == MAX_RECS)
			return "too many records";
		r = &s->rec[s->nrec++];
		r->line = l;
		tl = gomem_proc_toklen(l);
		snprintf(r->type, sizeof(r->type), "%.*s", (int)tl, l);
		if (tl >= sizeof(r->type) || (strcmp(r->type, "total") && strcmp(r->type, "node") &&
					      strcmp(r->type, "class") && strcmp(r->type, "cache"))) {
			snprintf(err, sizeof(err), "unknown record \"%.*s\"", (int)(tl < 40 ? tl : 40),
				 l);
			return err;
		}
		for (f = gomem_proc_next_field(l, NULL); f; f = gomem_proc_next_field(l, f)) {
			if (!gomem_proc_kv(f, &kl, &vl)) {
				snprintf(err, sizeof(err), "%s: \"%.40s\" is not key=value", r->type, f);
				return err;
			}
			for (g = gomem_proc_next_field(l, NULL); g != f; g = gomem_proc_next_field(l, g)) {
				v = gomem_proc_kv(g, &kl2, &vl2);
				if (v && kl2 == kl && !strncmp(g, f, kl)) {
					snprintf(err, sizeof(err), "%s: key %.*s twice", r->type,
						 (int)kl, f);
					return err;
				}
			}
		}
	}
	return NULL;
}

/* the first record of @type whose @key is @val (any when @key is NULL) */
static const struct rec *find(const struct snap *s, const char *type, const char *key,
			      const char *val)
{
	const char *line;
	char sel[128];
	int i;

	if (key)
		snprintf(sel, sizeof(sel), "%s %s=%s", type, key, val);
	else
		snprintf(sel, sizeof(sel), "%s", type);
	line = gomem_proc_find(s->text, sel);
	for (i = 0; line && i < s->nrec; i++)
		if (s->rec[i].line == line)
			return &s->rec[i];
	return NULL;
}

static long long num(const struct rec *r, const char *key)
{
	const char *v = field(r, key);

	return v && plain_number(v) ? strtoll(v, NULL, 10) : -1;
}

static long long tot(const struct snap *s, const char *key)
{
	return num(find(s, "total", NULL, NULL), key);
}

static const struct rec *class_rec(const struct snap *s, int id)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", id);
	return find(s, "class", "id", v);
}

static long long cls(const struct snap *s, int id, const char *key)
{
	return num(class_rec(s, id), key);
}

static const struct rec *cache_rec(const struct snap *s, const char *name)
{
	return find(s, "cache", "name", name);
}


static struct snap *take(void)
{
	struct snap *s = calloc(1, sizeof(*s));
	char *text = read_proc();
	const char *err;

	if (!s || !text) {
		free(s);
		free(text);
		return NULL;
	}
	err = parse(s, text);
	if (err) {
		fprintf(stderr, "# /proc/gomem: %s\n", err);
		free(s->text);
		free(s);
		return NULL;
	}
	return s;
}

static void drop(struct snap *s)
{
	if (s)
		free(s->text);
	free(s);
}


/* ---------------- checks ---------------- */

static int failures;

#define CHECK(cond, fmt, ...) do {						\
	if (!(cond)) {								\
		if (__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED) <= 60)	\
			fprintf(stderr, "# FAIL %s:%d: " fmt "\n", __func__,	\
				__LINE__, ##__VA_ARGS__);			\
	}									\
} while (0)

static int has_keys(const struct rec *r, const char * const *keys, const char **missing)
{
	for (; *keys; keys++) {
		if (!field(r, *keys)) {
			*missing = *keys;
			return 0;
		}
	}
	return 1;
}

/* format rules every snapshot meets, even under load; returns failures */
static int check_format(const struct snap *s)
{
	int before = failures, i, totals = 0, classes = 0;
	const char *missing = "", *f;

	for (i = 0; i < s->nrec; i++) {
		const struct rec *r = &s->rec[i];
		const char * const *keys = !strcmp(r->type, "total") ? total_keys :
					   !strcmp(r->type, "node") ? node_keys :
					   !strcmp(r->type, "class") ? class_keys : cache_keys;

		CHECK(has_keys(r, keys, &missing), "%s record without %s", r->type, missing);
		for (f = gomem_proc_next_field(r->line, NULL); f;
		     f = gomem_proc_next_field(r->line, f)) {
			char k[64], v[256];
			size_t kl = 0, vl = 0;
			const char *val = gomem_proc_kv(f, &kl, &vl) ?: "";

			snprintf(k, sizeof(k), "%.*s", (int)kl, f);
			snprintf(v, sizeof(v), "%.*s", (int)vl, val);
			CHECK(!looks_like_address(v) || !strcmp(k, "name"),
			      "%s %s=%s looks like a kernel address", r->type, k, v);
			if (string_key(r->type, k))
				CHECK(*v, "%s: empty %s", r->type, k);
			else
				CHECK(plain_number(v), "%s %s=%s is not a plain count", r->type, k, v);
		}
		if (!strcmp(r->type, "total")) {
			totals++;
			CHECK(i == 0, "total is not the first record");
		}
		if (!strcmp(r->type, "class")) {
			classes++;
			CHECK(num(r, "id") == classes, "class rows out of order at id %lld",
			      num(r, "id"));
		}
		if (!strcmp(r->type, "cache")) {
			const char *sp = field(r, "spans"), *mw = field(r, "merged_with");

			CHECK(!sp || !strcmp(sp, "-") || plain_number(sp), "cache spans=%s", sp);
			CHECK(!mw || !strcmp(mw, "-private") || !sp || !strcmp(sp, "-"),
			      "merged cache %s with spans=%s", field(r, "name"), sp);
			CHECK(num(r, "ctor") == 0 || num(r, "ctor") == 1, "ctor=%s",
			      field(r, "ctor"));
		}
	}
	CHECK(totals == 1, "%d total records", totals);
	CHECK(classes == NCLASSES - 1, "%d class records", classes);
	CHECK(find(s, "node", NULL, NULL), "no node record");
	return failures - before;
}

/* the sums that hold in any quiescent state (after "shrink") */
static void check_sums(const struct snap *s, const char *when)
{
	long long a = 0, f = 0, inuse = 0, cached = 0, bytes = 0, spans = 0, span_bytes = 0;
	long long nh = 0, ni = 0, nidle = 0, nrel = 0, nsp = 0, nlo = 0, nlb = 0;
	int i;

	for (i = 1; i < NCLASSES; i++) {
		long long osz = cls(s, i, "object_size"), sb = cls(s, i, "span_bytes");

		a += cls(s, i, "allocs");
		f += cls(s, i, "frees");
		inuse += cls(s, i, "objects_inuse");
		cached += cls(s, i, "objects_cached");
		bytes += cls(s, i, "objects_inuse") * osz;
		spans += cls(s, i, "spans");
		span_bytes += cls(s, i, "spans") * sb;
		CHECK(cls(s, i, "objects_inuse") == cls(s, i, "allocs") - cls(s, i, "frees"),
		      "%s: class %d objects_inuse != allocs - frees", when, i);
		CHECK(cls(s, i, "spans") * cls(s, i, "objects_per_span") >=
		      cls(s, i, "objects_inuse") + cls(s, i, "objects_cached"),
		      "%s: class %d: %lld objects in use in %lld spans of %lld", when, i,
		      cls(s, i, "objects_inuse"), cls(s, i, "spans"),
		      cls(s, i, "objects_per_span"));
	}
	for (i = 0; i < s->nrec; i++) {
		const struct rec *r = &s->rec[i];

		if (!strcmp(r->type, "node")) {
			nh += num(r, "held_bytes");
			ni += num(r, "inuse_bytes");
			nidle += num(r, "idle_bytes");
			nrel += num(r, "released_bytes");
			nsp += num(r, "spans_inuse");
			nlo += num(r, "large_objects_inuse");
			nlb += num(r, "large_bytes_inuse");
			CHECK(num(r, "held_bytes") == num(r, "inuse_bytes") + num(r, "idle_bytes"),
			      "%s: node %s: held != inuse + idle", when, field(r, "id"));
			/* hot spans: idle, at most GOMEM_HOT_PAGES (1 MiB) */
			CHECK(num(r, "hot_bytes") <= num(r, "idle_bytes") &&
			      num(r, "hot_bytes") <= 1048576 && num(r, "hot_bytes") % 8192 == 0,
			      "%s: node %s: hot_bytes=%lld, idle_bytes=%lld", when, field(r, "id"),
			      num(r, "hot_bytes"), num(r, "idle_bytes"));
		}
		if (!strcmp(r->type, "cache")) {
			CHECK(num(r, "active_objects") == num(r, "allocs") - num(r, "frees"),
			      "%s: cache %s: active_objects=%s, allocs=%s frees=%s", when,
			      field(r, "name"), field(r, "active_objects"), field(r, "allocs"),
			      field(r, "frees"));
			if (!strcmp(field(r, "merged_with") ?: "", "-private")) {
				long long n = num(r, "spans");

				spans += n;
				span_bytes += n * num(r, "span_bytes");
			}
		}
	}
	CHECK(tot(s, "small_allocs") == a && tot(s, "small_frees") == f,
	      "%s: small_allocs/frees %lld/%lld, class rows add up to %lld/%lld", when,
	      tot(s, "small_allocs"), tot(s, "small_frees"), a, f);
	CHECK(tot(s, "small_objects_inuse") == tot(s, "small_allocs") - tot(s, "small_frees"),
	      "%s: small_objects_inuse != small_allocs - small_frees", when);
	CHECK(tot(s, "small_objects_inuse") == inuse,
	      "%s: small_objects_inuse %lld, class rows add up to %lld", when,
	      tot(s, "small_objects_inuse"), inuse);
	CHECK(tot(s, "small_objects_cached") == cached, "%s: small_objects_cached %lld vs %lld",
	      when, tot(s, "small_objects_cached"), cached);
	CHECK(cached == 0, "%s: %lld objects cached after shrink", when, cached);
	CHECK(tot(s, "small_bytes_inuse") == bytes, "%s: small_bytes_inuse %lld, classes say %lld",
	      when, tot(s, "small_bytes_inuse"), bytes);
	CHECK(tot(s, "large_objects_inuse") == tot(s, "large_allocs") - tot(s, "large_frees"),
	      "%s: large_objects_inuse != large_allocs - large_frees", when);
	CHECK(tot(s, "held_bytes") == tot(s, "inuse_bytes") + tot(s, "idle_bytes"),
	      "%s: held_bytes != inuse_bytes + idle_bytes", when);
	CHECK(nh == tot(s, "held_bytes") && ni == tot(s, "inuse_bytes") &&
	      nidle == tot(s, "idle_bytes") && nrel == tot(s, "released_bytes"),
	      "%s: node rows' bytes do not add up to the totals", when);
	CHECK(nsp == tot(s, "spans_inuse") && nlo == tot(s, "large_objects_inuse") &&
	      nlb == tot(s, "large_bytes_inuse"),
	      "%s: node rows' spans/large objects do not add up to the totals", when);
	CHECK(tot(s, "spans_inuse") == spans + tot(s, "large_objects_inuse"),
	      "%s: spans_inuse %lld, but classes and private caches hold %lld spans and %lld large objects",
	      when, tot(s, "spans_inuse"), spans, tot(s, "large_objects_inuse"));
	CHECK(tot(s, "inuse_bytes") == span_bytes + tot(s, "large_bytes_inuse"),
	      "%s: inuse_bytes %lld, but spans hold %lld and large objects %lld", when,
	      tot(s, "inuse_bytes"), span_bytes, tot(s, "large_bytes_inuse"));
	CHECK(tot(s, "tiny_frees") <= tot(s, "tiny_allocs") &&
	      tot(s, "vmalloc_frees") <= tot(s, "vmalloc_allocs"), "%s: more frees than allocs",
	      when);
}

static int ensure_gomem(void)
{
	if (!access(PROC, F_OK))
		return 0;
	return system("insmod " MODS "/gomem.ko");
}

static int module_loaded(const char *name)
{
	char line[256];
	size_t n = strlen(name);
	FILE *f = fopen("/proc/modules", "r");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ')
			found = 1;
	fclose(f);
	return found;
}

/* ---------------- the format ---------------- */

TEST(format)
{
	struct snap *s;
	struct stat st;
	int i;

	ASSERT_EQ(0, ensure_gomem());
	/* root only, as /proc/slabinfo: live counts per cache help heap grooming */
	ASSERT_EQ(0, stat("/proc/gomem", &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	s = take();
	ASSERT_TRUE(s != NULL);
	check_format(s);
	/* the class table: Go's 67 classes, sizes growing, objects fill spans */
	for (i = 1; i < NCLASSES; i++) {
		long long osz = cls(s, i, "object_size"), sb = cls(s, i, "span_bytes");

		CHECK(osz > (i > 1 ? cls(s, i - 1, "object_size") : 0), "class %d: size %lld",
		      i, osz);
		CHECK(sb > 0 && sb % 8192 == 0, "class %d: span_bytes %lld", i, sb);
		CHECK(osz > 0 && cls(s, i, "objects_per_span") == sb / osz,
		      "class %d: %lld objects of %lld in %lld bytes", i,
		      cls(s, i, "objects_per_span"), osz, sb);
	}
	CHECK(cls(s, 1, "object_size") == 8 && cls(s, NCLASSES - 1, "object_size") == 32768,
	      "class sizes run %lld..%lld", cls(s, 1, "object_size"),
	      cls(s, NCLASSES - 1, "object_size"));
	/* a write other than "shrink" is refused */
	CHECK(write_proc("bogus\n") < 0, "\"bogus\" written to " PROC);
	CHECK(write_proc("shrink\n") == 0, "cannot write shrink");
	drop(s);
	ASSERT_EQ(0, failures);
}

/* ---------------- the known workload ---------------- */

/* the workload's parameters (gomem_workload.c has their meaning) */
#define NA	1000
#define NB	500
#define NC	2000
#define ND	300
#define KCOUNT	100
#define EVERY	3
#define NLARGE	2
#define LSIZE	100000
#define VSIZE	(5 << 20)
static const int ksizes[] = { 24, 100, 500, 3000, 20000 };

/* objects freed out of n: those whose index is a multiple of EVERY */
static long long freed(long long n)
{
	return (n + EVERY - 1) / EVERY;
}

static int class_of(const struct snap *s, long long size)
{
	int i;

	for (i = 1; i < NCLASSES; i++)
		if (cls(s, i, "object_size") >= size)
			return i;
	return 0;
}

/* nodes with memory, from /sys/devices/system/node/has_memory ("0-1", "0,2") */
static int memory_nodes(void)
{
	FILE *f = fopen("/sys/devices/system/node/has_memory", "r");
	char buf[256], *p, *tok, *save;
	int n = 0, a, b;

	if (!f)
		return 1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p)
		return 1;
	for (tok = strtok_r(buf, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save)) {
		if (sscanf(tok, "%d-%d", &a, &b) == 2)
			n += b - a + 1;
		else
			n++;
	}
	return n ?: 1;
}

/*
 * What a merged cache's merged_with says: the first cache on its class
 * (rows are listed in creation order), else kmalloc-SLOT[-noscan].
 */
static const char *expected_merged(const struct snap *s, const char *name)
{
	static char buf[64];
	const struct rec *me = cache_rec(s, name);
	int i;

	if (!me)
		return "";
	for (i = 0; i < s->nrec && &s->rec[i] != me; i++) {
		const struct rec *r = &s->rec[i];

		if (!strcmp(r->type, "cache") && num(r, "spanclass") == num(me, "spanclass") &&
		    strcmp(field(r, "merged_with") ?: "", "-private"))
			return field(r, "name");
	}
	snprintf(buf, sizeof(buf), "kmalloc-%lld%s", num(me, "slot_size"),
		 num(me, "spanclass") & 1 ? "-noscan" : "");
	return buf;
}

static void check_cache(const struct snap *s, const char *name, long long allocs,
			long long frees, const char *merged, const char *flags, int ctor)
{
	const struct rec *r = cache_rec(s, name);

	CHECK(r, "no row for cache %s", name);
	if (!r)
		return;
	CHECK(num(r, "allocs") == allocs && num(r, "frees") == frees &&
	      num(r, "active_objects") == allocs - frees,
	      "cache %s: allocs=%s frees=%s active_objects=%s, the workload did %lld/%lld/%lld",
	      name, field(r, "allocs"), field(r, "frees"), field(r, "active_objects"), allocs,
	      frees, allocs - frees);
	CHECK(!strcmp(field(r, "merged_with") ?: "", merged), "cache %s: merged_with=%s, expected %s",
	      name, field(r, "merged_with"), merged);
	CHECK(!strcmp(field(r, "flags") ?: "", flags), "cache %s: flags=%s, expected %s", name,
	      field(r, "flags"), flags);
	CHECK(num(r, "ctor") == ctor, "cache %s: ctor=%s", name, field(r, "ctor"));
}

/* a private cache's spans hold its live objects, and not many more */
static void check_private_spans(const struct snap *s, const char *name, long long allocs,
				long long live)
{
	const struct rec *r = cache_rec(s, name);
	long long spans, per, ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (!r)
		return;
	spans = num(r, "spans");
	per = num(r, "objects_per_span");
	CHECK(per > 0 && spans >= (live + per - 1) / per && spans <= (allocs + per - 1) / per + ncpu,
	      "cache %s: %lld spans of %lld objects for %lld live of %lld allocated", name, spans,
	      per, live, allocs);
}

TEST(workload)
{
	long long want_a[NCLASSES] = { 0 }, want_f[NCLASSES] = { 0 };
	long long blocks, live_c = NC - freed(NC), d_inuse;
	struct snap *s0, *s1, *s2;
	int nodes = memory_nodes(), i, c40, slot40;
	char cmd[512], kmerged[32];
	unsigned int k;

	ASSERT_EQ(0, ensure_gomem());
	ASSERT_FALSE(module_loaded("gomem_workload"));
	ASSERT_EQ(0, write_proc("shrink"));
	s0 = take();
	ASSERT_TRUE(s0 != NULL);
	ASSERT_TRUE(cache_rec(s0, "gw_a") == NULL);
	check_sums(s0, "before");

	snprintf(cmd, sizeof(cmd),
		 "insmod " MODS "/gomem_workload.ko na=%d nb=%d nc=%d nd=%d kcount=%d every=%d nlarge=%d lsize=%d vsize=%d ksizes=%d,%d,%d,%d,%d",
		 NA, NB, NC, ND, KCOUNT, EVERY, NLARGE, LSIZE, VSIZE, ksizes[0], ksizes[1],
		 ksizes[2], ksizes[3], ksizes[4]);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, write_proc("shrink"));	/* quiescent: magazines drained */
	s1 = take();
	ASSERT_TRUE(s1 != NULL);
	check_format(s1);
	check_sums(s1, "loaded");

	/* per cache: exactly what the workload did; merging as designed */
	c40 = class_of(s1, 40);
	slot40 = cls(s1, c40, "object_size");
	snprintf(kmerged, sizeof(kmerged), "kmalloc-%d", slot40);
	CHECK(!strcmp(expected_merged(s1, "gw_a"), kmerged) || !cache_rec(s0, "gw_a"),
	      "gw_a is not the first cache of %s", kmerged);
	check_cache(s1, "gw_a", NA, freed(NA), expected_merged(s1, "gw_a"), "-", 0);
	check_cache(s1, "gw_b", NB, freed(NB), "-private", "no_merge", 0);
	check_cache(s1, "gw_c", NC, freed(NC), expected_merged(s1, "gw_c"), "noscan", 0);
	check_cache(s1, "gw_d", ND, freed(ND), "-private", "-", 1);
	CHECK(num(cache_rec(s1, "gw_a"), "slot_size") == slot40 &&
	      num(cache_rec(s1, "gw_a"), "spanclass") == c40 << 1,
	      "gw_a is not on the class gomem_kmalloc(40) uses (%d)", c40);
	CHECK(num(cache_rec(s1, "gw_c"), "spanclass") == 5, "gw_c is not tiny-packed");
	CHECK(!strcmp(field(cache_rec(s1, "gw_a"), "spans") ?: "", "-") &&
	      !strcmp(field(cache_rec(s1, "gw_c"), "spans") ?: "", "-"),
	      "merged caches show spans of their own");
	check_private_spans(s1, "gw_b", NB, NB - freed(NB));
	check_private_spans(s1, "gw_d", ND, ND - freed(ND));

	/* per class: gw_a's and the kmalloc calls exactly; tiny blocks in class 2 */
	want_a[c40] += NA;
	want_f[c40] += freed(NA);
	for (k = 0; k < ARRAY_SIZE(ksizes); k++) {
		want_a[class_of(s1, ksizes[k])] += KCOUNT;
		want_f[class_of(s1, ksizes[k])] += freed(KCOUNT);
	}
	blocks = tot(s1, "tiny_blocks") - tot(s0, "tiny_blocks");
	for (i = 1; i < NCLASSES; i++) {
		long long da = cls(s1, i, "allocs") - cls(s0, i, "allocs");
		long long df = cls(s1, i, "frees") - cls(s0, i, "frees");

		if (i == 2) {	/* 16-byte blocks: tiny blocks are allocations here */
			d_inuse = cls(s1, 2, "objects_inuse") - cls(s0, 2, "objects_inuse");
			CHECK(da == want_a[2] + blocks, "class 2: %lld allocations, %lld tiny blocks",
			      da, blocks);
			CHECK(d_inuse >= (live_c + 1) / 2 + want_a[2] - want_f[2] &&
			      d_inuse <= live_c + want_a[2] - want_f[2],
			      "class 2: %lld more blocks in use for %lld live 8-byte tiny objects",
			      d_inuse, live_c);
			continue;
		}
		CHECK(da == want_a[i] && df == want_f[i],
		      "class %d (%lld B): allocs +%lld frees +%lld, the workload did +%lld +%lld",
		      i, cls(s1, i, "object_size"), da, df, want_a[i], want_f[i]);
		CHECK(cls(s1, i, "objects_inuse") - cls(s0, i, "objects_inuse") ==
		      want_a[i] - want_f[i], "class %d: objects_inuse %lld -> %lld", i,
		      cls(s0, i, "objects_inuse"), cls(s1, i, "objects_inuse"));
	}

	/* totals */
	CHECK(tot(s1, "tiny_allocs") - tot(s0, "tiny_allocs") == NC &&
	      tot(s1, "tiny_frees") - tot(s0, "tiny_frees") == freed(NC),
	      "tiny allocs/frees +%lld/+%lld, the workload did %d/%lld",
	      tot(s1, "tiny_allocs") - tot(s0, "tiny_allocs"),
	      tot(s1, "tiny_frees") - tot(s0, "tiny_frees"), NC, freed(NC));
	CHECK(tot(s1, "large_allocs") - tot(s0, "large_allocs") == NLARGE * nodes &&
	      tot(s1, "large_frees") == tot(s0, "large_frees") &&
	      tot(s1, "large_objects_inuse") - tot(s0, "large_objects_inuse") == NLARGE * nodes,
	      "large objects: +%lld allocs, %d nodes x %d",
	      tot(s1, "large_allocs") - tot(s0, "large_allocs"), nodes, NLARGE);
	CHECK(tot(s1, "large_bytes_inuse") - tot(s0, "large_bytes_inuse") ==
	      (long long)NLARGE * nodes * ((LSIZE + 8191) / 8192 * 8192),
	      "large_bytes_inuse +%lld", tot(s1, "large_bytes_inuse") - tot(s0, "large_bytes_inuse"));
	CHECK(tot(s1, "vmalloc_allocs") - tot(s0, "vmalloc_allocs") == 1 &&
	      tot(s1, "vmalloc_frees") == tot(s0, "vmalloc_frees"), "vmalloc'ed objects");
	CHECK(tot(s1, "bad_frees") == tot(s0, "bad_frees") &&
	      tot(s1, "double_frees") == tot(s0, "double_frees") &&
	      tot(s1, "failed_allocs") == tot(s0, "failed_allocs"), "misuse or failures counted");
	/* each node holds its large objects */
	for (i = 0; i < s1->nrec; i++) {
		const struct rec *r = &s1->rec[i], *r0;

		if (strcmp(r->type, "node"))
			continue;
		r0 = find(s0, "node", "id", field(r, "id"));
		CHECK(num(r, "large_objects_inuse") - (r0 ? num(r0, "large_objects_inuse") : 0) ==
		      NLARGE, "node %s: %lld large objects more", field(r, "id"),
		      num(r, "large_objects_inuse") - (r0 ? num(r0, "large_objects_inuse") : 0));
	}

	/* unload: every count back to the first snapshot */
	ASSERT_EQ(0, system("rmmod gomem_workload"));
	ASSERT_EQ(0, write_proc("shrink"));
	s2 = take();
	ASSERT_TRUE(s2 != NULL);
	check_sums(s2, "unloaded");
	for (i = 0; i < s2->nrec; i++) {
		/* a shrink gives the hot spans back first */
		CHECK(strcmp(s2->rec[i].type, "node") || num(&s2->rec[i], "hot_bytes") == 0,
		      "node %s: hot_bytes=%lld after a shrink", field(&s2->rec[i], "id"),
		      num(&s2->rec[i], "hot_bytes"));
		CHECK(strcmp(s2->rec[i].type, "cache") ||
		      strncmp(field(&s2->rec[i], "name") ?: "", "gw_", 3),
		      "cache %s left after unload", field(&s2->rec[i], "name"));
	}
	for (i = 1; i < NCLASSES; i++)
		CHECK(cls(s2, i, "objects_inuse") == cls(s0, i, "objects_inuse") &&
		      cls(s2, i, "spans") == cls(s0, i, "spans"),
		      "class %d: %lld objects in %lld spans, %lld in %lld before the workload", i,
		      cls(s2, i, "objects_inuse"), cls(s2, i, "spans"),
		      cls(s0, i, "objects_inuse"), cls(s0, i, "spans"));
	for (k = 0; total_keys[k]; k++) {
		const char *key = total_keys[k];

		if (strstr(key, "inuse") || !strcmp(key, "bad_frees") ||
		    !strcmp(key, "double_frees"))
			CHECK(tot(s2, key) == tot(s0, key), "%s: %lld after unload, %lld before",
			      key, tot(s2, key), tot(s0, key));
	}
	CHECK(tot(s2, "tiny_allocs") - tot(s2, "tiny_frees") ==
	      tot(s0, "tiny_allocs") - tot(s0, "tiny_frees"), "tiny objects left");
	CHECK(tot(s2, "vmalloc_allocs") - tot(s2, "vmalloc_frees") ==
	      tot(s0, "vmalloc_allocs") - tot(s0, "vmalloc_frees"), "vmalloc'ed objects left");
	if (tot(s2, "inuse_bytes") == 0)
		CHECK(tot(s2, "held_bytes") == 0, "%lld bytes held with nothing in use after shrink",
		      tot(s2, "held_bytes"));
	drop(s0);
	drop(s1);
	drop(s2);
	ASSERT_EQ(0, failures);
}

/* ---------------- reading under load ---------------- */

struct reader {
	pthread_t thread;
	int snapshots, bad;
	int *stop;
};

static int stopped(int *stop)
{
	return __atomic_load_n(stop, __ATOMIC_ACQUIRE);
}

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	struct snap *s;

	while (!stopped(r->stop)) {
		s = take();
		if (!s) {
			r->bad++;
			continue;
		}
		r->snapshots++;
		/* every snapshot is well formed; each node's bytes add up */
		if (check_format(s))
			r->bad++;
		if (tot(s, "held_bytes") != tot(s, "inuse_bytes") + tot(s, "idle_bytes"))
			r->bad++;
		drop(s);
	}
	return NULL;
}

static void *shrinker_fn(void *arg)
{
	int *stop = arg;

	while (!stopped(stop)) {
		write_proc("shrink");
		usleep(20000);
	}
	return NULL;
}

/* the factor run-tests.sh exports for slow (debug) kernels, at least 1 */
static int timeout_scale(void)
{
	const char *s = getenv("GOMEM_TIMEOUT_SCALE");
	int n = s ? atoi(s) : 1;

	return n > 0 ? n : 1;
}

TEST(under_load)
{
	struct reader rd[2] = { 0 };
	int stop = 0;
	pthread_t shrinker;
	struct snap *s0, *s1;
	struct timespec t0, t;
	int i;

	ASSERT_EQ(0, ensure_gomem());
	ASSERT_EQ(0, write_proc("shrink"));
	s0 = take();
	ASSERT_TRUE(s0 != NULL);
	ASSERT_EQ(0, system("insmod " MODS "/gomem_workload.ko churn=1 na=100 nb=100 nc=100 nd=50 kcount=10"));
	for (i = 0; i < 2; i++) {
		rd[i].stop = &stop;
		ASSERT_EQ(0, pthread_create(&rd[i].thread, NULL, reader_fn, &rd[i]));
	}
	ASSERT_EQ(0, pthread_create(&shrinker, NULL, shrinker_fn, &stop));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		usleep(100000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 3 * timeout_scale());
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		pthread_join(rd[i].thread, NULL);
	pthread_join(shrinker, NULL);
	ASSERT_EQ(0, system("rmmod gomem_workload"));
	TH_LOG("%d and %d snapshots read under load", rd[0].snapshots, rd[1].snapshots);
	CHECK(rd[0].snapshots > 10 && rd[1].snapshots > 10, "only %d and %d snapshots",
	      rd[0].snapshots, rd[1].snapshots);
	CHECK(!rd[0].bad && !rd[1].bad, "%d and %d bad snapshots", rd[0].bad, rd[1].bad);

	/* the churn is gone: back to where it started */
	ASSERT_EQ(0, write_proc("shrink"));
	s1 = take();
	ASSERT_TRUE(s1 != NULL);
	check_sums(s1, "after the churn");
	CHECK(tot(s1, "small_objects_inuse") == tot(s0, "small_objects_inuse") &&
	      tot(s1, "large_objects_inuse") == tot(s0, "large_objects_inuse") &&
	      tot(s1, "inuse_bytes") == tot(s0, "inuse_bytes"),
	      "small/large objects, bytes in use: %lld/%lld/%lld, %lld/%lld/%lld before",
	      tot(s1, "small_objects_inuse"), tot(s1, "large_objects_inuse"),
	      tot(s1, "inuse_bytes"), tot(s0, "small_objects_inuse"),
	      tot(s0, "large_objects_inuse"), tot(s0, "inuse_bytes"));
	CHECK(tot(s1, "bad_frees") == tot(s0, "bad_frees"), "bad frees under load");
	drop(s0);
	drop(s1);
	ASSERT_EQ(0, failures);
}

/* ---------------- the demo client ---------------- */

/*
 * examples/gomem_demo.ko: real work shows in /proc/gomem; unloading it
 * leaves gomem as it found it
 */
TEST(demo)
{
	struct snap *s0, *s1, *s2;
	const struct rec *r;

	ASSERT_EQ(0, ensure_gomem());
	if (access(MODS "/gomem_demo.ko", F_OK))
		SKIP(return, "no gomem_demo.ko");
	ASSERT_EQ(0, write_proc("shrink"));
	s0 = take();
	ASSERT_TRUE(s0 != NULL);
	ASSERT_EQ(0, system("insmod " MODS "/gomem_demo.ko churn_ms=1000"));
	usleep(300000);
	s1 = take();			/* mid-churn */
	ASSERT_TRUE(s1 != NULL);
	check_format(s1);
	r = cache_rec(s1, "gomem_demo_rec");
	CHECK(r && num(r, "active_objects") > 0 && num(r, "allocs") > 0,
	      "the demo's cache shows no work");
	CHECK(tot(s1, "tiny_allocs") > tot(s0, "tiny_allocs"), "no tiny-packed record names");
	usleep(1200000);		/* the churn is over */
	ASSERT_EQ(0, system("rmmod gomem_demo"));
	ASSERT_EQ(0, write_proc("shrink"));
	s2 = take();
	ASSERT_TRUE(s2 != NULL);
	check_sums(s2, "after the demo");
	CHECK(!cache_rec(s2, "gomem_demo_rec"), "the demo's cache is left");
	CHECK(tot(s2, "small_objects_inuse") == tot(s0, "small_objects_inuse") &&
	      tot(s2, "large_objects_inuse") == tot(s0, "large_objects_inuse") &&
	      tot(s2, "inuse_bytes") == tot(s0, "inuse_bytes") &&
	      tot(s2, "tiny_allocs") - tot(s2, "tiny_frees") ==
	      tot(s0, "tiny_allocs") - tot(s0, "tiny_frees"),
	      "the demo left objects behind: small %lld -> %lld, large %lld -> %lld",
	      tot(s0, "small_objects_inuse"), tot(s2, "small_objects_inuse"),
	      tot(s0, "large_objects_inuse"), tot(s2, "large_objects_inuse"));
	CHECK(tot(s2, "bad_frees") == tot(s0, "bad_frees") &&
	      tot(s2, "double_frees") == tot(s0, "double_frees"), "the demo misused gomem");
	drop(s0);
	drop(s1);
	drop(s2);
	ASSERT_EQ(0, failures);
}

TEST_HARNESS_MAIN
