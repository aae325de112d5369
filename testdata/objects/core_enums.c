// CO-RE enum relocations: ENUMVAL_EXISTS and ENUMVAL_VALUE on a 32-bit enum from the UAPI
// header (enum bpf_func_id), on a flavor with an enumerator 6.1 lacks and 6.12 has
// (BPF_FUNC_cgrp_storage_get) and one no kernel has, on a signed enum (kind_flag set:
// negative values), on an unsigned enum with a value above INT_MAX (x86 only), and on the
// kernel's ENUM64 perf_callchain_context.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

enum bpf_func_id___new {
	BPF_FUNC_cgrp_storage_get___new = 210,
	BPF_FUNC_btfkit_missing___new = 9999,
};

enum perf_event_state {
	PERF_EVENT_STATE_DEAD = -4,
	PERF_EVENT_STATE_OFF = -1,
	PERF_EVENT_STATE_ACTIVE = 1,
};

enum e820_type {
	E820_TYPE_RAM = 1,
	E820_TYPE_SOFT_RESERVED = 0xefffffff,
};

enum perf_callchain_context {
	PERF_CONTEXT_HV = (__u64)-32,
	PERF_CONTEXT_KERNEL = (__u64)-128,
	PERF_CONTEXT_USER = (__u64)-512,
	PERF_CONTEXT_MAX = (__u64)-4095,
};

SEC("kprobe/do_exit") int func_ids(void *ctx)
{
	return bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop) +
	       bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_trace_printk) +
	       bpf_core_enum_value_exists(enum bpf_func_id___new, BPF_FUNC_cgrp_storage_get___new) +
	       bpf_core_enum_value_exists(enum bpf_func_id___new, BPF_FUNC_btfkit_missing___new) +
	       bpf_core_enum_value(enum bpf_func_id___new, BPF_FUNC_btfkit_missing___new);
}

SEC("kprobe/do_exit") int signs(void *ctx)
{
	return bpf_core_enum_value(enum perf_event_state, PERF_EVENT_STATE_DEAD) +
	       bpf_core_enum_value_exists(enum perf_event_state, PERF_EVENT_STATE_OFF) +
	       bpf_core_enum_value_exists(enum e820_type, E820_TYPE_RAM);
}

SEC("kprobe/perf_callchain_kernel") int enum64(void *ctx)
{
	__u64 a = bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_KERNEL);
	__u64 b = bpf_core_enum_value_exists(enum perf_callchain_context, PERF_CONTEXT_MAX);
	__u64 c = bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_USER);

	return (a ^ c) + b;
}

// Last on purpose: libbpf 1.1 sign-extends the local value of an unsigned ENUM above INT_MAX
// when validating the ldimm64, sees a mismatch and aborts CO-RE for the whole object (on
// kernels that have e820_type; elsewhere it poisons), so records after this one would never be reached.
SEC("kprobe/zz_e820") int e820(void *ctx)
{
	return bpf_core_enum_value(enum e820_type, E820_TYPE_SOFT_RESERVED);
}

char LICENSE[] SEC("license") = "GPL";
