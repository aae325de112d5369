/* Minimal stand-in for the kernel's tools/testing/selftests/bpf/test_progs.h: just what the
 * test-case table of prog_tests/core_reloc.c (and its setup functions) use, so that table can
 * be compiled by test/harness/core-reloc-cases.c without the selftests runner. */
#ifndef BTFKIT_TEST_PROGS_STUB_H
#define BTFKIT_TEST_PROGS_STUB_H
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* newer trees' bpf_testmod.h uses the kernel-style names that test_progs.h brings in */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

#define CHECK(condition, tag, format...) ({				\
	int __ret = !!(condition);					\
	(void)duration;							\
	if (__ret) {							\
		fprintf(stderr, "%s:FAIL:%s ", __func__, tag);		\
		fprintf(stderr, format);				\
	}								\
	__ret;								\
})

#define ASSERT_OK_PTR(ptr, name) ({					\
	const void *___p = (ptr);					\
	int ___ok = ___p != NULL && libbpf_get_error(___p) == 0;	\
	if (!___ok)							\
		fprintf(stderr, "%s:FAIL:%s unexpected error\n", __func__, name); \
	___ok;								\
})

int trigger_module_test_read(int read_sz);

#endif
