/* ALU and ALU64 in all forms clang emits: arithmetic, shifts, signed division (v4), moves
 * with sign extension (v4), byte swaps, and loads/stores of every size, with and without
 * sign extension. Compiled by build.sh for bpfel/bpfeb and -mcpu=v1..v4. */
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned int u32;
typedef int s32;
typedef unsigned short u16;
typedef short s16;
typedef unsigned char u8;
typedef signed char s8;

struct ctx { u64 a, b; s64 c, d; u32 e, f; s32 g, h; u16 i; s16 j; u8 k; s8 l; };

__attribute__((section("tc"), used))
int alu(struct ctx *x)
{
	u64 a = x->a, b = x->b | 1;
	s64 c = x->c, d = x->d | 1;
	u32 e = x->e, f = x->f | 1;
	s32 g = x->g, h = x->h | 1;
	u64 r = 0;

	r += a + b; r -= a * b; r ^= a / b; r |= a % b;
	r += e / f + e % f;
#if __BPF_CPU_VERSION__ >= 4
	r += (u64)(c / d) + (u64)(c % d) + (u32)(g / h) + (u32)(g % h);
#endif
	r += (a << 3) + (a >> 7) + (u64)(c >> 9) + (a << (b & 63)) + (a >> (b & 63)) + (u64)(c >> (b & 63));
	r += (e << 3) + (e >> 7) + (u32)(g >> 9) + (e << (f & 31)) + (e >> (f & 31)) + (u32)(g >> (f & 31));
	r += (u64)-c + (u32)-g + (a & 0xff00) + (e & 0x7f) + (a ^ 0x55) + (e | 0x1000);
	r += (u64)(s64)x->l + (u64)(s64)x->j + (u64)(s64)x->g + x->k + x->i + x->e;
	r += (u64)(s64)(s8)a + (u64)(s64)(s16)a + (u64)(s64)(s32)a;
	r += (u32)(s32)(s8)e + (u32)(s32)(s16)e;
	r += __builtin_bswap16((u16)a) + __builtin_bswap32((u32)a) + __builtin_bswap64(a);
	r += 0x123456789abcdefULL * a + (u64)-0x7fffffff + 0xffffffffULL;
	x->a = r; x->e = (u32)r; x->i = (u16)r; x->k = (u8)r;
	x->b = 7; x->f = 0x12345678; x->j = -2; x->l = -1;
	return (int)(r >> 32) ^ (int)r;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
