// Report every exec: pid, tgid, parent tgid, uid and command, through a ring buffer.
// Reads task_struct the CO-RE way: each field access is a relocation.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

typedef struct { unsigned int val; } kuid_t;
struct cred { kuid_t uid; } __attribute__((preserve_access_index));
struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct task_struct *real_parent;
	const struct cred *cred;
} __attribute__((preserve_access_index));

struct event { int pid, tgid, ppid; unsigned int uid; char comm[16]; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");

SEC("tp/sched/sched_process_exec")
int handle_exec(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = BPF_CORE_READ(task, pid);
	e->tgid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
