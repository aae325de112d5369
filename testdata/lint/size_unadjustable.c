// PLANTED LINT_SIZE_UNADJUSTABLE: sock.sk_gso_type is `int` in 6.1 and `unsigned short` in
// 6.12. A direct load of a BTF pointer carries the CO-RE record itself, and libbpf adjusts its
// width only for unsigned integers and pointers: for a signed field it poisons the load
// ("accesses field incorrectly"), and the verifier rejects the program on 6.12.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sock {
	int sk_gso_type;
} __attribute__((preserve_access_index));

int last_gso_type;

SEC("fentry/tcp_close") int gso_type(unsigned long long *ctx)
{
	struct sock *sk = (void *)ctx[0];

	last_gso_type = sk->sk_gso_type;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
