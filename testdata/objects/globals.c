// Global data of every kind: .data, .rodata, .bss, custom .data.*/.rodata.*, and externs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter = 7;
const volatile int config_value = 42;
long zeroed;
int custom_data SEC(".data.custom") = 3;
const volatile char custom_ro[8] SEC(".rodata.custom") = "hello";
static int static_bss;

extern int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern const void bpf_prog_active __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym __weak;

SEC("socket")
int use_globals(void *ctx)
{
	static_bss++;
	zeroed += counter + config_value + custom_data + custom_ro[1] + LINUX_KERNEL_VERSION + CONFIG_BPF_SYSCALL;
	return (long)&bpf_prog_active + static_bss + (bpf_task_acquire != 0);
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x60100;
