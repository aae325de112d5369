// CLEAN: the documented CO-RE pattern for a field that moved. task_struct.state (long) became
// __state (unsigned int) in 5.14; every kernel here has only __state, so the `state` read is
// poisoned on all of them, but it sits behind bpf_core_field_exists(), which libbpf turns into
// `r1 = 0` there: the verifier never reaches the poisoned instruction.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	unsigned int __state;
} __attribute__((preserve_access_index));

struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

long last_state;

SEC("kprobe/schedule") int task_state(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	if (bpf_core_field_exists(((struct task_struct___old *)t)->state))
		last_state = BPF_CORE_READ((struct task_struct___old *)t, state);
	else
		last_state = BPF_CORE_READ(t, __state);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
