// CO-RE type relocations: TYPE_EXISTS, TYPE_SIZE, TYPE_MATCHES, TYPE_ID_LOCAL and
// TYPE_ID_TARGET on a struct, a union, a typedef (its candidates are typedefs) and an enum,
// on a flavor that matches task_struct and one that does not, and on a struct no kernel has
// (exists -> 0, size -> 0, target id -> 0).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

typedef int pid_t;

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

// matches: task_struct has 'unsigned int flags' and 'int prio'
struct task_struct___flags_prio {
	unsigned int flags;
	int prio;
};

// does not match: task_struct.pid is a pid_t (int), not a long
struct task_struct___long_pid {
	long pid;
};

struct btfkit_no_such_type {
	int x;
};

union bpf_attr___core {
	struct { __u32 map_type; };
	__u64 pad;
};

SEC("kprobe/do_exit") int exists(void *ctx)
{
	return bpf_core_type_exists(struct task_struct) + bpf_core_type_exists(struct btfkit_no_such_type) +
	       bpf_core_type_exists(pid_t) + bpf_core_type_exists(union bpf_attr___core);
}

SEC("kprobe/do_exit") int sizes(void *ctx)
{
	return bpf_core_type_size(struct task_struct) + bpf_core_type_size(struct btfkit_no_such_type) +
	       bpf_core_type_size(pid_t) + bpf_core_type_size(enum bpf_map_type);
}

SEC("kprobe/do_exit") int matches(void *ctx)
{
	return bpf_core_type_matches(struct task_struct___flags_prio) + bpf_core_type_matches(struct task_struct___long_pid) +
	       bpf_core_type_matches(pid_t) + bpf_core_type_matches(struct btfkit_no_such_type);
}

SEC("kprobe/do_exit") int ids(void *ctx)
{
	__u64 a = bpf_core_type_id_local(struct task_struct);
	__u64 b = bpf_core_type_id_kernel(struct task_struct);
	__u64 c = bpf_core_type_id_kernel(struct btfkit_no_such_type);
	__u64 d = bpf_core_type_id_kernel(pid_t);

	return a + b + c + d + bpf_core_type_id_local(pid_t);
}

char LICENSE[] SEC("license") = "GPL";
