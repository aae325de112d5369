// CO-RE field relocations (FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS) on local
// definitions of kernel structs: plain members, multi-level reads through pointers,
// arrays (an element of a member array, an element of an array of structs, the root pointer
// used as an array: &t[1].pid), a member inside an anonymous struct (mm_struct.arg_start),
// two programs in one section, a subprogram in .text, and a field that no kernel of the
// corpus has (task_struct___old.state, renamed to __state in 5.14).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

typedef int pid_t;

struct hlist_node {
	struct hlist_node *next, **pprev;
} __attribute__((preserve_access_index));

struct mm_struct {
	struct {
		unsigned long start_stack;
		unsigned long arg_start;
	};
} __attribute__((preserve_access_index));

struct task_struct {
	unsigned int flags;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	struct hlist_node pid_links[4];
	char comm[16];
} __attribute__((preserve_access_index));

struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

SEC("kprobe/do_exit") int ids(struct task_struct *t)
{
	return BPF_CORE_READ(t, pid) + BPF_CORE_READ(t, tgid);
}

SEC("kprobe/do_exit") int parent(struct task_struct *t)
{
	// two records: task_struct.real_parent, then task_struct.tgid on the parent
	return BPF_CORE_READ(t, real_parent, tgid);
}

SEC("kprobe/do_execve") int args(struct task_struct *t)
{
	// task_struct.mm, then mm_struct.arg_start through the anonymous struct (0:0:1)
	return BPF_CORE_READ(t, mm, arg_start);
}

SEC("kprobe/do_execve") int arrays(struct task_struct *t)
{
	char c = 0;
	void *pp = 0;
	pid_t p = 0;

	bpf_core_read(&c, 1, &t->comm[3]);                 // 0:6:3
	bpf_core_read(&pp, sizeof(pp), &t->pid_links[2].pprev); // 0:5:2:1
	bpf_core_read(&p, sizeof(p), &t[1].pid);          // 1:1
	return c + p + (pp != 0) + bpf_core_field_size(t->comm) + bpf_core_field_offset(struct task_struct, pid_links[1]);
}

static __attribute__((noinline)) long old_state(struct task_struct *t)
{
	struct task_struct___old *o = (void *)t;

	if (bpf_core_field_exists(o->state))
		return BPF_CORE_READ(o, state);
	return -1;
}

SEC("kprobe/schedule") int state(struct task_struct *t)
{
	return old_state(t) + bpf_core_field_exists(t->flags) + bpf_core_field_size(t->flags);
}

char LICENSE[] SEC("license") = "GPL";
