/* Conditional jumps (JMP and, from v3, JMP32) against registers and immediates, signed and
 * unsigned, forward and backward, and a bounded loop. */
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned int u32;
typedef int s32;

__attribute__((noinline)) static int cmp64(u64 a, u64 b, s64 c, s64 d)
{
	int r = 0;
	if (a == b) r += 1;
	if (a != 5) r += 2;
	if (a > b) r += 3;
	if (a >= 100) r += 4;
	if (a < b) r += 5;
	if (a <= 200) r += 6;
	if (c > d) r += 7;
	if (c >= -3) r += 8;
	if (c < d) r += 9;
	if (c <= -300) r += 10;
	if (a & 0x40) r += 11;
	if (a & b) r += 12;
	return r;
}

__attribute__((noinline)) static int cmp32(u32 a, u32 b, s32 c, s32 d)
{
	int r = 0;
	if (a == b) r += 1;
	if (a != 5) r += 2;
	if (a > b) r += 3;
	if (a >= 100) r += 4;
	if (a < b) r += 5;
	if (a <= 200) r += 6;
	if (c > d) r += 7;
	if (c >= -3) r += 8;
	if (c < d) r += 9;
	if (c <= -300) r += 10;
	if (a & 0x40) r += 11;
	return r;
}

__attribute__((section("xdp"), used))
int jumps(u64 *p)
{
	int r = cmp64(p[0], p[1], (s64)p[2], (s64)p[3]);
	r += cmp32((u32)p[4], (u32)p[5], (s32)p[6], (s32)p[7]);
	for (int i = 0; i < 16 && p[8 + i] != 0; i++)
		r += (int)p[8 + i] * i;
	return r;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
