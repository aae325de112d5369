// Portable reads across kernel versions: task state was `long state` before Linux 5.14 and is
// `unsigned int __state` since; pick the branch with bpf_core_field_exists. Also a bitfield
// read, a type-existence check and an enum value that moved between versions.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct { int pid; unsigned int in_execve: 1; } __attribute__((preserve_access_index));
struct task_struct___v5_14 { unsigned int __state; } __attribute__((preserve_access_index));
struct task_struct___old { long state; } __attribute__((preserve_access_index));
struct bpf_iter_num { unsigned long __opaque[1]; } __attribute__((preserve_access_index));
/* a flavor of the uapi enum, so its names do not clash with <linux/bpf.h> */
enum bpf_func_id___local { BPF_FUNC_ringbuf_output___local = 130, BPF_FUNC_user_ringbuf_drain___local = 209 };

struct report { long state; unsigned int in_execve; int has_iter_num; int has_drain; long drain_id; };
struct report last;

SEC("tp/sched/sched_switch")
int sample(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	if (bpf_core_field_exists(((struct task_struct___v5_14 *)t)->__state))
		last.state = BPF_CORE_READ((struct task_struct___v5_14 *)t, __state);
	else
		last.state = BPF_CORE_READ((struct task_struct___old *)t, state);
	last.in_execve = BPF_CORE_READ_BITFIELD_PROBED(t, in_execve);
	last.has_iter_num = bpf_core_type_exists(struct bpf_iter_num);
	last.has_drain = bpf_core_enum_value_exists(enum bpf_func_id___local, BPF_FUNC_user_ringbuf_drain___local);
	if (last.has_drain)
		last.drain_id = bpf_core_enum_value(enum bpf_func_id___local, BPF_FUNC_user_ringbuf_drain___local);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
