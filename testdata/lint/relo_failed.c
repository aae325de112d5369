// PLANTED LINT_RELO_FAILED: every kernel has two `struct elf_thread_core_info` (binfmt_elf and
// its compat copy) with `notes` at different offsets. libbpf refuses the ambiguity even for
// bpf_core_field_exists(), whose value (1) would not depend on the offset: the object does not
// load anywhere.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct memelfnote {
	const char *name;
} __attribute__((preserve_access_index));

struct elf_thread_core_info {
	struct memelfnote notes[0];
} __attribute__((preserve_access_index));

int has_notes;

SEC("kprobe/do_exit") int notes_exist(void *ctx)
{
	struct elf_thread_core_info *info = (void *)ctx;

	has_notes = bpf_core_field_exists(info->notes);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
