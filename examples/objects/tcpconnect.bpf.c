// Count IPv4 TCP connects per destination: reads the socket's common part (nested anonymous
// unions in the kernel, a flat struct here: CO-RE matches members by name through them).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* x86-64 registers, CO-RE relocated too */
struct pt_regs { unsigned long di; } __attribute__((preserve_access_index));

struct sock_common {
	unsigned int skc_daddr;
	unsigned short skc_dport;
	unsigned short skc_family;
} __attribute__((preserve_access_index));
struct sock { struct sock_common __sk_common; } __attribute__((preserve_access_index));

struct key { unsigned int daddr; unsigned short dport; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4096); __type(key, struct key); __type(value, unsigned long); } connects SEC(".maps");

SEC("kprobe/tcp_v4_connect")
int count_connect(struct pt_regs *ctx)
{
	struct sock *sk = (void *)BPF_CORE_READ(ctx, di);
	struct key k = {};
	unsigned long one = 1, *n;

	if (BPF_CORE_READ(sk, __sk_common.skc_family) != 2 /* AF_INET */)
		return 0;
	k.daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	k.dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	n = bpf_map_lookup_elem(&connects, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&connects, &k, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
