// libbpf's view of a BPF object right after bpf_object__open (nothing is loaded): programs
// and maps as JSON, the oracle for btfkit's ObjectSpec (test/object-libbpf.test.ts).
// Build: gcc -O2 -o libbpf-objinfo libbpf-objinfo.c -lbpf
#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) { return 0; }

static void print_map(const struct bpf_map *m)
{
	const struct bpf_map *inner = NULL;
	printf("{\"name\":\"%s\",\"type\":%d,\"key_size\":%u,\"value_size\":%u,\"max_entries\":%u,"
	       "\"flags\":%u,\"numa_node\":%u,\"map_extra\":%llu",
	       bpf_map__name(m), bpf_map__type(m), bpf_map__key_size(m), bpf_map__value_size(m),
	       bpf_map__max_entries(m), bpf_map__map_flags(m), bpf_map__numa_node(m),
	       (unsigned long long)bpf_map__map_extra(m));
	inner = bpf_map__inner_map((struct bpf_map *)m);
	if (inner) {
		printf(",\"inner\":");
		print_map(inner);
	}
	printf("}");
}

int main(int argc, char **argv)
{
	if (argc != 2) { fprintf(stderr, "usage: %s OBJ\n", argv[0]); return 2; }
	libbpf_set_print(quiet);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) { fprintf(stderr, "open failed\n"); return 1; }
	struct bpf_program *p;
	struct bpf_map *m;
	int first = 1;
	printf("{\"programs\":[");
	bpf_object__for_each_program(p, obj) {
		printf("%s{\"name\":\"%s\",\"section\":\"%s\",\"type\":%d,\"attach_type\":%d,\"autoload\":%s,\"insns\":%zu}",
		       first ? "" : ",", bpf_program__name(p), bpf_program__section_name(p), bpf_program__type(p),
		       bpf_program__expected_attach_type(p), bpf_program__autoload(p) ? "true" : "false",
		       bpf_program__insn_cnt(p));
		first = 0;
	}
	printf("],\"maps\":[");
	first = 1;
	bpf_object__for_each_map(m, obj) {
		if (!first) printf(",");
		print_map(m);
		first = 0;
	}
	printf("]}\n");
	bpf_object__close(obj);
	return 0;
}
