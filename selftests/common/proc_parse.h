/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one /proc/gomem parser of the tests and benchmarks, for the kernel
 * (test and bench modules) and userspace (guest programs, host tests) alike.
 * Documentation/proc-gomem.rst is the format: a "version 1" line, then one
 * record per line, a type and space-separated key=value fields.
 *
 * The parser works in place over a NUL-terminated text and needs nothing but
 * string functions. A record is a pointer to the start of its line; it ends
 * at the next '\n' or at the NUL. Records are selected as
 *
 *   "total"  "node id=1"  "class id=5"  "cache name=tgc_40"
 *
 * a type, and optionally one key=value the record must have.
 *
 * gomem_proc_read() fills a buffer with /proc/gomem: with filp_open() and
 * kernel_read() in the kernel, with open() and read() in userspace.
 */
#ifndef _GOMEM_PROC_PARSE_H
#define _GOMEM_PROC_PARSE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/fs.h>
#include <linux/err.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#endif

#define GOMEM_PROC_PATH		"/proc/gomem"
#define GOMEM_PROC_VERSION	"version 1"

/* the length of the line (or field) that starts at @s */
static inline size_t gomem_proc_linelen(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? (size_t)(nl - s) : strlen(s);
}

static inline size_t gomem_proc_toklen(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && s[n] != '\n')
		n++;
	return n;
}

/* the text starts with the version line this parser knows */
static inline bool gomem_proc_valid(const char *text)
{
	size_t n = strlen(GOMEM_PROC_VERSION);

	return !strncmp(text, GOMEM_PROC_VERSION, n) && (text[n] == '\n' || !text[n]);
}

/* the record after @rec, or the first one when @rec is NULL; NULL at the end */
static inline const char *gomem_proc_next(const char *text, const char *rec)
{
	const char *l = rec ? rec : text;

	do {
		l += gomem_proc_linelen(l);
		if (!*l)
			return NULL;
		l++;
	} while (*l == '\n');
	return *l ? l : NULL;
}

/* the record's type is @type */
static inline bool gomem_proc_is(const char *rec, const char *type)
{
	size_t n = strlen(type);

	return gomem_proc_toklen(rec) == n && !strncmp(rec, type, n);
}

/*
 * Iterate over a record's fields: @pos is NULL for the first. Return: the
 * next field ("key=value ..."), or NULL. gomem_proc_kv() splits one.
 */
static inline const char *gomem_proc_next_field(const char *rec, const char *pos)
{
	const char *p = pos ? pos : rec;

	p += gomem_proc_toklen(p);
	while (*p == ' ')
		p++;
	return *p && *p != '\n' ? p : NULL;
}

/*
 * Split field @f into its key (@klen bytes at @f) and value. Return: the
 * value (@vlen bytes), or NULL when the field has no '=' or an empty key.
 */
static inline const char *gomem_proc_kv(const char *f, size_t *klen, size_t *vlen)
{
	size_t n = gomem_proc_toklen(f), k = 0;

	while (k < n && f[k] != '=')
		k++;
	if (!k || k == n)
		return NULL;
	*klen = k;
	*vlen = n - k - 1;
	return f + k + 1;
}

/* the value of @key in @rec (@len bytes, not NUL-terminated), or NULL */
static inline const char *gomem_proc_field(const char *rec, const char *key, size_t *len)
{
	size_t kl = strlen(key), k, v;
	const char *f, *val;

	if (!rec)
		return NULL;
	for (f = gomem_proc_next_field(rec, NULL); f; f = gomem_proc_next_field(rec, f)) {
		val = gomem_proc_kv(f, &k, &v);
		if (val && k == kl && !strncmp(f, key, kl)) {
			*len = v;
			return val;
		}
	}
	return NULL;
}

/*
 * The first record matching @sel ("type" or "type key=value"), or NULL.
 * A selector longer than 95 bytes matches nothing.
 */
static inline const char *gomem_proc_find(const char *text, const char *sel)
{
	const char *eq = NULL, *sp = strchr(sel, ' '), *rec, *v;
	char type[32], key[32];
	size_t tl = sp ? (size_t)(sp - sel) : strlen(sel), kl = 0, vl = 0, len;

	if (tl >= sizeof(type))
		return NULL;
	memcpy(type, sel, tl);
	type[tl] = 0;
	if (sp) {
		eq = strchr(sp + 1, '=');
		if (!eq || (size_t)(eq - sp - 1) >= sizeof(key))
			return NULL;
		kl = eq - sp - 1;
		memcpy(key, sp + 1, kl);
		key[kl] = 0;
		vl = strlen(eq + 1);
	}
	for (rec = gomem_proc_next(text, NULL); rec; rec = gomem_proc_next(text, rec)) {
		if (!gomem_proc_is(rec, type))
			continue;
		if (!sp)
			return rec;
		v = gomem_proc_field(rec, key, &len);
		if (v && len == vl && !strncmp(v, eq + 1, vl))
			return rec;
	}
	return NULL;
}

/* @key of @rec copied to @out (NUL-terminated). Return: 0, or -1 (missing, too long) */
static inline int gomem_proc_str(const char *rec, const char *key, char *out, size_t size)
{
	size_t len;
	const char *v = gomem_proc_field(rec, key, &len);

	if (!v || len >= size)
		return -1;
	memcpy(out, v, len);
	out[len] = 0;
	return 0;
}

/* a plain unsigned decimal of @len bytes. Return: 0, or -1 (not one, overflow) */
static inline int gomem_proc_parse_u64(const char *v, size_t len, unsigned long long *out)
{
	unsigned long long x = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned int d = v[i] - '0';

		if (v[i] < '0' || v[i] > '9' || x > (~0ULL - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

/* numeric @key of @rec. Return: 0, or -1 (missing, not a number) */
static inline int gomem_proc_u64(const char *rec, const char *key, unsigned long long *out)
{
	size_t len;
	const char *v = gomem_proc_field(rec, key, &len);

	return v ? gomem_proc_parse_u64(v, len, out) : -1;
}

/* numeric @key of the record @sel selects. Return: 0, or -1 */
static inline int gomem_proc_get(const char *text, const char *sel, const char *key,
				 unsigned long long *out)
{
	return gomem_proc_u64(gomem_proc_find(text, sel), key, out);
}

#ifdef __KERNEL__
/*
 * Read /proc/gomem into @buf (NUL-terminated). Return: its length, or a
 * negative errno (-EFBIG when it does not fit, -EPROTO for an unknown
 * version). Process context.
 */
static inline ssize_t gomem_proc_read(char *buf, size_t size)
{
	struct file *f;
	loff_t pos = 0;
	size_t len = 0;
	ssize_t n = 0;

	if (size < 2)
		return -EINVAL;
	f = filp_open(GOMEM_PROC_PATH, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	while (len < size - 1) {
		n = kernel_read(f, buf + len, size - 1 - len, &pos);
		if (n <= 0)
			break;
		len += n;
	}
	if (len == size - 1 && n > 0) {
		char c;

		if (kernel_read(f, &c, 1, &pos) > 0)
			n = -EFBIG;
	}
	filp_close(f, NULL);
	buf[len] = 0;
	if (n < 0)
		return n;
	return gomem_proc_valid(buf) ? (ssize_t)len : -EPROTO;
}
#else
/* as in the kernel, with open() and read(); @path NULL is /proc/gomem */
static inline ssize_t gomem_proc_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n = 0;
	char c;
	int fd;

	if (size < 2)
		return -EINVAL;
	fd = open(path ? path : GOMEM_PROC_PATH, O_RDONLY);
	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	if (n < 0)
		n = -errno;
	else if (len == size - 1 && read(fd, &c, 1) > 0)
		n = -EFBIG;
	close(fd);
	buf[len] = 0;
	if (n < 0)
		return n;
	return gomem_proc_valid(buf) ? (ssize_t)len : -EPROTO;
}

static inline ssize_t gomem_proc_read(char *buf, size_t size)
{
	return gomem_proc_read_file(NULL, buf, size);
}
#endif

#endif /* _GOMEM_PROC_PARSE_H */
