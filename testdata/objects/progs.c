// Programs in many section kinds, '?' (no autoload), subprograms and calls between them.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int add3(int x) { return x + 3; }
__attribute__((noinline)) int global_twice(int x) { return add3(x) * 2; }

SEC("kprobe/do_unlinkat") int kp(void *ctx) { return global_twice(1); }
SEC("kretprobe/do_unlinkat") int krp(void *ctx) { return add3(2); }
SEC("tracepoint/syscalls/sys_enter_openat") int tp(void *ctx) { return 0; }
SEC("tp/sched/sched_switch") int tp_short(void *ctx) { return 0; }
SEC("raw_tracepoint/sys_enter") int rawtp(void *ctx) { return 0; }
SEC("raw_tp.w/sys_exit") int rawtp_w(void *ctx) { return 0; }
SEC("xdp") int xdp_pass(struct xdp_md *ctx) { return XDP_PASS; }
SEC("xdp.frags") int xdp_frags(struct xdp_md *ctx) { return XDP_PASS; }
SEC("tc") int cls(struct __sk_buff *skb) { return add3(skb->len); }
SEC("tcx/ingress") int tcx_in(struct __sk_buff *skb) { return 0; }
SEC("cgroup_skb/egress") int cg_egress(struct __sk_buff *skb) { return 1; }
SEC("cgroup/connect4") int cg_connect4(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/sysctl") int cg_sysctl(struct bpf_sysctl *ctx) { return 1; }
SEC("sockops") int sock_ops_prog(struct bpf_sock_ops *ctx) { return 1; }
SEC("sk_msg") int skmsg(struct sk_msg_md *ctx) { return SK_PASS; }
SEC("perf_event") int perf_prog(void *ctx) { return 0; }
SEC("uprobe.s//bin/true:main") int up_sleepable(void *ctx) { return 0; }
SEC("syscall") int sys(void *ctx) { return 0; }
SEC("?kprobe/vfs_read") int kp_no_autoload(void *ctx) { return 0; }
SEC("socket") int sock1(struct __sk_buff *skb) { return 0; }
SEC("socket") int sock2(struct __sk_buff *skb) { return global_twice(skb->len); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
