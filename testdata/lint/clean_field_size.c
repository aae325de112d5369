// CLEAN: reads that ask the kernel for the field's size and signedness. inode.i_state shrinks
// from 8 to 4 bytes in 6.12 and sock.sk_gso_type goes from int to unsigned short:
// BPF_CORE_READ_BITFIELD_PROBED reads FIELD_BYTE_SIZE bytes and shifts by FIELD_LSHIFT_U64 /
// FIELD_RSHIFT_U64 with the sign from FIELD_SIGNED, and a probe read sized with
// bpf_core_field_size() reads what the kernel has.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct inode {
	unsigned long i_state;
} __attribute__((preserve_access_index));

struct sock {
	int sk_gso_type;
} __attribute__((preserve_access_index));

unsigned long last_state;
long last_gso_type;

SEC("kprobe/iput") int sized_state(void *ctx)
{
	struct inode *inode = (void *)ctx;
	unsigned long state = 0;

	bpf_probe_read_kernel(&state, bpf_core_field_size(inode->i_state), &inode->i_state);
	last_state = state;
	return 0;
}

SEC("kprobe/tcp_close") int probed_gso_type(void *ctx)
{
	struct sock *sk = (void *)ctx;

	last_gso_type = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_gso_type);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
