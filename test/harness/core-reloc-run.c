// Runs one kernel CO-RE selftest case (tools/testing/selftests/bpf/prog_tests/core_reloc.c) in
// the running kernel, on an object that btfkit has ALREADY relocated: the same steps as the
// selftest's run_core_reloc_tests(), minus the relocation.
//
//   core-reloc-run --probe
//       exit 0 if this process may create BPF maps and programs, else print why and exit 77.
//   core-reloc-run OBJ PROG RAW_TP|- INPUT_HEX|- OUTPUT_LEN
//       OBJ must carry no CO-RE records any more (test/helpers/selftests.ts writes btfkit's
//       patched instructions and empties the .BTF.ext CO-RE block), so libbpf only creates the
//       maps, resolves map references and loads: every CO-RE decision in OBJ is btfkit's.
//       Loads the whole object (bpf_object__load, as the selftest), fills the `data` variable
//       of .bss (in = INPUT, my_pid_tgid = this thread), attaches PROG to raw tracepoint
//       RAW_TP ("-" = NULL, for tp_btf), triggers it with a syscall and prints one JSON line:
//         {"loaded":false,"error":-13,"log":"<verifier/libbpf log tail>"}
//         {"loaded":true,"attached":true,"skip":false,"out":"<hex of OUTPUT_LEN bytes>"}
//
// The process renames itself "test_progs": the selftest programs compare task->comm with it.
// Build: gcc -O2 -o core-reloc-run core-reloc-run.c -lbpf
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* The selftest's struct data (prog_tests/core_reloc.c); the programs' `data` is a prefix. */
struct data {
	char in[256];
	char out[256];
	bool skip;
	uint64_t my_pid_tgid;
};

static char logbuf[1 << 16];
static size_t loglen;

static int collect(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	if (loglen < sizeof(logbuf) - 1) {
		int n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, args);
		if (n > 0) loglen += (size_t)n;
		if (loglen > sizeof(logbuf) - 1) loglen = sizeof(logbuf) - 1;
	}
	return 0;
}

static void print_json_str(const char *s, size_t max)
{
	size_t len = strlen(s);
	if (len > max) s += len - max; /* the tail holds the verifier's verdict */
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') printf("\\%c", c);
		else if (c == '\n') printf("\\n");
		else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
		else putchar(c);
	}
	putchar('"');
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static int probe(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "btfkit_probe", 4, 4, 1, NULL);
	if (fd < 0) {
		printf("bpf(BPF_MAP_CREATE) failed: %s\n", strerror(errno));
		return 77;
	}
	close(fd);
	return 0;
}

/* Offset of variable `name` in DATASEC `sec` of the object's BTF, or -1. */
static long var_offset(const struct btf *btf, const char *sec, const char *name)
{
	int id = btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC);
	if (id < 0) return -1;
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_var_secinfo *v = btf_var_secinfos(t);
	for (int i = 0; i < btf_vlen(t); i++, v++) {
		const struct btf_type *var = btf__type_by_id(btf, v->type);
		if (strcmp(btf__name_by_offset(btf, var->name_off), name) == 0) return v->offset;
	}
	return -1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--probe") == 0) return probe();
	if (argc != 6) {
		fprintf(stderr, "usage: %s OBJ PROG RAW_TP|- INPUT_HEX|- OUTPUT_LEN | --probe\n", argv[0]);
		return 1;
	}
	const char *path = argv[1], *prog_name = argv[2];
	const char *tp_name = strcmp(argv[3], "-") == 0 ? NULL : argv[3];
	const char *input_hex = strcmp(argv[4], "-") == 0 ? "" : argv[4];
	int output_len = atoi(argv[5]);
	struct data data;
	size_t input_len = strlen(input_hex) / 2;

	if (input_len > sizeof(data.in) || output_len < 0 || output_len > (int)sizeof(data.out)) {
		fprintf(stderr, "input or output too long\n");
		return 1;
	}
	prctl(PR_SET_NAME, "test_progs", 0, 0, 0);
	libbpf_set_print(collect);

	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (obj == NULL) {
		printf("{\"loaded\":false,\"stage\":\"open\",\"error\":%d,\"log\":", -errno);
		print_json_str(logbuf, 4000);
		printf("}\n");
		return 0;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, prog_name);
	if (prog == NULL) {
		fprintf(stderr, "program '%s' not found\n", prog_name);
		return 1;
	}
	int err = bpf_object__load(obj);
	if (err) {
		printf("{\"loaded\":false,\"stage\":\"load\",\"error\":%d,\"log\":", err);
		print_json_str(logbuf, 4000);
		printf("}\n");
		return 0;
	}
	struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
	long off = var_offset(bpf_object__btf(obj), ".bss", "data");
	if (bss == NULL || off < 0) {
		fprintf(stderr, "no .bss map or no `data` variable in it\n");
		return 1;
	}
	size_t vsz = bpf_map__value_size(bss);
	char *value = calloc(1, vsz);
	int zero = 0;
	if (value == NULL || (size_t)off >= vsz) {
		fprintf(stderr, "bad .bss layout\n");
		return 1;
	}
	memset(&data, 0, sizeof(data));
	for (size_t i = 0; i < input_len; i++) {
		int hi = hexval(input_hex[2 * i]), lo = hexval(input_hex[2 * i + 1]);
		if (hi < 0 || lo < 0) { fprintf(stderr, "bad input hex\n"); return 1; }
		data.in[i] = (char)(hi << 4 | lo);
	}
	data.my_pid_tgid = (uint64_t)getpid() | ((uint64_t)syscall(SYS_gettid) << 32);
	size_t n = vsz - (size_t)off < sizeof(data) ? vsz - (size_t)off : sizeof(data);
	memcpy(value + off, &data, n);
	if (bpf_map_update_elem(bpf_map__fd(bss), &zero, value, 0)) {
		fprintf(stderr, "updating .bss: %s\n", strerror(errno));
		return 1;
	}
	struct bpf_link *link = bpf_program__attach_raw_tracepoint(prog, tp_name);
	if (link == NULL) {
		printf("{\"loaded\":true,\"attached\":false,\"error\":%d,\"log\":", -errno);
		print_json_str(logbuf, 4000);
		printf("}\n");
		return 0;
	}
	usleep(1); /* the trigger: a syscall of this thread */
	bpf_link__destroy(link);
	if (bpf_map_lookup_elem(bpf_map__fd(bss), &zero, value)) {
		fprintf(stderr, "reading .bss: %s\n", strerror(errno));
		return 1;
	}
	memcpy(&data, value + off, n);
	printf("{\"loaded\":true,\"attached\":true,\"skip\":%s,\"out\":\"",
	       n > offsetof(struct data, skip) && data.skip ? "true" : "false");
	for (int i = 0; i < output_len; i++) printf("%02x", (unsigned char)data.out[i]);
	printf("\"}\n");
	bpf_object__close(obj);
	free(value);
	return 0;
}
