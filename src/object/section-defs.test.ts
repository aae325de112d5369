import { describe, expect, it } from 'vitest';
import { MAP_TYPES, PROG_TYPES, ATTACH_TYPES } from './section-defs.js';

describe('ABI enum tables', () => {
  it('have the uapi values (aliases folded)', () => {
    expect(MAP_TYPES.indexOf('ringbuf')).toBe(27);
    expect(MAP_TYPES.indexOf('bloom_filter')).toBe(30);
    expect(MAP_TYPES.indexOf('cgroup_storage')).toBe(19);
    expect(MAP_TYPES.indexOf('percpu_cgroup_storage')).toBe(21);
    expect(MAP_TYPES.indexOf('arena')).toBe(33);
    expect(PROG_TYPES.indexOf('syscall')).toBe(31);
    expect(ATTACH_TYPES.indexOf('xdp')).toBe(37);
    expect(new Set(MAP_TYPES).size).toBe(MAP_TYPES.length);
  });
});
