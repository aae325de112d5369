// A mix of every relocation family against real kernel types: field offsets (ALU and
// multi-level reads), existence, bitfields, sizes, types, enums and ENUM64, type ids.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct mm_struct { unsigned long arg_start; } __attribute__((preserve_access_index));
struct task_struct { int pid; int tgid; char comm[16]; struct task_struct *real_parent; struct mm_struct *mm; unsigned int in_execve:1; long nonexistent_field; } __attribute__((preserve_access_index));
struct task_struct___old { long state; } __attribute__((preserve_access_index));
enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_MAX };
enum perf_callchain_context { PERF_CONTEXT_HV = 0xffffffffffffffe0ULL, PERF_CONTEXT_MAX = 1 };
int out[32];
SEC("raw_tp/sys_enter")
int prog(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	out[0] = BPF_CORE_READ(t, pid);
	out[1] = BPF_CORE_READ(t, real_parent, tgid);
	out[2] = BPF_CORE_READ(t, mm, arg_start);
	out[3] = bpf_core_field_exists(t->nonexistent_field);
	out[4] = bpf_core_field_exists(((struct task_struct___old *)t)->state);
	out[5] = BPF_CORE_READ_BITFIELD(t, in_execve);
	out[6] = bpf_core_field_size(t->comm);
	out[7] = bpf_core_type_exists(struct task_struct);
	out[8] = bpf_core_type_size(struct mm_struct);
	out[9] = bpf_core_enum_value(enum pid_type, PIDTYPE_TGID);
	out[10] = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_MAX);
	out[11] = bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_HV) >> 32;
	out[12] = bpf_core_type_id_kernel(struct task_struct);
	out[13] = bpf_core_type_matches(struct mm_struct);
	out[14] = BPF_CORE_READ(t, nonexistent_field);
	out[15] = __builtin_preserve_field_info(t->pid, BPF_FIELD_SIGNED);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
