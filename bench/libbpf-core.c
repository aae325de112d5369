// libbpf side of the CO-RE benchmark: time libbpf's CO-RE pass in-process, as libbpf does it
// for one object: open with btf_custom_path = TARGET, then load (which runs CO-RE before any
// program reaches the kernel). bpf() is answered "success" by an interposed syscall(), so
// nothing is loaded and no privileges are needed. libbpf parses TARGET on every load: it has
// no way to reuse a parsed kernel BTF across objects.
// Usage: libbpf-core OBJ TARGET ROUNDS   -> JSON {"pass_us": median, "parse_us": median}
#define _GNU_SOURCE
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

static int devnull = -1;

long syscall(long nr, ...)
{
	va_list ap;
	long a[6];
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == __NR_bpf) {
		switch ((int)a[0]) {
		case BPF_MAP_CREATE: case BPF_PROG_LOAD: case BPF_BTF_LOAD:
			if (devnull < 0)
				devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
			return fcntl(devnull, F_DUPFD_CLOEXEC, 3);
		case BPF_MAP_UPDATE_ELEM: case BPF_MAP_FREEZE:
			return 0;
		default:
			errno = EINVAL;
			return -1;
		}
	}
	static long (*real)(long, ...);
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int quiet(enum libbpf_print_level l, const char *f, va_list a) { return 0; }
static double now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv)
{
	if (argc != 4) { fprintf(stderr, "usage: %s OBJ TARGET ROUNDS\n", argv[0]); return 2; }
	int rounds = atoi(argv[3]);
	double *pass = calloc(rounds, sizeof(double)), *parse = calloc(rounds, sizeof(double));
	libbpf_set_print(quiet);
	for (int r = 0; r < rounds; r++) {
		double t0 = now_us();
		struct btf *b = btf__parse(argv[2], NULL);
		parse[r] = now_us() - t0;
		btf__free(b);
		LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argv[2]);
		t0 = now_us();
		struct bpf_object *obj = bpf_object__open_file(argv[1], &opts);
		if (!obj) { fprintf(stderr, "open failed\n"); return 1; }
		struct bpf_program *p;
		bpf_object__for_each_program(p, obj) bpf_program__set_autoload(p, true);
		bpf_object__load(obj); /* CO-RE runs here; the fake kernel accepts everything */
		pass[r] = now_us() - t0;
		bpf_object__close(obj);
	}
	qsort(pass, rounds, sizeof(double), cmp);
	qsort(parse, rounds, sizeof(double), cmp);
	printf("{\"pass_us\":%.1f,\"parse_us\":%.1f}\n", pass[rounds / 2], parse[rounds / 2]);
	return 0;
}
