/* Calls: helpers, BPF-to-BPF calls, a kfunc; LD_IMM64 references to a map, to global data
 * and to a function; legacy packet loads. */
typedef unsigned long long u64;
typedef unsigned int u32;

struct {
	int (*type)[1];
	int (*max_entries)[16];
	u32 *key;
	u64 *value;
} counts __attribute__((section(".maps"), used));

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
static long (*bpf_loop)(u32 nr, void *callback, void *ctx, u64 flags) = (void *)181;
extern int bpf_kfunc_call_test(int a) __attribute__((section(".ksyms")));

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

u64 data = 5;
const volatile u32 ro = 7;
u64 bss;

__attribute__((noinline)) static int sub(u64 x)
{
	return (int)(x * 3 + data);
}

static int cb(u32 i, void *ctx)
{
	*(u64 *)ctx += i;
	return 0;
}

__attribute__((section("socket"), used))
int calls(void *skb)
{
	u32 key = 0;
	u64 one = 1, *v, sum = 0;
	v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		*v += 1;
	else
		bpf_map_update_elem(&counts, &key, &one, 0);
	sum += sub(ro) + sub(bss);
	bpf_loop(10, cb, &sum, 0);
	sum += bpf_kfunc_call_test(3);
	sum += load_byte(skb, 14) + load_half(skb, 12) + load_word(skb, sum & 0xff);
	return (int)sum;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
