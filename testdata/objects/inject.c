// A program written the way compilers without CO-RE support must: kernel facts are read from
// const volatile globals that user space fills before load (btfkit inject, manifest
// inject.manifest.json). No preserve_access_index, no CO-RE records.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 task_pid_off = 0;
const volatile __u32 task_tgid_off = 0;
const volatile __u16 task_comm_size = 0;
const volatile __u8 has_state_field = 0;
const volatile __u8 has_dunder_state_field = 0;
const volatile __u64 mm_struct_size = 0;
const volatile __s32 pidtype_tgid = 0;
const volatile __u32 missing_field_off = 0xffffffff;

int out[2];

SEC("raw_tp/sys_enter")
int read_task(void *ctx)
{
	char *t = (char *)bpf_get_current_task();
	bpf_probe_read_kernel(&out[0], 4, t + task_pid_off);
	bpf_probe_read_kernel(&out[1], 4, t + task_tgid_off);
	return has_state_field + has_dunder_state_field + task_comm_size + mm_struct_size + pidtype_tgid + missing_field_off;
}

char LICENSE[] SEC("license") = "GPL";
