// CO-RE flavors: local types named <kernel name>___<suffix> relocate against the kernel type
// of the name before the suffix. A program chooses between two layouts of task_struct with
// bpf_core_field_exists (__state since 5.14, state before), a flavored mm_struct, and a
// flavor check with bpf_core_type_exists/type_matches.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___v5_14 {
	unsigned int __state;
} __attribute__((preserve_access_index));

struct task_struct___v5_13 {
	volatile long state;
} __attribute__((preserve_access_index));

struct mm_struct___v6 {
	struct {
		unsigned long total_vm;
	};
} __attribute__((preserve_access_index));

struct task_struct___mm {
	struct mm_struct___v6 *mm;
} __attribute__((preserve_access_index));

SEC("kprobe/finish_task_switch") int task_state(void *t)
{
	if (bpf_core_field_exists(struct task_struct___v5_14, __state))
		return BPF_CORE_READ((struct task_struct___v5_14 *)t, __state);
	return BPF_CORE_READ((struct task_struct___v5_13 *)t, state);
}

SEC("kprobe/finish_task_switch") int total_vm(struct task_struct___mm *t)
{
	if (!bpf_core_type_exists(struct mm_struct___v6) || !bpf_core_field_exists(t->mm->total_vm))
		return 0;
	return BPF_CORE_READ(t, mm, total_vm) + bpf_core_type_matches(struct task_struct___v5_13);
}

char LICENSE[] SEC("license") = "GPL";
