// Prints the test-case table of the kernel's tools/testing/selftests/bpf/prog_tests/core_reloc.c
// as one JSON object per line, with the exact input and expected output bytes (hex).
//
// Built at test time by test/helpers/selftests.ts, never from a vendored copy:
//   gcc -I<dir of core_reloc_table.c> -I test/harness/core-reloc-stubs -I <selftests/bpf>
//       core-reloc-cases.c -lbpf
// where core_reloc_table.c is core_reloc.c cut right after the closing "};" of test_cases[]
// (macros, struct core_reloc_test_case, setup functions and the table itself). The stub
// test_progs.h supplies the few test_progs helpers the table's setup functions use.
// Run it in the directory holding the built objects: setup functions (TYPE_ID cases) open
// them by their relative names to compute the expected type IDs, as the selftest does.
#include "core_reloc_table.c"

int trigger_module_test_read(int read_sz) { (void)read_sz; return -1; }

static void print_str(const char *key, const char *s)
{
	printf(",\"%s\":", key);
	if (s == NULL) { printf("null"); return; }
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20) printf("\\u%04x", (unsigned char)*s);
		else putchar(*s);
	}
	putchar('"');
}

static void print_hex(const char *key, const char *p, int len)
{
	printf(",\"%s\":", key);
	if (p == NULL || len <= 0) { printf("\"\""); return; }
	putchar('"');
	for (int i = 0; i < len; i++) printf("%02x", (unsigned char)p[i]);
	putchar('"');
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

int main(void)
{
	libbpf_set_print(quiet);
	for (size_t i = 0; i < ARRAY_SIZE(test_cases); i++) {
		struct core_reloc_test_case c = test_cases[i];
		int setup_err = 0;
		if (c.setup) setup_err = c.setup(&c);
		printf("{\"index\":%zu", i);
		print_str("case_name", c.case_name);
		print_str("bpf_obj_file", c.bpf_obj_file);
		print_str("btf_src_file", c.btf_src_file);
		print_str("prog_name", c.prog_name);
		print_str("raw_tp_name", c.raw_tp_name);
		printf(",\"fails\":%s,\"run_btfgen_fails\":%s,\"needs_testmod\":%s,\"relaxed_core_relocs\":%s",
		       c.fails ? "true" : "false", c.run_btfgen_fails ? "true" : "false",
		       c.needs_testmod ? "true" : "false", c.relaxed_core_relocs ? "true" : "false");
		printf(",\"has_setup\":%s,\"setup_error\":%d,\"has_trigger\":%s",
		       c.setup ? "true" : "false", setup_err, c.trigger ? "true" : "false");
		printf(",\"input_len\":%d,\"output_len\":%d", c.input_len, c.output_len);
		print_hex("input", c.input, c.input_len);
		print_hex("output", c.output, c.output_len);
		printf("}\n");
	}
	return 0;
}
