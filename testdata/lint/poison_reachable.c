// PLANTED LINT_POISON_REACHABLE: a field no kernel has, read without a bpf_core_field_exists()
// guard. libbpf poisons the instruction that loads the offset; the verifier rejects the program
// because the poisoned call is reachable. Three ways to reach it: in the program, in a .text
// subprogram it calls, and in a bpf_loop() callback.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___x {
	int no_such_field;
} __attribute__((preserve_access_index));

int last;

SEC("kprobe/do_exit") int unguarded(void *ctx)
{
	struct task_struct___x *t = (void *)bpf_get_current_task();

	last = BPF_CORE_READ(t, no_such_field);
	return 0;
}

static __attribute__((noinline)) int read_missing(struct task_struct___x *t)
{
	return BPF_CORE_READ(t, no_such_field);
}

SEC("kprobe/do_exit") int through_subprog(void *ctx)
{
	last = read_missing((void *)bpf_get_current_task());
	return 0;
}

static long loop_body(__u32 i, void *data)
{
	struct task_struct___x *t = (void *)bpf_get_current_task();

	last += BPF_CORE_READ(t, no_such_field);
	return 0;
}

SEC("kprobe/do_exit") int in_callback(void *ctx)
{
	bpf_loop(4, loop_body, 0, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
