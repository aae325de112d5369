// PLANTED LINT_SIZE_CHANGED: inode.i_state is `unsigned long` in 6.1 and `unsigned int` in
// 6.12. BPF_CORE_READ compiles to bpf_probe_read_kernel(dst, 8, base + relocated offset): the
// offset follows the kernel, the 8 stays, so on 6.12 the read takes i_state and the 4 bytes
// after it. Second program: a direct load through a pointer to the field. The CO-RE record is
// on the instruction that computes the address, not on the load, so libbpf cannot adjust the
// load's width (it does for `inode->i_state` itself: see clean_btf_direct.c).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct inode {
	unsigned long i_state;
} __attribute__((preserve_access_index));

unsigned long last_state;

SEC("fentry/iput") int state_on_iput(unsigned long long *ctx)
{
	struct inode *inode = (void *)ctx[0];

	last_state = BPF_CORE_READ(inode, i_state);
	return 0;
}

SEC("fentry/iput") int state_through_pointer(unsigned long long *ctx)
{
	struct inode *inode = (void *)ctx[0];
	unsigned long *state = &inode->i_state;

	asm volatile("" : "+r"(state)); /* keep the address apart from the load */
	last_state = *state;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
