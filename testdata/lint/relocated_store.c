// PLANTED LINT_RELOCATED_STORE: a record meant for user space, declared with
// preserve_access_index (and named like a kernel struct, as happens when it is copied out of
// vmlinux.h). The stores into the map value and into the stack buffer sent to the ring buffer
// are relocated to the kernel's task_struct layout; user space reads them with the layout the
// program was compiled with.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct___rec {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct task_struct___rec);
} last SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("kprobe/do_exit") int record(void *ctx)
{
	int zero = 0;
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct___rec *v = bpf_map_lookup_elem(&last, &zero);
	struct task_struct___rec e;

	if (v)
		v->pid = (int)id;
	e.pid = (int)id;
	e.tgid = (int)(id >> 32);
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
