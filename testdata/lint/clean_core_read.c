// CLEAN: BPF_CORE_READ chains over fields whose type is the same on every kernel (pid_t pid,
// tgid; the real_parent pointer), from bpf_get_current_task(). Offsets move between kernels;
// sizes and signedness do not.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

typedef int pid_t;

struct task_struct {
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

int last_pid, last_ppid;

SEC("kprobe/do_exit") int ids(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	last_pid = BPF_CORE_READ(t, pid);
	last_ppid = BPF_CORE_READ(t, real_parent, tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
