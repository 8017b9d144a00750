// SPDX-License-Identifier: GPL-2.0
/*
 * insmod that loads a module exactly once: busybox's insmod retries a
 * failing finit_module() with init_module(), which runs a test module's
 * init (its tests) twice. Usage: insmod1 FILE [PARAMS...]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	char params[4096] = "";
	int fd, i;

	if (argc < 2) {
		fprintf(stderr, "usage: insmod1 FILE [PARAMS...]\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		strncat(params, argv[i], sizeof(params) - strlen(params) - 2);
		strcat(params, " ");
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	if (syscall(SYS_finit_module, fd, params, 0)) {
		fprintf(stderr, "insmod1: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
