# Instructions clang does not emit from plain C, in llvm-mc syntax, with local labels (which
# become symbols, so llvm-objdump annotates jumps with <LBB...>). Assembled by build.sh with
# llvm-mc-19 -triple bpfel / bpfeb.
	.text
	.globl	forms
	.type	forms,@function
forms:
	w1 = (s8)w2
	w1 = (s16)w2
	r1 = (s8)r2
	r1 = (s16)r2
	r1 = (s32)r2
	r1 = addr_space_cast(r2, 0, 1)
	r1 = addr_space_cast(r2, 1, 0)
	r1 = bswap16 r1
	r2 = bswap32 r2
	r3 = bswap64 r3
	r1 = le16 r1
	r1 = le32 r1
	r1 = le64 r1
	r1 = be16 r1
	r1 = be32 r1
	r1 = be64 r1
	r1 s/= r2
	r1 s%= r2
	w1 s/= w2
	w1 s%= w2
	r1 s/= -3
	r1 s%= 7
	w1 s/= 5
	w1 s%= -9
	r1 = -r1
	w1 = -w1
	r0 = *(u8 *)skb[5]
	r0 = *(u16 *)skb[-5]
	r0 = *(u32 *)skb[0x7fffffff]
	r0 = *(u8 *)skb[r3]
	r0 = *(u16 *)skb[r4]
	r0 = *(u32 *)skb[r5]
	r1 = 0x123456789abcdef0 ll
	r2 = -1 ll
	r3 = 0x80000000 ll
	r4 = -0x8000000000000000 ll
	ld_pseudo r1, 1, 3
	ld_pseudo r2, 2, 0xffffffff
	ld_pseudo r3, 4, 7
	r1 = *(s8 *)(r2 - 1)
	r1 = *(s16 *)(r2 + 0x7fff)
	r1 = *(s32 *)(r10 - 0x8000)
	*(u8 *)(r10 - 1) = -1
	*(u16 *)(r10 - 2) = 0x1234
	*(u32 *)(r10 - 4) = -0x80000000
	*(u64 *)(r10 - 8) = 0x7fffffff
	lock *(u64 *)(r1 + 8) += r2
	lock *(u64 *)(r1 + 8) |= r2
	lock *(u64 *)(r1 + 8) &= r2
	lock *(u64 *)(r1 + 8) ^= r2
	r2 = atomic_fetch_add((u64 *)(r1 + 8), r2)
	r2 = atomic_fetch_or((u64 *)(r1 + 8), r2)
	r2 = atomic_fetch_and((u64 *)(r1 + 8), r2)
	r2 = atomic_fetch_xor((u64 *)(r1 - 8), r2)
	r2 = xchg_64(r1 + 16, r2)
	r0 = cmpxchg_64(r1 + 24, r0, r2)
	lock *(u32 *)(r1 + 8) += w2
	lock *(u32 *)(r1 + 8) |= w2
	lock *(u32 *)(r1 + 8) &= w2
	lock *(u32 *)(r1 + 8) ^= w2
	w2 = atomic_fetch_add((u32 *)(r1 + 8), w2)
	w2 = atomic_fetch_or((u32 *)(r1 + 8), w2)
	w2 = atomic_fetch_and((u32 *)(r1 + 8), w2)
	w2 = atomic_fetch_xor((u32 *)(r1 + 8), w2)
	w2 = xchg32_32(r1 + 16, w2)
	w0 = cmpxchg32_32(r1 + 24, w0, w2)
	call 1
	call 0x7fffffff
	call -1
	callx r3
	gotol LBB0_3
LBB0_1:
	may_goto LBB0_2
	if r1 == r2 goto LBB0_1
	if w1 s< -5 goto LBB0_1
	gotol LBB0_1
	goto LBB0_1
LBB0_2:
	if r1 s>= 0x7fffffff goto LBB0_2
	if w1 & w2 goto LBB0_3
	if r1 & 1 goto LBB0_3
LBB0_3:
	r0 = 0
	exit

	.globl	second
	.type	second,@function
	.globl	alias_b
	.globl	alias_a
second:
alias_b:
alias_a:
	if r1 > 5 goto LBB1_2
	r0 = 1
	goto -40
LBB1_2:
	r0 = 2
	goto -5
	exit

	.section	other,"ax",@progbits
	goto +0
	goto -2
	goto +3
	exit
