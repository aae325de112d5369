// PLANTED LINT_SIZE_CHANGED: a local flavor that declares task_struct.pid as `long` (8 bytes)
// where every kernel has a 4-byte pid_t; the probe read takes pid and the 4 bytes after it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___mine {
	long pid;
} __attribute__((preserve_access_index));

long last_pid;

SEC("kprobe/do_exit") int wide_pid(void *ctx)
{
	struct task_struct___mine *t = (void *)bpf_get_current_task();

	last_pid = BPF_CORE_READ(t, pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
