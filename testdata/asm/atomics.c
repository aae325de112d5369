/* Atomics: lock add from v1; fetch, or/and/xor, xchg and cmpxchg from v3 (32-bit with alu32). */
typedef unsigned long long u64;
typedef unsigned int u32;

u64 c64;
u32 c32;

__attribute__((section("tc"), used))
int atomics(u64 *p)
{
	u64 r = 0;
	__sync_fetch_and_add(&c64, 1);
	__sync_fetch_and_add(&c32, 2);
	__sync_fetch_and_add(p, p[1]);
#if __BPF_CPU_VERSION__ >= 3
	__sync_fetch_and_or(&c64, 4);
	__sync_fetch_and_and(&c64, 8);
	__sync_fetch_and_xor(&c64, 16);
	__sync_fetch_and_or(&c32, 4);
	__sync_fetch_and_and(&c32, 8);
	__sync_fetch_and_xor(&c32, 16);
	r += __sync_fetch_and_add(&c64, 3);
	r += __sync_fetch_and_or(&c64, 5);
	r += __sync_fetch_and_and(&c64, 6);
	r += __sync_fetch_and_xor(&c64, 7);
	r += __sync_fetch_and_add(&c32, 3);
	r += __sync_fetch_and_or(&c32, 5);
	r += __sync_fetch_and_and(&c32, 6);
	r += __sync_fetch_and_xor(&c32, 7);
	r += __sync_lock_test_and_set(&c64, r);
	r += __sync_lock_test_and_set(&c32, (u32)r);
	r += __sync_val_compare_and_swap(&c64, r, 9);
	r += __sync_val_compare_and_swap(&c32, (u32)r, 10);
	r += __atomic_exchange_n(p + 2, r, __ATOMIC_SEQ_CST);
#endif
	return (int)r;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
