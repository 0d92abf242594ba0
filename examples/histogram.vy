// histogram: counts the input values per bin, bin = value & 255 (256 bins).
// Each workgroup first counts into a shared histogram with shared-memory atomics, then adds its
// counts into the global bins with one atomic per bin. Buffers: data (read, n u32 values),
// bins (read_write, 256 u32 counters, zeroed by the host). dispatch(n): one invocation per value.
kernel histogram workgroup(256) dispatch(n) {
  buffer data: read u32[n]
  buffer bins: read_write u32[256]
  shared local_bins: u32[256]

  let lid = local_id.x
  local_bins[lid] = 0u
  barrier()
  let i = global_id.x
  if i < len(data) {
    atomic_add(local_bins[data[i] & 255u], 1u)
  }
  barrier()
  let count = local_bins[lid]
  if count != 0u {
    atomic_add(bins[lid], count)
  }
}
