// CO-RE bitfield relocations: BPF_CORE_READ_BITFIELD emits FIELD_BYTE_OFFSET,
// FIELD_BYTE_SIZE, FIELD_LSHIFT_U64, FIELD_SIGNED and FIELD_RSHIFT_U64 (twice: both arms of
// the sign test) per field. Unsigned 1-bit kernel bitfields (task_struct.in_execve), signed
// ones (printf_spec.field_width, int:24, and .precision, int:16), and ipv6_pinfo.hop_limit, a
// signed __s16:9 bitfield in 6.1 that became a plain s16 in 6.12. The local layouts
// deliberately differ from the kernels' (clang's local guesses are not validated for
// bitfields). BPF_CORE_READ_BITFIELD_PROBED is not used: on big-endian targets it uses
// BYTE_SIZE once more than on little-endian ones, and the bpfel and bpfeb builds of every
// fixture are meant to have the same records.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	unsigned int flags;
	unsigned int sched_reset_on_fork: 1;
	unsigned int in_execve: 1;
	unsigned int in_iowait: 1;
} __attribute__((preserve_access_index));

struct printf_spec {
	unsigned int type: 8;
	int field_width: 24;
	unsigned int flags: 8;
	unsigned int base: 8;
	int precision: 16;
} __attribute__((preserve_access_index));

struct ipv6_pinfo {
	unsigned int frag_size;
	unsigned short __unused_1: 7;
	short hop_limit: 9;
} __attribute__((preserve_access_index));

SEC("kprobe/do_execve") int execve(struct task_struct *t)
{
	return BPF_CORE_READ_BITFIELD(t, in_execve);
}

SEC("kprobe/vsnprintf") int printf_width(struct printf_spec *s)
{
	long w = BPF_CORE_READ_BITFIELD(s, field_width);
	long p = BPF_CORE_READ_BITFIELD(s, precision);

	return w + p;
}

SEC("kprobe/ip6_datagram_connect") int hop_limit(struct ipv6_pinfo *np)
{
	return BPF_CORE_READ_BITFIELD(np, hop_limit);
}

char LICENSE[] SEC("license") = "GPL";
