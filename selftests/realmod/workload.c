// SPDX-License-Identifier: GPL-2.0
/*
 * realmod's filesystem workload (scripts/realmod.sh, Documentation/
 * testing.rst): metadata-heavy, in one process, every result checked.
 *
 *   workload run DIR MANIFEST FILES FEATURES SRC...
 *   workload verify DIR MANIFEST
 *
 * run, in DIR (an empty, freshly made filesystem):
 *   tree   FILES regular files over 100 directories, each written with its
 *          own size and bytes; then, file by file, stat (size, type, link
 *          count), a hard link in another directory (links: both names
 *          stat to the same inode, link count 2), a rename into a third
 *          directory (the old name is gone, the new one has the size and
 *          links), a symlink of 8 to 1007 bytes read back (symlinks, every
 *          4th file), a 300-byte user xattr, the same on each (xattr, every
 *          5th: ext4 shares the block through mbcache) and a POSIX ACL
 *          (xattr, every 10th), read back; a truncate to half (every 7th);
 *          every directory read and its names compared with the model;
 *          unlink of two thirds of the renamed files or of their links
 *          (the other name's link count drops to 1), of half of the
 *          symlinks; every directory read and compared again. 100 names
 *          with a Latin-1 byte (0xe9) go through the filesystem's
 *          character set (vfat's iocharset=).
 *   copy   each SRC tree (regular files, directories, symlinks when the
 *          filesystem has them) copied under DIR/copy/, every file's
 *          64-bit FNV-1a hash taken as it is written.
 *   sync   then sync(); the time of each part and the operation count
 *          are printed. MANIFEST gets every name the filesystem must now
 *          hold: type, link count, size, hash, symlink target, xattrs.
 * verify, after a remount: DIR must hold exactly MANIFEST's names, each
 *   with its type, size, link count, content hash, target and xattrs.
 *
 * FEATURES is a comma-separated list of what the filesystem must support
 * (links, symlinks, xattr), or "-": an operation that fails is an error,
 * never a skip. Any failed check prints what was expected and what was
 * found, and exits 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define NDIRS		100
#define NLATIN		100
#define XATTR_LEN	300
#define PATH_LEN	1024
#define BUF_LEN		65536

static const char *root;
static unsigned long ops;
static int has_links, has_symlinks, has_xattr;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "workload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

#define check(cond, fmt, ...) do {					\
	if (!(cond))							\
		die(fmt " (errno %d: %s)", ##__VA_ARGS__, errno,	\
		    strerror(errno));					\
} while (0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

/* ---------------------------- the model ---------------------------- */

/* one name in the tree: a regular file's, a hard link's or a symlink's */
struct name {
	char *path;		/* relative to root */
	char type;		/* 'f', 'l' (symlink) or 'd' */
	int inode;		/* files[] index for 'f', -1 otherwise */
	char *target;		/* 'l' */
	int alive;
};

struct file {
	off_t size;
	uint64_t hash;
	int nlink;
	int xattrs;		/* bit 0: user.realmod, bit 1: POSIX ACL */
};

static struct name *names;
static int nnames, names_cap;
static struct file *files;
static int nfiles, files_cap;

static int add_name(const char *path, char type, int inode, const char *target)
{
	struct name *n;

	if (nnames == names_cap) {
		names_cap = names_cap ? 2 * names_cap : 4096;
		names = realloc(names, names_cap * sizeof(*names));
		check(names, "out of memory");
	}
	n = &names[nnames];
	n->path = strdup(path);
	check(n->path, "out of memory");
	n->type = type;
	n->inode = inode;
	n->target = target ? strdup(target) : NULL;
	n->alive = 1;
	return nnames++;
}

static int add_file(off_t size, uint64_t hash)
{
	if (nfiles == files_cap) {
		files_cap = files_cap ? 2 * files_cap : 4096;
		files = realloc(files, files_cap * sizeof(*files));
		check(files, "out of memory");
	}
	files[nfiles] = (struct file){ .size = size, .hash = hash, .nlink = 1 };
	return nfiles++;
}

static void full(char *buf, const char *rel)
{
	if (snprintf(buf, PATH_LEN, "%s/%s", root, rel) >= PATH_LEN)
		die("path too long: %s/%s", root, rel);
}

/* ---------------------------- checks ---------------------------- */

static void stat_file(const char *rel, const struct file *f, struct stat *st)
{
	char p[PATH_LEN];

	full(p, rel);
	check(lstat(p, st) == 0, "stat %s", rel);
	ops++;
	if (!S_ISREG(st->st_mode))
		die("%s: mode %o, expected a regular file", rel, st->st_mode);
	if (st->st_size != f->size)
		die("%s: size %lld, expected %lld", rel, (long long)st->st_size,
		    (long long)f->size);
	if ((int)st->st_nlink != f->nlink)
		die("%s: link count %u, expected %d", rel, (unsigned int)st->st_nlink,
		    f->nlink);
}

static void gone(const char *rel)
{
	char p[PATH_LEN];
	struct stat st;

	full(p, rel);
	ops++;
	if (lstat(p, &st) == 0 || errno != ENOENT)
		die("%s: still there after rename or unlink (errno %d)", rel, errno);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* readdir of directory REL: its names are exactly the model's live ones */
static void check_dir(const char *rel)
{
	char p[PATH_LEN], **want, **got;
	size_t len = strlen(rel);
	int nwant = 0, ngot = 0, i;
	struct dirent *de;
	DIR *d;

	want = malloc(nnames * sizeof(*want));
	got = malloc((nnames + 1) * sizeof(*got));
	check(want && got, "out of memory");
	for (i = 0; i < nnames; i++)
		if (names[i].alive && !strncmp(names[i].path, rel, len) &&
		    names[i].path[len] == '/' && !strchr(names[i].path + len + 1, '/'))
			want[nwant++] = names[i].path + len + 1;
	full(p, rel);
	d = opendir(p);
	check(d, "opendir %s", rel);
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (ngot == nwant)
			die("%s: more than the %d names expected (%s)", rel, nwant, de->d_name);
		got[ngot++] = strdup(de->d_name);
	}
	check(errno == 0, "readdir %s", rel);
	closedir(d);
	ops++;
	if (ngot != nwant)
		die("%s: %d names, expected %d", rel, ngot, nwant);
	qsort(want, nwant, sizeof(*want), cmp_str);
	qsort(got, ngot, sizeof(*got), cmp_str);
	for (i = 0; i < ngot; i++)
		if (strcmp(want[i], got[i]))
			die("%s: name '%s' read, '%s' expected", rel, got[i], want[i]);
	for (i = 0; i < ngot; i++)
		free(got[i]);
	free(want);
	free(got);
}

static void check_dirs(void)
{
	char rel[16];
	int d;

	for (d = 0; d < NDIRS; d++) {
		snprintf(rel, sizeof(rel), "d%02d", d);
		check_dir(rel);
	}
}

/* --------------------------- xattrs --------------------------- */

static const char *XUSER = "user.realmod";
static const char *XACL = "system.posix_acl_access";
static unsigned char xvalue[XATTR_LEN];

/* user::rw- user:1000:r-- group::r-- mask::rw- other::r--, as the kernel's
 * posix_acl_xattr format (little-endian, version 2, sorted by tag, id)
 */
static const unsigned char acl[] = {
	2, 0, 0, 0,
	0x01, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
	0x02, 0, 4, 0, 0xe8, 0x03, 0, 0,
	0x04, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
	0x10, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
	0x20, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
};

static void check_xattr(const char *p, const char *name, const void *want, size_t len)
{
	unsigned char buf[XATTR_LEN];
	ssize_t n;

	n = lgetxattr(p, name, buf, sizeof(buf));
	ops++;
	check(n >= 0, "getxattr %s %s", p, name);
	if ((size_t)n != len || memcmp(buf, want, len))
		die("%s: xattr %s: %zd bytes read back, %zu different written", p,
		    name, n, len);
}

static void check_xattrs(const char *p, int x)
{
	if (x & 1)
		check_xattr(p, XUSER, xvalue, sizeof(xvalue));
	if (x & 2)
		check_xattr(p, XACL, acl, sizeof(acl));
}

/* ------------------------------ run ------------------------------ */

static void fill(unsigned char *buf, size_t n, unsigned int seed)
{
	size_t k;

	for (k = 0; k < n; k++)
		buf[k] = (unsigned char)(seed * 31 + k * 7 + (k >> 8));
}

static void make_file(const char *rel, unsigned int i, off_t size)
{
	static unsigned char buf[4096];
	char p[PATH_LEN];
	int fd;

	fill(buf, size, i);
	full(p, rel);
	fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0644);
	check(fd >= 0, "create %s", rel);
	check(write(fd, buf, size) == size, "write %s", rel);
	check(close(fd) == 0, "close %s", rel);
	ops += 3;
	add_name(rel, 'f', add_file(size, fnv(FNV_INIT, buf, size)), NULL);
}

static void tree(int nf)
{
	int *fname = malloc(nf * sizeof(int)), *lname = malloc(nf * sizeof(int));
	int *sname = malloc(nf * sizeof(int));
	char p[PATH_LEN], q[PATH_LEN], rel[64], target[1100], buf[1100];
	struct stat st, st2;
	struct file *fi;
	int i, d, n;

	check(fname && lname && sname, "out of memory");
	for (d = 0; d < NDIRS; d++) {
		snprintf(rel, sizeof(rel), "d%02d", d);
		full(p, rel);
		check(mkdir(p, 0755) == 0, "mkdir %s", rel);
		ops++;
		add_name(rel, 'd', -1, NULL);
	}
	for (i = 0; i < nf; i++) {
		snprintf(rel, sizeof(rel), "d%02d/f%05d", i % NDIRS, i);
		fname[i] = nnames;
		make_file(rel, i, (i * 7919) % 1500);
	}
	for (i = 0; i < NLATIN; i++) {
		snprintf(rel, sizeof(rel), "d%02d/caf\xe9%03d", i % NDIRS, i);
		make_file(rel, nf + i, i * 3);
	}
	/* names[] moves when it grows: indices, not pointers, across add_name() */
	for (i = 0; i < nf; i++) {
		const char *old = names[fname[i]].path;
		int ino = names[fname[i]].inode;

		fi = &files[ino];
		stat_file(old, fi, &st);
		lname[i] = -1;
		if (has_links) {
			snprintf(rel, sizeof(rel), "d%02d/l%05d", (i + 1) % NDIRS, i);
			full(p, old);
			full(q, rel);
			check(link(p, q) == 0, "link %s %s", old, rel);
			ops++;
			fi->nlink = 2;
			lname[i] = add_name(rel, 'f', ino, NULL);
			stat_file(old, fi, &st);
			stat_file(rel, fi, &st2);
			if (st.st_ino != st2.st_ino)
				die("%s and its link %s: inodes %lu and %lu", old, rel,
				    (unsigned long)st.st_ino, (unsigned long)st2.st_ino);
		}
		snprintf(rel, sizeof(rel), "d%02d/r%05d", (i + 7) % NDIRS, i);
		full(p, old);
		full(q, rel);
		check(rename(p, q) == 0, "rename %s %s", old, rel);
		ops++;
		gone(old);
		names[fname[i]].alive = 0;
		fname[i] = add_name(rel, 'f', ino, NULL);
		stat_file(rel, fi, &st);
		sname[i] = -1;
		if (has_symlinks && i % 4 == 0) {
			n = 8 + (i * 13) % 1000;
			memset(target, 'a' + i % 26, n);
			target[n] = 0;
			memcpy(target, "../t/", 5);
			snprintf(rel, sizeof(rel), "d%02d/s%05d", (i + 3) % NDIRS, i);
			full(p, rel);
			check(symlink(target, p) == 0, "symlink %s (%d bytes)", rel, n);
			ops++;
			sname[i] = add_name(rel, 'l', -1, target);
			check(readlink(p, buf, sizeof(buf)) == n, "readlink %s", rel);
			ops++;
			if (memcmp(buf, target, n))
				die("%s: readlink differs from the target written", rel);
		}
		full(p, names[fname[i]].path);
		if (has_xattr && i % 5 == 0) {
			check(lsetxattr(p, XUSER, xvalue, sizeof(xvalue), 0) == 0,
			      "setxattr %s", p);
			ops++;
			fi->xattrs |= 1;
		}
		if (has_xattr && i % 10 == 0) {
			check(lsetxattr(p, XACL, acl, sizeof(acl), 0) == 0,
			      "setxattr %s %s", p, XACL);
			ops++;
			fi->xattrs |= 2;
		}
		check_xattrs(p, fi->xattrs);
		if (i % 7 == 0) {
			fi->size /= 2;
			check(truncate(p, fi->size) == 0, "truncate %s", p);
			ops++;
			/* the hash of the first half of what was written */
			fill((unsigned char *)buf, fi->size, i);
			fi->hash = fnv(FNV_INIT, (unsigned char *)buf, fi->size);
			stat_file(names[fname[i]].path, fi, &st);
		}
	}
	check_dirs();
	for (i = 0; i < nf; i++) {
		int victim = fname[i], other = lname[i];

		fi = &files[names[fname[i]].inode];
		if (i % 3 == 2)
			continue;
		if (i % 3 == 1 && lname[i] >= 0) {
			victim = lname[i];
			other = fname[i];
		}
		full(p, names[victim].path);
		check(unlink(p) == 0, "unlink %s", names[victim].path);
		ops++;
		gone(names[victim].path);
		names[victim].alive = 0;
		fi->nlink--;
		if (other >= 0)
			stat_file(names[other].path, fi, &st);
		if (sname[i] >= 0 && i % 8 == 0) {
			full(p, names[sname[i]].path);
			check(unlink(p) == 0, "unlink %s", names[sname[i]].path);
			ops++;
			names[sname[i]].alive = 0;
		}
	}
	check_dirs();
	free(fname);
	free(lname);
	free(sname);
}

/* a name vfat cannot hold as given: its reserved characters, a trailing
 * dot or space (dropped); names that differ only in case collide there
 * (EEXIST, skipped by the caller)
 */
static int fat_unsafe(const char *n)
{
	size_t len = strlen(n);

	return strpbrk(n, "\"*:<>?\\|") || n[len - 1] == '.' || n[len - 1] == ' ';
}

static unsigned long copied_bytes, skipped;

static void copy(const char *src, const char *rel)
{
	char sp[PATH_LEN], dp[PATH_LEN], drel[PATH_LEN], target[PATH_LEN];
	static unsigned char buf[BUF_LEN];
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;

	check(lstat(src, &st) == 0, "lstat %s", src);
	full(dp, rel);
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(dp, 0755) != 0) {
			if (errno == EEXIST && !has_links) {
				skipped++;	/* vfat: a name that differs in case */
				return;
			}
			check(0, "mkdir %s", rel);
		}
		ops++;
		add_name(rel, 'd', -1, NULL);
		d = opendir(src);
		check(d, "opendir %s", src);
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (strpbrk(de->d_name, "\t\n") || (!has_links && fat_unsafe(de->d_name))) {
				skipped++;
				continue;
			}
			snprintf(sp, sizeof(sp), "%s/%s", src, de->d_name);
			snprintf(drel, sizeof(drel), "%s/%s", rel, de->d_name);
			copy(sp, drel);
		}
		closedir(d);
	} else if (S_ISLNK(st.st_mode)) {
		if (!has_symlinks) {
			skipped++;
			return;
		}
		n = readlink(src, target, sizeof(target) - 1);
		check(n >= 0, "readlink %s", src);
		target[n] = 0;
		check(symlink(target, dp) == 0, "symlink %s", rel);
		ops++;
		add_name(rel, 'l', -1, target);
	} else if (S_ISREG(st.st_mode)) {
		uint64_t h = FNV_INIT;
		off_t size = 0;
		int in, out;

		out = open(dp, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (out < 0 && errno == EEXIST && !has_links) {
			skipped++;
			return;
		}
		check(out >= 0, "create %s", rel);
		in = open(src, O_RDONLY);
		check(in >= 0, "open %s", src);
		while ((n = read(in, buf, sizeof(buf))) > 0) {
			check(write(out, buf, n) == n, "write %s", rel);
			h = fnv(h, buf, n);
			size += n;
			ops++;
		}
		check(n == 0, "read %s", src);
		close(in);
		check(close(out) == 0, "close %s", rel);
		ops += 2;
		copied_bytes += size;
		add_name(rel, 'f', add_file(size, h), NULL);
	} else {
		skipped++;
	}
}

static void write_manifest(const char *path)
{
	FILE *m = fopen(path, "w");
	int i;

	check(m, "open %s", path);
	for (i = 0; i < nnames; i++) {
		struct name *n = &names[i];
		struct file *f;

		if (!n->alive)
			continue;
		switch (n->type) {
		case 'd':
			fprintf(m, "d\t%s\n", n->path);
			break;
		case 'l':
			fprintf(m, "l\t%s\t%s\n", n->path, n->target);
			break;
		default:
			f = &files[n->inode];
			fprintf(m, "f\t%s\t%d\t%lld\t%016llx\t%d\n", n->path, f->nlink,
				(long long)f->size, (unsigned long long)f->hash, f->xattrs);
		}
	}
	check(fclose(m) == 0, "write %s", path);
}

/* ----------------------------- verify ----------------------------- */

static void read_manifest(const char *path)
{
	char line[2 * PATH_LEN + 128], *f[6], *s;
	FILE *m = fopen(path, "r");
	unsigned long long h;
	int k;

	check(m, "open %s", path);
	while (fgets(line, sizeof(line), m)) {
		line[strcspn(line, "\n")] = 0;
		for (k = 0, s = line; k < 6 && s; k++)
			f[k] = strsep(&s, "\t");
		if (f[0][0] == 'f' && k == 6) {
			h = strtoull(f[4], NULL, 16);
			add_name(f[1], 'f', add_file(atoll(f[3]), h), NULL);
			files[nfiles - 1].nlink = atoi(f[2]);
			files[nfiles - 1].xattrs = atoi(f[5]);
		} else if (f[0][0] == 'l' && k == 3) {
			add_name(f[1], 'l', -1, f[2]);
		} else if (f[0][0] == 'd' && k == 2) {
			add_name(f[1], 'd', -1, NULL);
		} else {
			die("%s: bad line '%s'", path, line);
		}
	}
	fclose(m);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct name *)a)->path, ((const struct name *)b)->path);
}

static void walk(const char *rel, unsigned long *seen)
{
	char p[PATH_LEN], sub[PATH_LEN], target[PATH_LEN];
	static unsigned char buf[BUF_LEN];
	struct name key = { .path = sub }, *n;
	struct dirent *de;
	struct stat st;
	ssize_t r;
	DIR *d;

	full(p, rel);
	d = opendir(p);
	check(d, "opendir %s", rel);
	ops++;
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!*rel && !strcmp(de->d_name, "lost+found"))
			continue;	/* ext4's and minix's fsck's */
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		n = bsearch(&key, names, nnames, sizeof(*names), cmp_name);
		if (!n)
			die("%s: in the filesystem, not in the manifest", sub);
		if (!n->alive)
			die("%s: read twice", sub);
		n->alive = 0;
		(*seen)++;
		full(p, sub);
		check(lstat(p, &st) == 0, "lstat %s", sub);
		ops++;
		if (n->type == 'd') {
			if (!S_ISDIR(st.st_mode))
				die("%s: mode %o, expected a directory", sub, st.st_mode);
			walk(sub, seen);
		} else if (n->type == 'l') {
			if (!S_ISLNK(st.st_mode))
				die("%s: mode %o, expected a symlink", sub, st.st_mode);
			r = readlink(p, target, sizeof(target));
			check(r >= 0, "readlink %s", sub);
			ops++;
			if ((size_t)r != strlen(n->target) || memcmp(target, n->target, r))
				die("%s: symlink target differs", sub);
		} else {
			struct file *f = &files[n->inode];
			uint64_t h = FNV_INIT;
			off_t size = 0;
			int fd;

			stat_file(sub, f, &st);
			fd = open(p, O_RDONLY);
			check(fd >= 0, "open %s", sub);
			while ((r = read(fd, buf, sizeof(buf))) > 0) {
				h = fnv(h, buf, r);
				size += r;
				ops++;
			}
			check(r == 0, "read %s", sub);
			close(fd);
			ops += 2;
			if (size != f->size || h != f->hash)
				die("%s: %lld bytes hash to %016llx, expected %lld bytes, %016llx",
				    sub, (long long)size, (unsigned long long)h,
				    (long long)f->size, (unsigned long long)f->hash);
			check_xattrs(p, f->xattrs);
		}
	}
	check(errno == 0, "readdir %s", rel);
	closedir(d);
}

static void verify(void)
{
	unsigned long seen = 0;
	int i;

	qsort(names, nnames, sizeof(*names), cmp_name);
	for (i = 1; i < nnames; i++)
		if (!strcmp(names[i].path, names[i - 1].path))
			die("manifest: %s twice", names[i].path);
	walk("", &seen);
	for (i = 0; i < nnames; i++)
		if (names[i].alive)
			die("%s: in the manifest, not in the filesystem", names[i].path);
	printf("workload: verified %lu names\n", seen);
}

int main(int argc, char **argv)
{
	double t0, t1, t2, t3;
	int nf, i;
	char *s;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fill(xvalue, sizeof(xvalue), 12345);
	if (argc >= 4 && !strcmp(argv[1], "verify")) {
		root = argv[2];
		read_manifest(argv[3]);
		t0 = now();
		verify();
		printf("workload: verify ops=%lu secs=%.3f\n", ops, now() - t0);
		return 0;
	}
	if (argc < 6 || strcmp(argv[1], "run"))
		die("usage: workload run DIR MANIFEST FILES FEATURES SRC... | verify DIR MANIFEST");
	root = argv[2];
	nf = atoi(argv[4]);
	if (nf < 1 || nf > 99999)
		die("FILES: 1 to 99999, not '%s'", argv[4]);
	for (s = strtok(argv[5], ","); s; s = strtok(NULL, ",")) {
		if (!strcmp(s, "links"))
			has_links = 1;
		else if (!strcmp(s, "symlinks"))
			has_symlinks = 1;
		else if (!strcmp(s, "xattr"))
			has_xattr = 1;
		else if (strcmp(s, "-"))
			die("unknown feature '%s' (links, symlinks, xattr)", s);
	}

	t0 = now();
	tree(nf);
	t1 = now();
	{
		char p[PATH_LEN];

		full(p, "copy");
		check(mkdir(p, 0755) == 0, "mkdir copy");
		ops++;
		add_name("copy", 'd', -1, NULL);
	}
	for (i = 6; i < argc; i++) {
		char rel[PATH_LEN];
		const char *b = strrchr(argv[i], '/');

		snprintf(rel, sizeof(rel), "copy/%d-%s", i - 6, b && b[1] ? b + 1 : "root");
		copy(argv[i], rel);
	}
	t2 = now();
	sync();
	ops++;
	t3 = now();
	write_manifest(argv[3]);
	printf("workload: tree files=%d secs=%.3f; copy bytes=%lu skipped=%lu secs=%.3f; sync secs=%.3f\n",
	       nf, t1 - t0, copied_bytes, skipped, t2 - t1, t3 - t2);
	printf("workload: run ops=%lu secs=%.3f\n", ops, t3 - t0);
	return 0;
}
