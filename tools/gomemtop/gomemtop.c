// SPDX-License-Identifier: GPL-2.0
/*
 * gomemtop: slabtop for gomem. It reads /proc/gomem (the format is
 * Documentation/proc-gomem.rst), prints a header of totals and then one row
 * per size class in use, per cache and for the large objects, sorted by
 * memory, and refreshes it every few seconds until q or SIGINT; -o prints
 * it once, for scripts. Documentation/gomemtop.rst, and --help.
 *
 * The parser is the one of the tests, selftests/common/proc_parse.h. The
 * guest has only busybox: plain C, no curses; the screen is cleared with
 * ANSI escapes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>		/* isfinite() */
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "proc_parse.h"

#define PROG		"gomemtop"
#define MAX_SNAPSHOT	(64UL << 20)	/* a /proc/gomem of 64 MiB is not one */
#define DEFAULT_DELAY	3.0
#define LABEL_WIDTH	35
#define CLEAR_SCREEN	"\033[H\033[2J"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* exit statuses */
#define EXIT_RUNTIME	1	/* cannot read or parse the snapshot */
#define EXIT_USAGE	2	/* bad option or argument */

enum row_type { ROW_CLASS, ROW_PRIVATE, ROW_MERGED, ROW_TINY, ROW_LARGE };

static const char * const type_names[] = {
	[ROW_CLASS] = "class",
	[ROW_PRIVATE] = "private",
	[ROW_MERGED] = "merged",
	[ROW_TINY] = "tiny",
	[ROW_LARGE] = "large",
};

/*
 * One row of the table. @objs is the object slots the row's spans hold,
 * @active the objects in use, @objsize the bytes per slot, @mem the bytes of
 * memory (see FIELDS in the help text); @seq is the position in the file.
 */
struct row {
	char *name;
	enum row_type type;
	unsigned long long objs, active, objsize, spans, per_span, mem;
	unsigned long long cached;
	unsigned int seq;
};

/* a size class: what private caches on it need */
struct class_info {
	unsigned long long id, object_size, span_bytes, per_span;
};

struct node_info {
	unsigned long long id, held, inuse, idle, spans;
};

struct snapshot {
	struct row *rows;
	size_t nrows;
	struct class_info *classes;
	size_t nclasses;
	struct node_info *nodes;
	size_t nnodes;
	/* the total record */
	unsigned long long held, inuse, idle, released, spans_inuse, cached;
	unsigned long long large_objs, large_bytes, vmalloc_allocs, vmalloc_frees;
	unsigned long long bad_frees, double_frees, failed_allocs;
	unsigned int caches, active_caches;
};

/* -s KEY: a letter (slabtop's, where it has one) or a word */
struct sort_key {
	char letter;
	const char *word;
	bool ascending;
};

static const struct sort_key sort_keys[] = {
	{ 'a', "active", false },	/* active objects */
	{ 'b', "per-span", false },	/* objects per span */
	{ 'c', "memory", false },	/* memory: the default */
	{ 'l', "spans", false },
	{ 'n', "name", true },		/* strverscmp(): kmalloc-8 before kmalloc-16 */
	{ 'o', "objects", false },	/* object slots */
	{ 's', "size", false },		/* object size */
	{ 'u', "use", false },		/* active / objects */
};

struct options {
	const char *path;		/* NULL: /proc/gomem */
	const struct sort_key *sort;
	double delay;
	unsigned long iterations;	/* 0: until q or a signal */
	bool once, all;
};

/* the screen of live mode: lines are cut at @cols, at most @lines of them */
struct screen {
	bool live;
	unsigned int cols, lines, used;
};

static int quit_signal;

/* ---------------- reading and parsing ---------------- */

static char errbuf[512];

/* the message of the last failure, in errbuf. Return: -1 */
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return -1;
}

/* /proc/gomem or @path, NUL-terminated. Return: the text, or NULL (errbuf says why) */
static char *read_snapshot(const char *path)
{
	static size_t last = 1UL << 16;	/* what the last read needed: one read per refresh */
	const char *name = path ? path : GOMEM_PROC_PATH;
	size_t size = last;
	ssize_t n = -EFBIG;
	char *buf = NULL;

	while (n == -EFBIG && size <= MAX_SNAPSHOT) {
		free(buf);
		buf = malloc(size);
		if (!buf) {
			n = -ENOMEM;
			break;
		}
		n = gomem_proc_read_file(name, buf, size);
		last = size;
		size *= 2;
	}
	if (n >= 0)
		return buf;
	free(buf);
	if (n == -EPROTO)
		fail("%s: not a /proc/gomem snapshot: the first line is not \"%s\"", name,
		     GOMEM_PROC_VERSION);
	else if (n == -EFBIG)
		fail("%s: larger than %lu MiB", name, MAX_SNAPSHOT >> 20);
	else if (n == -ENOENT && !path)
		fail("%s: %s (is gomem.ko loaded?)", name, strerror(-n));
	else
		fail("%s: %s", name, strerror(-n));
	return NULL;
}

/* the line number of @rec in @text, from 1 */
static unsigned int line_of(const char *text, const char *rec)
{
	unsigned int n = 1;

	for (; text < rec; text++)
		n += *text == '\n';
	return n;
}

struct parser {
	const char *path, *text, *rec;
};

static int bad(const struct parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail("%s: line %u: %s", p->path, line_of(p->text, p->rec), msg);
}

/* numeric @key of the current record. Return: 0, or -1 (missing, not a number) */
static int num(const struct parser *p, const char *key, unsigned long long *out)
{
	size_t len;
	const char *v = gomem_proc_field(p->rec, key, &len);

	if (!v)
		return bad(p, "%.*s record without %s=", (int)gomem_proc_toklen(p->rec), p->rec,
			   key);
	if (gomem_proc_parse_u64(v, len, out))
		return bad(p, "%s=%.*s is not a number", key, (int)(len > 40 ? 40 : len), v);
	return 0;
}

/* string @key of the current record, allocated. Return: 0, or -1 */
static int str(const struct parser *p, const char *key, char **out)
{
	size_t len;
	const char *v = gomem_proc_field(p->rec, key, &len);

	if (!v || !len)
		return bad(p, "%.*s record without %s=", (int)gomem_proc_toklen(p->rec), p->rec,
			   key);
	*out = strndup(v, len);
	if (!*out)
		return fail("out of memory");
	return 0;
}

/* every field of the current record is key=value */
static int check_fields(const struct parser *p)
{
	const char *f;
	size_t kl, vl;

	for (f = gomem_proc_next_field(p->rec, NULL); f; f = gomem_proc_next_field(p->rec, f))
		if (!gomem_proc_kv(f, &kl, &vl))
			return bad(p, "\"%.*s\" is not key=value",
				   (int)(gomem_proc_toklen(f) > 40 ? 40 : gomem_proc_toklen(f)), f);
	return 0;
}

static void *grow(void *arr, size_t n, size_t size)
{
	void *p = realloc(arr, (n + 1) * size);

	if (!p)
		fail("out of memory");
	return p;
}

static struct row *new_row(struct snapshot *s)
{
	struct row *rows = grow(s->rows, s->nrows, sizeof(*rows));

	if (!rows)
		return NULL;
	s->rows = rows;
	memset(&rows[s->nrows], 0, sizeof(rows[0]));
	rows[s->nrows].seq = s->nrows;
	return &rows[s->nrows++];
}

static void free_snapshot(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nrows; i++)
		free(s->rows[i].name);
	free(s->rows);
	free(s->classes);
	free(s->nodes);
	memset(s, 0, sizeof(*s));
}

static const struct class_info *find_class(const struct snapshot *s, unsigned long long id)
{
	size_t i;

	for (i = 0; i < s->nclasses; i++)
		if (s->classes[i].id == id)
			return &s->classes[i];
	return NULL;
}

static int parse_total(struct parser *p, struct snapshot *s, bool *seen)
{
	if (*seen)
		return bad(p, "a second total record");
	*seen = true;
	if (num(p, "held_bytes", &s->held) || num(p, "inuse_bytes", &s->inuse) ||
	    num(p, "idle_bytes", &s->idle) || num(p, "released_bytes", &s->released) ||
	    num(p, "spans_inuse", &s->spans_inuse) ||
	    num(p, "small_objects_cached", &s->cached) ||
	    num(p, "large_objects_inuse", &s->large_objs) ||
	    num(p, "large_bytes_inuse", &s->large_bytes) ||
	    num(p, "vmalloc_allocs", &s->vmalloc_allocs) ||
	    num(p, "vmalloc_frees", &s->vmalloc_frees) ||
	    num(p, "bad_frees", &s->bad_frees) || num(p, "double_frees", &s->double_frees) ||
	    num(p, "failed_allocs", &s->failed_allocs))
		return -1;
	return 0;
}

static int parse_node(struct parser *p, struct snapshot *s)
{
	struct node_info *nodes = grow(s->nodes, s->nnodes, sizeof(*nodes)), *n;

	if (!nodes)
		return -1;
	s->nodes = nodes;
	n = &nodes[s->nnodes];
	if (num(p, "id", &n->id) || num(p, "held_bytes", &n->held) ||
	    num(p, "inuse_bytes", &n->inuse) || num(p, "idle_bytes", &n->idle) ||
	    num(p, "spans_inuse", &n->spans))
		return -1;
	s->nnodes++;
	return 0;
}

static int parse_class(struct parser *p, struct snapshot *s)
{
	struct class_info *classes, c;
	unsigned long long spans, inuse, cached;
	struct row *r;

	if (num(p, "id", &c.id) || num(p, "object_size", &c.object_size) ||
	    num(p, "span_bytes", &c.span_bytes) || num(p, "objects_per_span", &c.per_span) ||
	    num(p, "spans", &spans) || num(p, "objects_inuse", &inuse) ||
	    num(p, "objects_cached", &cached))
		return -1;
	if (find_class(s, c.id))
		return bad(p, "class id=%llu twice", c.id);
	classes = grow(s->classes, s->nclasses, sizeof(*classes));
	if (!classes)
		return -1;
	s->classes = classes;
	classes[s->nclasses++] = c;
	r = new_row(s);
	if (!r)
		return -1;
	if (asprintf(&r->name, "kmalloc-%llu", c.object_size) < 0) {
		r->name = NULL;
		return fail("out of memory");
	}
	r->type = ROW_CLASS;
	r->objs = spans * c.per_span;
	r->active = inuse;
	r->cached = cached;
	r->objsize = c.object_size;
	r->spans = spans;
	r->per_span = c.per_span;
	r->mem = spans * c.span_bytes;
	return 0;
}

static int parse_cache(struct parser *p, struct snapshot *s)
{
	unsigned long long spanclass, slot, active, span_bytes, per_span;
	const struct class_info *c;
	char *merged = NULL, *q;
	struct row *r;
	size_t len;
	const char *v;

	r = new_row(s);
	if (!r || str(p, "name", &r->name))
		goto err;
	/* a control character in a name would reach the terminal */
	for (q = r->name; *q; q++)
		if ((unsigned char)*q < ' ' || *q == 0x7f)
			*q = '?';
	if (num(p, "spanclass", &spanclass) ||
	    num(p, "slot_size", &slot) || num(p, "active_objects", &active) ||
	    str(p, "merged_with", &merged))
		goto err;
	s->caches++;
	s->active_caches += active > 0;
	r->active = active;
	r->objsize = slot;
	if (!strcmp(merged, "-private")) {
		if (gomem_proc_field(p->rec, "span_bytes", &len)) {
			/* its own geometry (an exact-fit class has no class record) */
			if (num(p, "span_bytes", &span_bytes) ||
			    num(p, "objects_per_span", &per_span))
				goto err;
		} else {
			/* a /proc/gomem without them: its size class's */
			c = find_class(s, spanclass >> 1);
			if (!c) {
				bad(p, "cache %s: no class record for spanclass=%llu", r->name,
				    spanclass);
				goto err;
			}
			span_bytes = c->span_bytes;
			per_span = c->per_span;
		}
		if (num(p, "spans", &r->spans))
			goto err;
		r->type = ROW_PRIVATE;
		r->per_span = per_span;
		r->objs = r->spans * per_span;
		r->mem = r->spans * span_bytes;
	} else {
		/* merged: no spans of its own ("spans=-"), only its objects */
		v = gomem_proc_field(p->rec, "spans", &len);
		if (!v || len != 1 || *v != '-') {
			bad(p, "cache %s: merged_with=%s but spans is not -", r->name, merged);
			goto err;
		}
		r->type = spanclass == 5 ? ROW_TINY : ROW_MERGED;
		r->objs = active;
		r->mem = active * slot;
	}
	free(merged);
	return 0;
err:
	free(merged);
	return -1;
}

/*
 * Parse @text (read from @path) into @s. Unknown records and keys are
 * ignored, as the format asks; a known record without a key gomemtop needs,
 * or with a value that is not a number, is an error. Return: 0, or -1
 * (errbuf says why).
 */
static int parse_snapshot(const char *path, const char *text, struct snapshot *s)
{
	struct parser p = { .path = path ? path : GOMEM_PROC_PATH, .text = text };
	bool total = false;
	struct row *r;
	int pass, err = 0;

	memset(s, 0, sizeof(*s));
	/* caches refer to classes: classes (and the rest) first, then caches */
	for (pass = 0; pass < 2 && !err; pass++) {
		for (p.rec = gomem_proc_next(text, NULL); p.rec && !err;
		     p.rec = gomem_proc_next(text, p.rec)) {
			bool cache = gomem_proc_is(p.rec, "cache");

			if (pass != cache)
				continue;
			if (gomem_proc_is(p.rec, "total"))
				err = check_fields(&p) ?: parse_total(&p, s, &total);
			else if (gomem_proc_is(p.rec, "node"))
				err = check_fields(&p) ?: parse_node(&p, s);
			else if (gomem_proc_is(p.rec, "class"))
				err = check_fields(&p) ?: parse_class(&p, s);
			else if (cache)
				err = check_fields(&p) ?: parse_cache(&p, s);
		}
	}
	if (!err && !total)
		err = fail("%s: no total record", p.path);
	if (!err) {
		r = new_row(s);
		if (r)
			r->name = strdup("large");
		if (!r || !r->name) {
			err = fail("out of memory");
		} else {
			r->type = ROW_LARGE;
			r->objs = s->large_objs;
			r->active = s->large_objs;
			r->spans = s->large_objs;
			r->per_span = 1;
			r->objsize = s->large_objs ? s->large_bytes / s->large_objs : 0;
			r->mem = s->large_bytes;
		}
	}
	if (err)
		free_snapshot(s);
	return err;
}

static int load(const char *path, struct snapshot *s)
{
	char *text = read_snapshot(path);
	int err;

	if (!text)
		return -1;
	err = parse_snapshot(path, text, s);
	free(text);
	return err;
}

/* ---------------- sorting ---------------- */

static const struct sort_key *sort_by;

static int cmp_u64(unsigned long long a, unsigned long long b)
{
	return a < b ? -1 : a > b;
}

/* rows by utilization, active / objs (0 without objects), exactly */
static int cmp_use(const struct row *a, const struct row *b)
{
	unsigned __int128 ua = a->objs ? (unsigned __int128)a->active * b->objs : 0;
	unsigned __int128 ub = b->objs ? (unsigned __int128)b->active * a->objs : 0;

	if (!a->objs || !b->objs)	/* one is 0: compare the other with 0 */
		return cmp_u64(a->objs && a->active, b->objs && b->active);
	return ua < ub ? -1 : ua > ub;
}

static int cmp_rows(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int c = 0;

	switch (sort_by->letter) {
	case 'a':
		c = cmp_u64(a->active, b->active);
		break;
	case 'b':
		c = cmp_u64(a->per_span, b->per_span);
		break;
	case 'c':
		c = cmp_u64(a->mem, b->mem);
		break;
	case 'l':
		c = cmp_u64(a->spans, b->spans);
		break;
	case 'o':
		c = cmp_u64(a->objs, b->objs);
		break;
	case 's':
		c = cmp_u64(a->objsize, b->objsize);
		break;
	case 'u':
		c = cmp_use(a, b);
		break;
	case 'n':
		c = strverscmp(a->name, b->name);
		break;
	}
	if (!sort_by->ascending)
		c = -c;
	/* ties: by name, then in the order of the file */
	if (!c)
		c = strverscmp(a->name, b->name);
	return c ?: cmp_u64(a->seq, b->seq);
}

static const struct sort_key *find_sort_key(const char *arg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sort_keys); i++)
		if ((arg[0] == sort_keys[i].letter && !arg[1]) || !strcmp(arg, sort_keys[i].word))
			return &sort_keys[i];
	return NULL;
}

/* ---------------- output ---------------- */

/* print a line; in live mode cut at the screen's width and height */
static void out(struct screen *sc, const char *fmt, ...)
{
	char *line;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (!sc->live) {
		fputs(line, stdout);
	} else if (!sc->lines || sc->used + 1 < sc->lines) {
		/* one line of the screen, the last one left empty: no scrolling */
		bool nl = n && line[n - 1] == '\n';

		n -= nl;
		if (sc->cols && (unsigned int)n > sc->cols)
			n = sc->cols;
		fwrite(line, 1, n, stdout);
		if (nl)
			fputc('\n', stdout);
		sc->used++;
	}
	free(line);
}

static double pct(unsigned long long part, unsigned long long whole)
{
	return whole ? 100.0 * part / whole : 0.0;
}

static double kib(unsigned long long bytes)
{
	return bytes / 1024.0;
}

static bool row_shown(const struct row *r, bool all)
{
	if (all || r->type == ROW_PRIVATE || r->type == ROW_MERGED || r->type == ROW_TINY)
		return true;
	return r->spans || r->active || r->cached;
}

static void print_header(struct screen *sc, const struct snapshot *s)
{
	unsigned long long act = 0, objs = 0, act_size = 0, size = 0, minsz = 0, maxsz = 0;
	unsigned long long cls_spans = 0, priv_spans = 0;
	size_t i;

	for (i = 0; i < s->nrows; i++) {
		const struct row *r = &s->rows[i];

		/* merged caches are inside their class's row; large objects apart */
		if (r->type != ROW_CLASS && r->type != ROW_PRIVATE)
			continue;
		act += r->active;
		objs += r->objs;
		act_size += r->active * r->objsize;
		size += r->mem;
		if (r->type == ROW_CLASS)
			cls_spans += r->spans;
		else
			priv_spans += r->spans;
		if (!r->active)
			continue;
		if (!minsz || r->objsize < minsz)
			minsz = r->objsize;
		if (r->objsize > maxsz)
			maxsz = r->objsize;
	}
	out(sc, " %-*s: %llu / %llu (%.1f%%)\n", LABEL_WIDTH, "Active / Total Objects (% used)",
	    act, objs, pct(act, objs));
	out(sc, " %-*s: %u / %u (%.1f%%)\n", LABEL_WIDTH, "Active / Total Caches (% used)",
	    s->active_caches, s->caches, pct(s->active_caches, s->caches));
	out(sc, " %-*s: %.2fK / %.2fK (%.1f%%)\n", LABEL_WIDTH, "Active / Total Size (% used)",
	    kib(act_size), kib(size), pct(act_size, size));
	out(sc, " %-*s: %.2fK / %.2fK / %.2fK\n", LABEL_WIDTH,
	    "Minimum / Average / Maximum Object", kib(minsz),
	    act ? kib(act_size) / act : 0.0, kib(maxsz));
	out(sc, " %-*s: %llu / %llu / %llu (%llu in use)\n", LABEL_WIDTH,
	    "Spans: classes / private / large", cls_spans, priv_spans, s->large_objs,
	    s->spans_inuse);
	out(sc, " %-*s: %.2fK / %.2fK / %.2fK\n", LABEL_WIDTH, "Memory held / in use / idle",
	    kib(s->held), kib(s->inuse), kib(s->idle));
	for (i = 0; i < s->nnodes; i++) {
		char label[64];

		snprintf(label, sizeof(label), "Node %llu held / in use / idle", s->nodes[i].id);
		out(sc, " %-*s: %.2fK / %.2fK / %.2fK (%llu spans)\n", LABEL_WIDTH, label,
		    kib(s->nodes[i].held), kib(s->nodes[i].inuse), kib(s->nodes[i].idle),
		    s->nodes[i].spans);
	}
	out(sc, " %-*s: %.2fK\n", LABEL_WIDTH, "Released to the buddy allocator", kib(s->released));
	out(sc, " %-*s: %llu (%.2fK) / %llu\n", LABEL_WIDTH, "Large / vmalloc objects",
	    s->large_objs, kib(s->large_bytes), s->vmalloc_allocs - s->vmalloc_frees);
	out(sc, " %-*s: %llu / %llu (%llu double) / %llu\n", LABEL_WIDTH,
	    "Cached objects / bad frees / failed", s->cached, s->bad_frees, s->double_frees,
	    s->failed_allocs);
}

static void print_rows(struct screen *sc, struct snapshot *s, const struct options *o)
{
	size_t i;

	sort_by = o->sort;
	qsort(s->rows, s->nrows, sizeof(s->rows[0]), cmp_rows);
	out(sc, "\n");
	out(sc, "%9s %8s %4s %8s %7s %8s %10s %-7s %s\n", "OBJS", "ACTIVE", "USE", "OBJSIZE",
	    "SPANS", "OBJ/SPAN", "MEMORY", "TYPE", "NAME");
	for (i = 0; i < s->nrows; i++) {
		const struct row *r = &s->rows[i];
		double use = r->objs ? 100.0 * r->active / r->objs : 0;
		bool own = r->type != ROW_MERGED && r->type != ROW_TINY;
		char spans[24] = "-", per[24] = "-";

		if (!row_shown(r, o->all))
			continue;
		if (own) {
			snprintf(spans, sizeof(spans), "%llu", r->spans);
			snprintf(per, sizeof(per), "%llu", r->per_span);
		}
		out(sc, "%9llu %8llu %3u%% %8llu %7s %8s %9lluK %-7s %s\n", r->objs, r->active,
		    use > 999 ? 999 : (unsigned int)use,
		    r->objsize, spans, per, (r->mem + 1023) / 1024, type_names[r->type], r->name);
	}
}

static void print_snapshot(struct screen *sc, struct snapshot *s, const struct options *o)
{
	print_header(sc, s);
	print_rows(sc, s, o);
}

/* ---------------- modes ---------------- */

static void on_signal(int sig)
{
	__atomic_store_n(&quit_signal, sig, __ATOMIC_RELAXED);
}

static bool quitting(void)
{
	return __atomic_load_n(&quit_signal, __ATOMIC_RELAXED);
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: the wait returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Wait @delay seconds, or less: until a signal, or a key on the terminal
 * *@tty (-1: none; set to -1 when it is gone). Return: the key, or 0.
 */
static int wait_key(double delay, int *tty)
{
	double end = now() + delay, left;
	struct timeval tv;
	fd_set fds;
	char c;

	while (!quitting() && (left = end - now()) > 0) {
		tv.tv_sec = (time_t)left;
		tv.tv_usec = (suseconds_t)((left - tv.tv_sec) * 1e6);
		FD_ZERO(&fds);
		if (*tty >= 0)
			FD_SET(*tty, &fds);
		if (select(*tty + 1, &fds, NULL, NULL, &tv) <= 0)
			continue;
		if (read(*tty, &c, 1) == 1)
			return (unsigned char)c;
		*tty = -1;	/* end of input: no more keys, only the delay */
	}
	return 0;
}

/* -o: print N times, no escapes; a blank line between two snapshots */
static int batch(struct options *o)
{
	struct screen sc = { .live = false };
	struct snapshot s;
	unsigned long i;
	int notty = -1;

	catch_signals();
	for (i = 0; !quitting() && i < o->iterations; i++) {
		if (i) {
			wait_key(o->delay, &notty);
			if (quitting())
				break;
			putchar('\n');
		}
		if (load(o->path, &s)) {
			fprintf(stderr, PROG ": %s\n", errbuf);
			return EXIT_RUNTIME;
		}
		print_snapshot(&sc, &s, o);
		free_snapshot(&s);
		if (fflush(stdout))
			return EXIT_RUNTIME;
	}
	return 0;
}

/* the refreshing display: until q, a signal or -n N refreshes */
static int live(struct options *o)
{
	struct termios saved, raw;
	int tty = -1, term = -1, key, rc = 0;
	struct snapshot s;
	struct winsize ws;
	unsigned long i;

	catch_signals();
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved)) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &raw))
			tty = term = STDIN_FILENO;
	}
	for (i = 0; !quitting() && (!o->iterations || i < o->iterations); i++) {
		struct screen sc = { .live = true };
		time_t t = time(NULL);
		char when[16];

		if (i) {
			key = wait_key(o->delay, &tty);
			if (key == 'q' || key == 'Q' || quitting())
				break;
			if (key && key != ' ') {
				char k[2] = { (char)key, 0 };

				if (find_sort_key(k))
					o->sort = find_sort_key(k);
			}
		}
		if (load(o->path, &s)) {
			fprintf(stderr, PROG ": %s\n", errbuf);
			rc = EXIT_RUNTIME;
			break;
		}
		if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
			sc.lines = ws.ws_row;
			sc.cols = ws.ws_col;
		}
		strftime(when, sizeof(when), "%H:%M:%S", localtime(&t));
		fputs(CLEAR_SCREEN, stdout);
		out(&sc, PROG " - %s - %s - every %gs, sorted by %s; q quits\n", when,
		    o->path ? o->path : GOMEM_PROC_PATH, o->delay, o->sort->word);
		print_snapshot(&sc, &s, o);
		free_snapshot(&s);
		fflush(stdout);
	}
	if (term >= 0)
		tcsetattr(term, TCSANOW, &saved);
	if (!rc)
		putchar('\n');
	return rc;
}

/* ---------------- options ---------------- */

static const char help_text[] =
	"NAME\n"
	"       gomemtop - display gomem's size classes and caches, like slabtop\n"
	"\n"
	"SYNOPSIS\n"
	"       gomemtop [-o] [-a] [-d SECS] [-n N] [-s KEY] [-f FILE]\n"
	"       gomemtop -h | --help\n"
	"\n"
	"DESCRIPTION\n"
	"       gomemtop is slabtop(1) for gomem, the Go runtime's memory allocator as a\n"
	"       kernel module. It reads /proc/gomem and shows a header of totals, then\n"
	"       one row per size class in use (the global class instances, which serve\n"
	"       the kmalloc family, merged caches and the tiny allocator), one per\n"
	"       cache, and one for the large objects, sorted by memory. The display is\n"
	"       refreshed every SECS seconds until q is typed or a signal (SIGINT,\n"
	"       SIGTERM, SIGHUP) arrives. With -o it is printed once, for scripts.\n"
	"\n"
	"OPTIONS\n"
	"       -o, --once\n"
	"              Print to standard output once, without clearing the screen,\n"
	"              and exit. With -n N: N times, SECS apart, a blank line between.\n"
	"\n"
	"       -d SECS, --delay=SECS\n"
	"              Refresh every SECS seconds (default 3; fractions allowed).\n"
	"\n"
	"       -s KEY, --sort=KEY\n"
	"              Sort the rows by KEY, a letter or its name (default c, memory):\n"
	"                a  active    active objects\n"
	"                b  per-span  objects per span\n"
	"                c  memory    memory\n"
	"                l  spans     spans\n"
	"                n  name      name, ascending, numbers by value (strverscmp)\n"
	"                o  objects   objects (slots)\n"
	"                s  size      object size\n"
	"                u  use       utilization (ACTIVE / OBJS)\n"
	"              Numbers sort largest first; ties go by name, then by the order\n"
	"              of /proc/gomem.\n"
	"\n"
	"       -f FILE, --file=FILE\n"
	"              Read FILE, a saved /proc/gomem, instead of /proc/gomem.\n"
	"\n"
	"       -n N, --iterations=N\n"
	"              Stop after N displays (default: 1 with -o, else until q).\n"
	"\n"
	"       -a, --all\n"
	"              Also show the empty size classes and the large row when there\n"
	"              are no large objects. Caches are always shown.\n"
	"\n"
	"       -h, --help\n"
	"              Print this help and exit.\n"
	"\n"
	"       While the display refreshes, a key of the table above changes the\n"
	"       sort, the space bar refreshes now, and q quits.\n"
	"\n"
	"HEADER\n"
	"       Objects, size, minimum, average and maximum count the size class\n"
	"       rows and the private caches (a merged cache's objects are in its\n"
	"       class's row). Memory held is what gomem has from the buddy allocator,\n"
	"       in use the part in spans, idle the free part of the page heaps, per\n"
	"       NUMA node below; released is cumulative. Large objects are above\n"
	"       32 KiB, vmalloc'ed ones above 4 MiB. Cached objects are freed objects\n"
	"       waiting in per-CPU magazines and transfer caches. Sizes are in KiB.\n"
	"\n"
	"FIELDS\n"
	"       OBJS      object slots in the row's spans (merged, tiny: ACTIVE)\n"
	"       ACTIVE    objects in use\n"
	"       USE       ACTIVE / OBJS, in percent, rounded down\n"
	"       OBJSIZE   bytes per object slot: the size class's object size (large:\n"
	"                 the average object, in whole 8 KiB pages)\n"
	"       SPANS     spans the row holds (merged, tiny: -, they use their class's)\n"
	"       OBJ/SPAN  object slots per span\n"
	"       MEMORY    KiB, rounded up: SPANS x the span size (merged, tiny: ACTIVE x\n"
	"                 OBJSIZE, already counted in their class's row; for tiny an\n"
	"                 upper bound, as tiny objects share 16-byte blocks)\n"
	"       TYPE      class    a size class, the global instance (kmalloc-SIZE)\n"
	"                 private  a cache with spans of its own (no_merge, ctor, ...)\n"
	"                 merged   a cache that shares its size class's spans\n"
	"                 tiny     a merged cache packed by the tiny allocator\n"
	"                 large    the objects above 32 KiB, one span each\n"
	"       NAME      kmalloc-SIZE for a class; the cache's name, escaped as in\n"
	"                 /proc/gomem (a space is \\040)\n"
	"       The MEMORY of the class, private and large rows adds up to the\n"
	"       header's memory in use.\n"
	"\n"
	"EXIT STATUS\n"
	"       0 success; 1 the snapshot cannot be read or is not one; 2 bad usage.\n"
	"\n"
	"FILES\n"
	"       /proc/gomem   mode 0600: run gomemtop as root\n"
	"\n"
	"EXAMPLES\n"
	"       gomemtop                   refresh every 3 seconds, sorted by memory\n"
	"       gomemtop -d 1 -s a         every second, by active objects\n"
	"       gomemtop -o                print once\n"
	"       gomemtop -o -s n -f snap   a saved snapshot, by name\n"
	"       gomemtop -o | awk '$8 == \"private\" { print $9, $7 }'\n"
	"                                  each private cache's memory\n"
	"\n"
	"SEE ALSO\n"
	"       slabtop(1), Documentation/gomemtop.rst, Documentation/proc-gomem.rst\n";

/* @fmt and a hint on stderr. Return: EXIT_USAGE */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs("Try '" PROG " --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option long_opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "delay", required_argument, NULL, 'd' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "once", no_argument, NULL, 'o' },
		{ "sort", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	bool iterations = false;
	char *end;
	int c;

	o->sort = find_sort_key("c");
	o->delay = DEFAULT_DELAY;
	opterr = 0;	/* our messages, with our name */
	while ((c = getopt_long(argc, argv, ":ad:f:hn:os:", long_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'd':
			errno = 0;
			o->delay = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(o->delay) ||
			    o->delay <= 0 || o->delay > 86400)
				return usage_error("bad delay '%s': seconds, above 0", optarg);
			break;
		case 'f':
			o->path = optarg;
			break;
		case 'h':
			fputs(help_text, stdout);
			return -1;
		case 'n':
			errno = 0;
			o->iterations = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || !o->iterations)
				return usage_error("bad iteration count '%s': 1 or more", optarg);
			iterations = true;
			break;
		case 'o':
			o->once = true;
			break;
		case 's':
			o->sort = find_sort_key(optarg);
			if (!o->sort)
				return usage_error("unknown sort key '%s': a b c l n o s u, or their names",
						   optarg);
			break;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (o->once && !iterations)
		o->iterations = 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int rc = parse_options(argc, argv, &o);

	if (rc)
		return rc < 0 ? 0 : rc;
	return o.once ? batch(&o) : live(&o);
}
