// PLANTED LINT_HARDCODED_OFFSET: a struct copied without __attribute__((preserve_access_index)),
// laid out for 6.1 amd64 (pid at byte 2416). No CO-RE record, so the offset is the same on
// every kernel: pid on 6.1 amd64, something else on 6.12 and s390x. Once through a probe read
// of bpf_get_current_task(), once as a direct load of the tp_btf argument.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct_copy {
	char before_pid[2416];
	int pid;
};

int last_pid;

SEC("kprobe/do_exit") int current_pid(void *ctx)
{
	struct task_struct_copy *t = (void *)bpf_get_current_task();
	int pid = 0;

	bpf_probe_read_kernel(&pid, sizeof(pid), &t->pid);
	last_pid = pid;
	return 0;
}

SEC("tp_btf/sched_switch") int next_pid(unsigned long long *ctx)
{
	/* sched_switch(bool preempt, struct task_struct *prev, struct task_struct *next, ...) */
	struct task_struct_copy *next = (void *)ctx[2];

	last_pid = next->pid;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
