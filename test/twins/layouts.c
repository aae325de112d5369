// Struct layouts for test/emit-twins.test.ts: LocalTypes.struct must place every member (and
// size every struct) as clang-19 does for BPF. Each type is used by one global so that it is in
// the object's BTF. Compiled at test time like intrinsics.c.
struct l_plain { char c; long l; short s; int i; };
struct l_straddle { unsigned short a : 9; unsigned short b : 9; };
struct l_zero { char a; int : 0; char b; };
struct l_char_bits { char a : 3; char b : 6; char c; };
struct l_mixed { char c; long long x : 20; int y : 15; };
struct l_tail { int a; char b : 1; };
struct l_bool { _Bool a : 1; _Bool b : 1; unsigned char c : 7; };
struct l_wide_bits { unsigned long long a : 60; unsigned long long b : 10; };
struct l_after { int a : 4; int b; };
struct l_full { unsigned int a : 32; unsigned int b : 1; };
union l_ub { unsigned int a : 3; unsigned long long b : 40; char c; };
struct l_arr { struct l_plain x[2]; char c; };
struct l_anon { int kind; union { int i; long l; }; char tail; };
struct l_unnamed { int a : 3; int : 5; int b : 4; };
struct l_unnamed_wide { char a; long long : 3; char b; };
struct l_zero_wide { char a; long long : 0; char b; };
struct l_zero_tail { char a; int : 0; };
struct l_zero_bits { char a : 2; int : 0; char b : 2; };
struct l_pad_bits { short a; char : 7; char : 2; char b; };
struct l_named_wide { char a; long long b : 3; };

struct l_plain g_plain;
struct l_straddle g_straddle;
struct l_zero g_zero;
struct l_char_bits g_char_bits;
struct l_mixed g_mixed;
struct l_tail g_tail;
struct l_bool g_bool;
struct l_wide_bits g_wide_bits;
struct l_after g_after;
struct l_full g_full;
union l_ub g_ub;
struct l_arr g_arr;
struct l_anon g_anon;
struct l_unnamed g_unnamed;
struct l_unnamed_wide g_unnamed_wide;
struct l_zero_wide g_zero_wide;
struct l_zero_tail g_zero_tail;
struct l_zero_bits g_zero_bits;
struct l_pad_bits g_pad_bits;
struct l_named_wide g_named_wide;
