// dot_product: partial dot products of x and y, one per workgroup of 256 elements.
// Each workgroup multiplies its elements pairwise, reduces the products in shared memory with a
// tree of barriers, and writes its sum to partial[group_id.x]; the host (or a second dispatch)
// adds the g partial sums. Buffers: x, y (read, n floats), partial (write, g floats, g >= n/256).
kernel dot_product workgroup(256) dispatch(n) {
  buffer x: read f32[n]
  buffer y: read f32[n]
  buffer partial: write f32[g]
  shared sums: f32[256]

  let i = global_id.x
  let lid = local_id.x
  var product = 0.0
  if i < len(x) {
    product = x[i] * y[i]
  }
  sums[lid] = product
  barrier()
  // Halve the active range each round: 128, 64, ..., 1. The loop bounds are uniform, so every
  // invocation reaches both barriers.
  for round in 0u..8u {
    let stride = 128u >> round
    if lid < stride {
      sums[lid] = sums[lid] + sums[lid + stride]
    }
    barrier()
  }
  if lid == 0u {
    partial[group_id.x] = sums[0u]
  }
}
