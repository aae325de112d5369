/**
 * The running kernel's BTF: /sys/kernel/btf/vmlinux and the module BTFs beside it (split on
 * vmlinux). Node only: the core is given these, it never reads them (ARCHITECTURE.md rule 2).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../btf/btf.js';
import type { TargetBtf } from '../core/relocate.js';
import { NotSupportedError } from '../errors.js';
import { readBytes } from './files.js';

/** Where the kernel exposes its BTF. */
export const SYS_KERNEL_BTF = '/sys/kernel/btf';

/** True when the running kernel exposes its BTF. */
export function hasKernelBtf(dir = SYS_KERNEL_BTF): boolean {
  return existsSync(join(dir, 'vmlinux'));
}

/**
 * vmlinux and every module BTF of the running kernel, vmlinux first (modules in name order).
 * Modules are parsed lazily by the caller's use; this reads them all now (small files).
 * @throws {NotSupportedError} when the kernel has no BTF (CONFIG_DEBUG_INFO_BTF, Linux 5.4+).
 */
export function loadKernelBtf(dir = SYS_KERNEL_BTF, withModules = true): TargetBtf[] {
  if (!hasKernelBtf(dir)) throw new NotSupportedError('kernel BTF (/sys/kernel/btf/vmlinux)', '5.4', 'the kernel was built without CONFIG_DEBUG_INFO_BTF');
  const vmlinux = Btf.parse(readBytes(join(dir, 'vmlinux')));
  const out: TargetBtf[] = [{ name: 'vmlinux', btf: vmlinux }];
  if (withModules) {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'vmlinux') continue;
      out.push({ name, btf: Btf.parse(readBytes(join(dir, name)), { base: vmlinux }) });
    }
  }
  return out;
}
