// Loads a BPF object with libbpf, runs one program once with BPF_PROG_TEST_RUN in this thread,
// and prints what user space knows next to what the program wrote: the oracle for programs
// that btfkit's emitter (src/emit) builds (test/emit-kernel.test.ts, examples/).
//
//   emit-run --probe
//       exit 0 if this process may create BPF maps and programs, else print why and exit 77.
//   emit-run OBJ PROG
//       prints one JSON line:
//         {"loaded":false,"error":-13,"log":"<verifier/libbpf log tail>"}
//         {"loaded":true,"retval":0,"pid":..,"tid":..,"ppid":..,"fd1_flags":..,"comm":"..","bss":"<hex>","data":"<hex>"}
//       pid/tid/ppid/comm and the file status flags of fd 1 are this process's (the task the program reads with
//       bpf_get_current_task); bss/data are the contents of the object's .bss/.data maps.
//
// Build: gcc -O2 -o emit-run emit-run.c -lbpf
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static char logbuf[1 << 16];
static size_t loglen;

static int collect(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	if (loglen < sizeof(logbuf) - 1) {
		int n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, args);
		if (n > 0) loglen += (size_t)n < sizeof(logbuf) - loglen ? (size_t)n : sizeof(logbuf) - loglen - 1;
	}
	return 0;
}

static void print_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
		else putchar(c);
	}
	putchar('"');
}

static void print_map(const struct bpf_object *obj, const char *suffix, const char *key)
{
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		size_t n = strlen(name), k = strlen(suffix);
		if (n < k || strcmp(name + n - k, suffix) != 0) continue;
		__u32 size = bpf_map__value_size(m), zero = 0;
		unsigned char *buf = calloc(1, size);
		if (buf == NULL || bpf_map_lookup_elem(bpf_map__fd(m), &zero, buf) != 0) { free(buf); continue; }
		printf(",\"%s\":\"", key);
		for (__u32 i = 0; i < size; i++) printf("%02x", buf[i]);
		putchar('"');
		free(buf);
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--probe") == 0) {
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "btfkit_probe", 4, 4, 1, NULL);
		if (fd < 0) { printf("bpf(BPF_MAP_CREATE) failed: %s\n", strerror(errno)); return 77; }
		close(fd);
		return 0;
	}
	if (argc != 3) { fprintf(stderr, "usage: %s OBJ PROG | --probe\n", argv[0]); return 2; }
	prctl(PR_SET_NAME, "btfkit-emit", 0, 0, 0);
	libbpf_set_print(collect);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	int err = libbpf_get_error(obj);
	if (err == 0) err = bpf_object__load(obj);
	if (err != 0) {
		printf("{\"loaded\":false,\"error\":%d,\"log\":", err);
		print_json_str(loglen > 4000 ? logbuf + loglen - 4000 : logbuf);
		printf("}\n");
		return 0;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, argv[2]);
	if (prog == NULL) { printf("{\"loaded\":true,\"error\":-2,\"log\":\"no program %s\"}\n", argv[2]); return 0; }
	__u64 args[12] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	if (bpf_program__type(prog) != BPF_PROG_TYPE_RAW_TRACEPOINT && bpf_program__type(prog) != BPF_PROG_TYPE_SYSCALL) {
		opts.ctx_in = NULL;
		opts.ctx_size_in = 0;
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	char comm[17] = { 0 };
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	printf("{\"loaded\":true,\"error\":%d,\"retval\":%u,\"pid\":%d,\"tid\":%d,\"ppid\":%d,\"fd1_flags\":%d,\"comm\":",
	       err ? -errno : 0, opts.retval, getpid(), gettid(), getppid(), fcntl(1, F_GETFL));
	print_json_str(comm);
	print_map(obj, ".bss", "bss");
	print_map(obj, ".data", "data");
	printf("}\n");
	bpf_object__close(obj);
	return 0;
}
