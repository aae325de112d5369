// CLEAN: direct loads through BTF pointers (fentry arguments). The load instruction carries
// the CO-RE record, so libbpf rewrites its width when the field's size changes: inode.i_state
// (unsigned long in 6.1, unsigned int in 6.12) is loaded with 8 bytes on 6.1 and 4 on 6.12;
// the pointer inode.i_sb keeps its size. Unsigned integers and pointers only: that is the rule.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct super_block {
	unsigned long s_flags;
} __attribute__((preserve_access_index));

struct inode {
	unsigned long i_state;
	struct super_block *i_sb;
} __attribute__((preserve_access_index));

unsigned long last_state, last_sb_flags;

SEC("fentry/iput") int direct_state(unsigned long long *ctx)
{
	struct inode *inode = (void *)ctx[0];

	last_state = inode->i_state;
	last_sb_flags = inode->i_sb->s_flags;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
