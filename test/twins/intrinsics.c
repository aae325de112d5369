// C twins of btfkit's emitter (test/emit-twins.test.ts): one program per CO-RE intrinsic, in
// the forms libbpf's headers give them, on local types with preserve_access_index. The test
// builds the same types and programs with btfkit/emit and compares record by record.
// Compiled at test time: clang-19 -g -O2 -target bpfel|bpfeb -mcpu=v3 -I/usr/include/<arch> -c
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define __pai __attribute__((preserve_access_index))

struct inner {
	int a;
	long b;
} __pai;

struct nbits {
	long pad;
	int w;
	unsigned int v : 7;
} __pai;

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
	unsigned int flags : 3;
	int prio : 5;
	unsigned long long big : 40;
	struct inner in;
	short arr[4];
	int gap;
	int late : 4;
	struct nbits nb;
} __pai;

typedef struct task_struct task_t;

union u {
	int i;
	unsigned char bytes[4];
	unsigned short lo : 9;
} __pai;

enum state { S_RUN = 0, S_SLEEP = 1, S_DEAD = 7 };
enum wide { W_SMALL = 1, W_BIG = 0x1234567890ULL };
enum neg { N_NEG = -5, N_POS = 3 };

long out[4];

#define PROG(name) SEC("raw_tp/sys_enter") int name(void *ctx)
#define T struct task_struct *t = ctx
#define U union u *x = ctx

PROG(field_byte_offset) { T; out[0] = __builtin_preserve_field_info(t->tgid, BPF_FIELD_BYTE_OFFSET); return 0; }
PROG(field_byte_offset_nested) { T; out[0] = __builtin_preserve_field_info(t->in.b, BPF_FIELD_BYTE_OFFSET); return 0; }
PROG(field_byte_offset_elem) { T; out[0] = __builtin_preserve_field_info(t->comm[3], BPF_FIELD_BYTE_OFFSET); return 0; }
PROG(field_byte_offset_bitfield) { T; out[0] = __builtin_preserve_field_info(t->big, BPF_FIELD_BYTE_OFFSET); return 0; }
// bitfields where clang's storage unit (the struct's alignment) is not libbpf's (the field type's size)
PROG(field_byte_offset_late) { T; out[0] = __builtin_preserve_field_info(t->late, BPF_FIELD_BYTE_OFFSET); return 0; }
PROG(field_byte_size_late) { T; out[0] = __builtin_preserve_field_info(t->late, BPF_FIELD_BYTE_SIZE); return 0; }
PROG(field_lshift_u64_late) { T; out[0] = __builtin_preserve_field_info(t->late, BPF_FIELD_LSHIFT_U64); return 0; }
PROG(field_rshift_u64_late) { T; out[0] = __builtin_preserve_field_info(t->late, BPF_FIELD_RSHIFT_U64); return 0; }
PROG(field_byte_offset_nested_bitfield) { T; out[0] = __builtin_preserve_field_info(t->nb.v, BPF_FIELD_BYTE_OFFSET); return 0; }
PROG(field_byte_size_nested_bitfield) { T; out[0] = __builtin_preserve_field_info(t->nb.v, BPF_FIELD_BYTE_SIZE); return 0; }
PROG(field_lshift_u64_nested_bitfield) { T; out[0] = __builtin_preserve_field_info(t->nb.v, BPF_FIELD_LSHIFT_U64); return 0; }
PROG(field_byte_size) { T; out[0] = __builtin_preserve_field_info(t->comm, BPF_FIELD_BYTE_SIZE); return 0; }
PROG(field_byte_size_bitfield) { T; out[0] = __builtin_preserve_field_info(t->prio, BPF_FIELD_BYTE_SIZE); return 0; }
PROG(field_byte_size_union) { U; out[0] = __builtin_preserve_field_info(x->bytes, BPF_FIELD_BYTE_SIZE); return 0; }
PROG(field_exists) { T; out[0] = __builtin_preserve_field_info(t->real_parent, BPF_FIELD_EXISTS); return 0; }
PROG(field_signed) { T; out[0] = __builtin_preserve_field_info(t->prio, BPF_FIELD_SIGNED); return 0; }
PROG(field_signed_unsigned) { T; out[0] = __builtin_preserve_field_info(t->flags, BPF_FIELD_SIGNED); return 0; }
PROG(field_lshift_u64) { T; out[0] = __builtin_preserve_field_info(t->prio, BPF_FIELD_LSHIFT_U64); return 0; }
PROG(field_lshift_u64_wide) { T; out[0] = __builtin_preserve_field_info(t->big, BPF_FIELD_LSHIFT_U64); return 0; }
PROG(field_lshift_u64_plain) { T; out[0] = __builtin_preserve_field_info(t->tgid, BPF_FIELD_LSHIFT_U64); return 0; }
PROG(field_lshift_u64_union) { U; out[0] = __builtin_preserve_field_info(x->lo, BPF_FIELD_LSHIFT_U64); return 0; }
PROG(field_rshift_u64) { T; out[0] = __builtin_preserve_field_info(t->flags, BPF_FIELD_RSHIFT_U64); return 0; }
PROG(field_rshift_u64_wide) { T; out[0] = __builtin_preserve_field_info(t->big, BPF_FIELD_RSHIFT_U64); return 0; }
PROG(field_rshift_u64_plain) { T; out[0] = __builtin_preserve_field_info(t->in.a, BPF_FIELD_RSHIFT_U64); return 0; }
PROG(type_id_local) { out[0] = bpf_core_type_id_local(struct task_struct); return 0; }
PROG(type_id_local_typedef) { out[0] = bpf_core_type_id_local(task_t); return 0; }
PROG(type_id_target) { out[0] = bpf_core_type_id_kernel(struct task_struct); return 0; }
PROG(type_exists) { out[0] = bpf_core_type_exists(struct task_struct); return 0; }
PROG(type_exists_union) { out[0] = bpf_core_type_exists(union u); return 0; }
PROG(type_size) { out[0] = bpf_core_type_size(struct task_struct); return 0; }
PROG(type_size_typedef) { out[0] = bpf_core_type_size(task_t); return 0; }
PROG(type_matches) { out[0] = bpf_core_type_matches(struct task_struct); return 0; }
PROG(type_matches_enum) { out[0] = bpf_core_type_matches(enum state); return 0; }
PROG(enum_value_exists) { out[0] = bpf_core_enum_value_exists(enum state, S_DEAD); return 0; }
PROG(enum_value) { out[0] = bpf_core_enum_value(enum state, S_DEAD); return 0; }
PROG(enum_value_wide) { out[0] = bpf_core_enum_value(enum wide, W_BIG); return 0; }
PROG(enum_value_neg) { out[0] = bpf_core_enum_value(enum neg, N_NEG); return 0; }
PROG(core_read) {
	struct task_struct *t = (void *)bpf_get_current_task();
	out[0] = BPF_CORE_READ(t, real_parent, tgid);
	return 0;
}
PROG(core_read_nested) {
	struct task_struct *t = (void *)bpf_get_current_task();
	out[0] = BPF_CORE_READ(t, real_parent, in.b);
	return 0;
}

SEC("tp_btf/sched_switch") int load_field(__u64 *ctx) { struct task_struct *t = (void *)ctx[1]; out[0] = t->pid; return 0; }
SEC("tp_btf/sched_switch") int load_field_nested(__u64 *ctx) { struct task_struct *t = (void *)ctx[1]; out[0] = t->in.b; return 0; }
SEC("tp_btf/sched_switch") int load_field_elem(__u64 *ctx) { struct task_struct *t = (void *)ctx[1]; out[0] = t->arr[2]; return 0; }
SEC("tp_btf/sched_switch") int load_field_ptr(__u64 *ctx) { struct task_struct *t = (void *)ctx[1]; out[0] = (long)t->real_parent; return 0; }

char LICENSE[] SEC("license") = "GPL";
