// SPDX-License-Identifier: GPL-2.0
/*
 * mksizeclasses - generate gomem's small-object size class tables.
 *
 * Usage: mksizeclasses <out.h> <out.c>
 *
 * The class list is derived with the same rules as the Go runtime's
 * mksizeclasses.go (Go 1.19), so gomem ends up with the same 68 classes:
 *
 *  - Candidate sizes step from 8 bytes up to 32 KiB.  The step (object
 *    alignment) starts at 8 and is raised whenever the candidate reaches a
 *    power of two: 16 from 32 bytes, size/8 from 128 bytes, 256 from 2 KiB.
 *  - Each candidate gets the smallest run of 8 KiB pages whose leftover
 *    after cutting it into objects is at most 1/8 of the run.
 *  - A candidate that uses the same page count and yields the same number of
 *    objects per span as the previous class replaces that class's size, so
 *    only the largest size with a given (pages, objects) pair survives.
 *  - Finally every class is grown to the largest multiple of 128 bytes that
 *    still fits the same number of objects in its span.
 *
 * For each class the generator also proves that offset / size can be
 * computed as (offset * magic) >> 32 with magic = 2^32 / size rounded up,
 * for every offset inside the span.
 *
 * The output is a pure function of the constants below, so running the
 * generator twice gives byte-identical files.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SHIFT	13
#define PAGE_SIZE	(1 << PAGE_SHIFT)
#define MAX_SMALL_SIZE	(32 << 10)
#define SMALL_SIZE_DIV	8
#define SMALL_SIZE_MAX	1024
#define LARGE_SIZE_DIV	128
#define TINY_SIZE	16
#define TINY_SIZE_CLASS	2

/* Go's runtime has exactly this many classes (class 0 is "large"). */
#define EXPECTED_CLASSES	68
#define MAX_CLASSES		(MAX_SMALL_SIZE / 8 + 1)

#define SIZE_TO_CLASS8_LEN	(SMALL_SIZE_MAX / SMALL_SIZE_DIV + 1)
#define SIZE_TO_CLASS128_LEN	((MAX_SMALL_SIZE - SMALL_SIZE_MAX) / LARGE_SIZE_DIV + 1)

struct size_class {
	int size;	/* object size in bytes */
	int npages;	/* span length in 8 KiB pages */
	uint32_t divmagic;
};

static struct size_class classes[MAX_CLASSES];
static int nclasses;

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("mksizeclasses: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static bool is_pow2(int x)
{
	return x > 0 && (x & (x - 1)) == 0;
}

static int bit_len(uint32_t x)
{
	int n = 0;

	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

static int ctz(uint32_t x)
{
	int n = 0;

	if (!x)
		return 32;
	while (!(x & 1)) {
		n++;
		x >>= 1;
	}
	return n;
}

static void build_classes(void)
{
	int align = 8;
	int size;
	int i;

	nclasses = 1;	/* class 0: large objects, size 0 */
	memset(&classes[0], 0, sizeof(classes[0]));

	for (size = align; size <= MAX_SMALL_SIZE; size += align) {
		int span, npages;
		struct size_class *prev;

		if (is_pow2(size)) {
			if (size >= 2048)
				align = 256;
			else if (size >= 128)
				align = size / 8;
			else if (size >= 32)
				align = 16;
		}
		if (!is_pow2(align))
			die("alignment %d is not a power of two", align);

		/* Smallest span that wastes at most 1/8 of itself. */
		span = PAGE_SIZE;
		while (span % size > span / 8)
			span += PAGE_SIZE;
		npages = span / PAGE_SIZE;

		prev = &classes[nclasses - 1];
		if (nclasses > 1 && prev->npages == npages &&
		    span / prev->size == span / size) {
			prev->size = size;
			continue;
		}
		if (nclasses >= MAX_CLASSES)
			die("too many classes");
		classes[nclasses].size = size;
		classes[nclasses].npages = npages;
		nclasses++;
	}

	/*
	 * Same object count, bigger objects: keep LARGE_SIZE_DIV alignment so
	 * that the 128-byte lookup table can still address every class.
	 */
	for (i = 1; i < nclasses; i++) {
		struct size_class *c = &classes[i];
		int span = c->npages * PAGE_SIZE;
		int grown = (span / (span / c->size)) & ~(LARGE_SIZE_DIV - 1);

		if (grown > c->size)
			c->size = grown;
	}

	if (nclasses != EXPECTED_CLASSES)
		die("got %d size classes, expected %d", nclasses, EXPECTED_CLASSES);
}

/*
 * Check that 32 fractional bits are enough for an exact reciprocal (Lemire,
 * Kaser, Kurz, "Faster Remainder by Direct Computation", algorithm 2), then
 * confirm by evaluating the runtime formula for every offset in the span.
 */
static void compute_divmagic(struct size_class *c)
{
	uint64_t d = (uint64_t)c->size;
	uint32_t max = (uint32_t)c->npages * PAGE_SIZE;
	int nbits = bit_len(max);
	int fbits = -1;
	uint32_t magic;
	uint32_t n;

	if (!d) {
		c->divmagic = 0;
		return;
	}

	if (is_pow2(c->size)) {
		fbits = ctz((uint32_t)d);
	} else {
		int l;

		for (l = 0; nbits + l < 64; l++) {
			uint64_t two_nl = (uint64_t)1 << (nbits + l);

			if (d <= (two_nl % d) + ((uint64_t)1 << l)) {
				fbits = nbits + l;
				break;
			}
		}
	}
	if (fbits < 0 || fbits > 32)
		die("size %d (span %" PRIu32 "): needs %d fractional bits",
		    c->size, max, fbits);

	magic = UINT32_MAX / (uint32_t)d + 1;
	for (n = 0; n <= max; n++) {
		uint32_t q = (uint32_t)(((uint64_t)n * magic) >> 32);

		if (q != n / (uint32_t)d)
			die("size %d: magic %" PRIu32 " fails at offset %" PRIu32,
			    c->size, magic, n);
	}
	c->divmagic = magic;
}

/* Smallest class whose objects hold @size bytes. */
static int class_for(int size)
{
	int i;

	for (i = 0; i < nclasses; i++)
		if (classes[i].size >= size)
			return i;
	die("no class for size %d", size);
}

static void emit_class_comment(FILE *f)
{
	int min_align[PAGE_SHIFT + 1] = { 0 };
	int prev = 0;
	int i, b;

	fputs("/*\n", f);
	fputs(" * Per class: object size, span size, objects per span, bytes left at the\n", f);
	fputs(" * end of a span, the worst-case fraction of a span lost to rounding up the\n", f);
	fputs(" * smallest request that maps to the class plus the tail, and the natural\n", f);
	fputs(" * alignment of objects (capped at the 8 KiB page).\n", f);
	fputs(" *\n", f);
	fprintf(f, " * %-5s  %-9s  %-10s  %-7s  %-10s  %-9s  %-9s\n", "class",
		"bytes/obj", "bytes/span", "objects", "tail waste", "max waste",
		"min align");
	for (i = 1; i < nclasses; i++) {
		const struct size_class *c = &classes[i];
		int span = c->npages * PAGE_SIZE;
		int objs = span / c->size;
		int tail = span - objs * c->size;
		double waste = (double)((c->size - prev - 1) * objs + tail) / span;
		int abits = ctz((uint32_t)c->size);

		if (abits > PAGE_SHIFT)
			abits = PAGE_SHIFT;
		for (b = 0; b <= PAGE_SHIFT; b++) {
			if (b > abits)
				min_align[b] = 0;
			else if (!min_align[b])
				min_align[b] = c->size;
		}
		prev = c->size;
		fprintf(f, " * %5d  %9d  %10d  %7d  %10d  %8.2f%%  %9d\n", i, c->size,
			span, objs, tail, 100 * waste, 1 << abits);
	}
	fputs(" *\n", f);
	fputs(" * Smallest object size from which every larger class is at least this\n", f);
	fputs(" * aligned:\n", f);
	fputs(" *\n", f);
	fprintf(f, " * %-9s  %-4s  %-12s\n", "alignment", "bits", "min obj size");
	for (b = 0; b <= PAGE_SHIFT; b++) {
		if (!min_align[b])
			break;
		if (b + 1 <= PAGE_SHIFT && min_align[b] == min_align[b + 1])
			continue;
		fprintf(f, " * %9d  %4d  %12d\n", 1 << b, b, min_align[b]);
	}
	fputs(" */\n", f);
}

/*
 * Print @n values as the body of an array initializer, @per_line values to a
 * line, each line prefixed by the index of its first element.
 */
static void emit_values(FILE *f, const uint32_t *v, int n, int per_line,
			const char *fmt)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i % per_line == 0)
			fprintf(f, "\t/* %3d */", i);
		fputc(' ', f);
		fprintf(f, fmt, v[i]);
		fputc(',', f);
		if (i % per_line == per_line - 1 || i == n - 1)
			fputc('\n', f);
	}
}

static void emit_array(FILE *f, const char *type, const char *name,
		       const char *len, const uint32_t *v, int n, int per_line,
		       const char *fmt)
{
	fprintf(f, "\nconst %s %s[%s] = {\n", type, name, len);
	emit_values(f, v, n, per_line, fmt);
	fputs("};\n", f);
}

static void emit_source(FILE *f)
{
	uint32_t v[SIZE_TO_CLASS128_LEN];
	int i;

	fputs("// SPDX-License-Identifier: GPL-2.0\n", f);
	fputs("/*\n", f);
	fputs(" * gomem size class tables (the Go runtime's small-object classes).\n", f);
	fputs(" *\n", f);
	fputs(" * generated by scripts/mksizeclasses.c; do not edit\n", f);
	fputs(" */\n", f);
	fputc('\n', f);
	emit_class_comment(f);
	fputc('\n', f);
	fputs("#include \"sizeclasses.h\"\n", f);

	for (i = 0; i < nclasses; i++)
		v[i] = (uint32_t)classes[i].size;
	emit_array(f, "u16", "gomem_class_to_size", "GOMEM_NUM_SIZE_CLASSES",
		   v, nclasses, 8, "%5" PRIu32);

	for (i = 0; i < nclasses; i++)
		v[i] = (uint32_t)classes[i].npages;
	emit_array(f, "u8", "gomem_class_to_npages", "GOMEM_NUM_SIZE_CLASSES",
		   v, nclasses, 8, "%2" PRIu32);

	for (i = 0; i < nclasses; i++)
		v[i] = classes[i].size ?
		       (uint32_t)(classes[i].npages * PAGE_SIZE / classes[i].size) : 0;
	emit_array(f, "u16", "gomem_class_to_nelems", "GOMEM_NUM_SIZE_CLASSES",
		   v, nclasses, 8, "%4" PRIu32);

	for (i = 0; i < nclasses; i++)
		v[i] = classes[i].divmagic;
	emit_array(f, "u32", "gomem_class_to_divmagic", "GOMEM_NUM_SIZE_CLASSES",
		   v, nclasses, 6, "0x%08" PRIx32);

	for (i = 0; i < SIZE_TO_CLASS8_LEN; i++)
		v[i] = (uint32_t)class_for(i * SMALL_SIZE_DIV);
	emit_array(f, "u8", "gomem_size_to_class8", "GOMEM_SIZE_TO_CLASS8_LEN",
		   v, SIZE_TO_CLASS8_LEN, 16, "%2" PRIu32);

	for (i = 0; i < SIZE_TO_CLASS128_LEN; i++)
		v[i] = (uint32_t)class_for(SMALL_SIZE_MAX + i * LARGE_SIZE_DIV);
	emit_array(f, "u8", "gomem_size_to_class128", "GOMEM_SIZE_TO_CLASS128_LEN",
		   v, SIZE_TO_CLASS128_LEN, 16, "%2" PRIu32);
}

static const char header_text[] =
	"/* SPDX-License-Identifier: GPL-2.0 */\n"
	"/*\n"
	" * gomem size classes: the Go runtime's small-object classes and the helpers\n"
	" * that map request sizes to classes and span offsets to object indices.\n"
	" *\n"
	" * generated by scripts/mksizeclasses.c; do not edit\n"
	" */\n"
	"#ifndef _GOMEM_SIZECLASSES_H\n"
	"#define _GOMEM_SIZECLASSES_H\n"
	"\n"
	"#include <linux/types.h>\n"
	"\n"
	"/* gomem pages are 8 KiB regardless of the kernel's PAGE_SIZE. */\n"
	"#define GOMEM_PAGE_SHIFT\t%d\n"
	"#define GOMEM_PAGE_SIZE\t\t(1UL << GOMEM_PAGE_SHIFT)\n"
	"\n"
	"#define GOMEM_NUM_SIZE_CLASSES\t%d\n"
	"#define GOMEM_MAX_SMALL_SIZE\t%d\n"
	"#define GOMEM_SMALL_SIZE_DIV\t%d\n"
	"#define GOMEM_SMALL_SIZE_MAX\t%d\n"
	"#define GOMEM_LARGE_SIZE_DIV\t%d\n"
	"\n"
	"/* A span class is (size class << 1) | noscan. */\n"
	"#define GOMEM_NUM_SPAN_CLASSES\t(GOMEM_NUM_SIZE_CLASSES << 1)\n"
	"\n"
	"/* Tiny noscan allocations are packed into blocks of this size and class. */\n"
	"#define GOMEM_TINY_SIZE\t\t%d\n"
	"#define GOMEM_TINY_SIZE_CLASS\t%d\n"
	"\n"
	"#define GOMEM_SIZE_TO_CLASS8_LEN \\\n"
	"\t(GOMEM_SMALL_SIZE_MAX / GOMEM_SMALL_SIZE_DIV + 1)\n"
	"#define GOMEM_SIZE_TO_CLASS128_LEN \\\n"
	"\t((GOMEM_MAX_SMALL_SIZE - GOMEM_SMALL_SIZE_MAX) / GOMEM_LARGE_SIZE_DIV + 1)\n"
	"\n"
	"/* Indexed by size class; class 0 stands for large (multi-page) objects. */\n"
	"extern const u16 gomem_class_to_size[GOMEM_NUM_SIZE_CLASSES];\n"
	"extern const u8 gomem_class_to_npages[GOMEM_NUM_SIZE_CLASSES];\n"
	"extern const u16 gomem_class_to_nelems[GOMEM_NUM_SIZE_CLASSES];\n"
	"extern const u32 gomem_class_to_divmagic[GOMEM_NUM_SIZE_CLASSES];\n"
	"\n"
	"/* Request size rounded up to 8 (up to 1 KiB) or 128 bytes -> size class. */\n"
	"extern const u8 gomem_size_to_class8[GOMEM_SIZE_TO_CLASS8_LEN];\n"
	"extern const u8 gomem_size_to_class128[GOMEM_SIZE_TO_CLASS128_LEN];\n"
	"\n"
	"/**\n"
	" * gomem_size_to_class() - smallest size class that fits a request\n"
	" * @size: request size in bytes\n"
	" *\n"
	" * Return: the size class, 1 for a zero-byte request, or 0 if @size is above\n"
	" * GOMEM_MAX_SMALL_SIZE and must be served as a large allocation.\n"
	" */\n"
	"static inline unsigned int gomem_size_to_class(size_t size)\n"
	"{\n"
	"\tif (size <= GOMEM_SMALL_SIZE_MAX - 8) {\n"
	"\t\tif (!size)\n"
	"\t\t\treturn 1;\n"
	"\t\treturn gomem_size_to_class8[(size + GOMEM_SMALL_SIZE_DIV - 1) /\n"
	"\t\t\t\t\t    GOMEM_SMALL_SIZE_DIV];\n"
	"\t}\n"
	"\tif (size <= GOMEM_MAX_SMALL_SIZE) {\n"
	"\t\tsize -= GOMEM_SMALL_SIZE_MAX;\n"
	"\t\treturn gomem_size_to_class128[(size + GOMEM_LARGE_SIZE_DIV - 1) /\n"
	"\t\t\t\t\t      GOMEM_LARGE_SIZE_DIV];\n"
	"\t}\n"
	"\treturn 0;\n"
	"}\n"
	"\n"
	"/**\n"
	" * gomem_obj_index() - index of the object containing a span offset\n"
	" * @offset_in_span: byte offset from the start of the span\n"
	" * @sizeclass: size class of the span\n"
	" *\n"
	" * Equal to @offset_in_span / gomem_class_to_size[@sizeclass] for every\n"
	" * offset up to the span size, without a division. Class 0 yields 0.\n"
	" */\n"
	"static inline unsigned int gomem_obj_index(u32 offset_in_span,\n"
	"\t\t\t\t\t   unsigned int sizeclass)\n"
	"{\n"
	"\treturn (u32)(((u64)offset_in_span *\n"
	"\t\t      gomem_class_to_divmagic[sizeclass]) >> 32);\n"
	"}\n"
	"\n"
	"static inline u8 gomem_make_spanclass(unsigned int sizeclass, bool noscan)\n"
	"{\n"
	"\treturn (u8)((sizeclass << 1) | (noscan ? 1 : 0));\n"
	"}\n"
	"\n"
	"static inline unsigned int gomem_spanclass_sizeclass(u8 spc)\n"
	"{\n"
	"\treturn spc >> 1;\n"
	"}\n"
	"\n"
	"static inline bool gomem_spanclass_noscan(u8 spc)\n"
	"{\n"
	"\treturn spc & 1;\n"
	"}\n"
	"\n"
	"#endif /* _GOMEM_SIZECLASSES_H */\n";

static void emit_header(FILE *f)
{
	fprintf(f, header_text, PAGE_SHIFT, nclasses, MAX_SMALL_SIZE,
		SMALL_SIZE_DIV, SMALL_SIZE_MAX, LARGE_SIZE_DIV, TINY_SIZE,
		TINY_SIZE_CLASS);
}

/* Write via a temporary file so a failed run never leaves a partial table. */
static void write_file(const char *path, void (*emit)(FILE *))
{
	size_t len = strlen(path) + sizeof(".tmp");
	char *tmp = malloc(len);
	FILE *f;

	if (!tmp)
		die("out of memory");
	snprintf(tmp, len, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die("%s: %s", tmp, strerror(errno));
	emit(f);
	if (ferror(f) || fclose(f))
		die("%s: write error", tmp);
	if (rename(tmp, path))
		die("rename %s -> %s: %s", tmp, path, strerror(errno));
	free(tmp);
}

int main(int argc, char **argv)
{
	int i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s <sizeclasses.h> <sizeclasses.c>\n",
			argc ? argv[0] : "mksizeclasses");
		return 2;
	}

	build_classes();
	for (i = 0; i < nclasses; i++)
		compute_divmagic(&classes[i]);
	if (classes[TINY_SIZE_CLASS].size != TINY_SIZE)
		die("tiny size class %d is %d bytes, expected %d",
		    TINY_SIZE_CLASS, classes[TINY_SIZE_CLASS].size, TINY_SIZE);

	write_file(argv[1], emit_header);
	write_file(argv[2], emit_source);
	return 0;
}
