// prefix_scan: inclusive prefix sum PER WORKGROUP (Hillis-Steele): output[i] is the sum of
// input[j] for the j from the start of i's block of 256 elements up to and including i. Blocks
// are scanned independently; a full scan adds each block's total (its last output) to the
// following blocks in a second pass. Buffers: input (read, n u32), output (write, n u32).
// Sums wrap modulo 2^32.
kernel prefix_scan workgroup(256) {
  buffer input: read u32[n]
  buffer output: write u32[n]
  shared scan: u32[256]

  let i = global_id.x
  let lid = local_id.x
  scan[lid] = input[i]  // out-of-bounds loads yield 0, so the tail block pads with zeros
  barrier()
  for round in 0u..8u {
    let offset = 1u << round
    var sum = scan[lid]
    if lid >= offset {
      sum = sum + scan[lid - offset]
    }
    barrier()  // everyone has read before anyone writes
    scan[lid] = sum
    barrier()
  }
  if i < len(output) {
    output[i] = scan[lid]
  }
}
