// PLANTED LINT_SIGNEDNESS_CHANGED: net_device.napi_defer_hard_irqs is `int` in 6.1 and
// `unsigned int` in 6.12. Same size, so nothing is adjusted, and no FIELD_SIGNED relocation
// tells the program: the comparison below is signed on every kernel. Once through a probe read
// (BPF_CORE_READ), once as a direct load of a BTF pointer (fentry), which libbpf patches
// without a word because the size did not change.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct net_device {
	int napi_defer_hard_irqs;
} __attribute__((preserve_access_index));

int negative;

SEC("kprobe/dev_get_stats") int probe_read_sign(void *ctx)
{
	struct net_device *dev = (void *)ctx;

	if (BPF_CORE_READ(dev, napi_defer_hard_irqs) < 0)
		negative++;
	return 0;
}

SEC("fentry/dev_get_stats") int direct_sign(unsigned long long *ctx)
{
	struct net_device *dev = (void *)ctx[0];

	if (dev->napi_defer_hard_irqs < 0)
		negative++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
