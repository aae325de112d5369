// Maps of each kind, BTF-defined (.maps), with every attribute libbpf reads.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key { int a; char b[6]; };
struct value { long x; int y[3]; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 128); __type(key, struct key); __type(value, struct value); __uint(map_flags, BPF_F_NO_PREALLOC); } hash_map SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); __uint(pinning, LIBBPF_PIN_BY_NAME); } pinned_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __uint(key_size, 4); __uint(value_size, 64); } percpu_sized SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 1024); __type(key, __u64); __type(value, struct value); __uint(numa_node, 0); } lru SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(int)); __uint(value_size, sizeof(int)); } perf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 100); __type(value, __u32); __uint(map_extra, 3); } bloom SEC(".maps");

struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, int); __type(value, int); };
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 3); __type(key, int); __array(values, struct inner); } outer_array SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __uint(max_entries, 3); __type(key, int); __array(values, struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, int); __type(value, long); }); } outer_hash SEC(".maps");

int tail(void *ctx);
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, int); __array(values, int (void *)); } jumps SEC(".maps") = { .values = { [0] = (void *)&tail } };

SEC("socket") int tail(void *ctx) { return 1; }

SEC("socket")
int use_maps(void *ctx)
{
	struct key k = {};
	__u32 zero = 0;
	struct value *v = bpf_map_lookup_elem(&hash_map, &k);
	__u64 *p = bpf_map_lookup_elem(&pinned_array, &zero);
	void *inner = bpf_map_lookup_elem(&outer_array, &zero);
	bpf_tail_call(ctx, &jumps, 0);
	return (v ? v->y[1] : 0) + (p ? *p : 0) + (inner != 0) + (bpf_map_lookup_elem(&lru, &zero) != 0) +
	       (bpf_ringbuf_reserve(&events, 8, 0) != 0) + bpf_perf_event_output(ctx, &perf, 0, &k, 1) +
	       bpf_map_peek_elem(&bloom, &zero) + (bpf_map_lookup_elem(&percpu_sized, &zero) != 0) +
	       (bpf_map_lookup_elem(&outer_hash, &zero) != 0);
}

char LICENSE[] SEC("license") = "GPL";
