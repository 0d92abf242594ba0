// matmul: c = a * b for row-major matrices, a: m x k, b: k x n, c: m x n (f32).
// Tiled: each 16 x 16 workgroup computes a 16 x 16 block of c, staging 16 x 16 tiles of a and b
// in shared memory. Invocation (x, y) computes c[y][x]; dispatch(n, m) launches one per element
// of c. Buffers: a (read, m*k), b (read, k*n), c (write, m*n). The sizes m, n and k are read in
// the body as u32 values.
kernel matmul workgroup(16, 16) dispatch(n, m) {
  buffer a: read f32[m*k]
  buffer b: read f32[k*n]
  buffer c: write f32[m*n]
  shared tile_a: f32[256]
  shared tile_b: f32[256]

  let col = global_id.x
  let row = global_id.y
  let tx = local_id.x
  let ty = local_id.y
  var acc = 0.0
  let tiles = (k + 15u) / 16u
  for t in 0u..tiles {
    let a_col = t * 16u + tx
    let b_row = t * 16u + ty
    var a_value = 0.0
    if row < m && a_col < k {
      a_value = a[row * k + a_col]
    }
    var b_value = 0.0
    if b_row < k && col < n {
      b_value = b[b_row * n + col]
    }
    tile_a[ty * 16u + tx] = a_value
    tile_b[ty * 16u + tx] = b_value
    barrier()
    for j in 0u..16u {
      acc = acc + tile_a[ty * 16u + j] * tile_b[j * 16u + tx]
    }
    barrier()
  }
  if row < m && col < n {
    c[row * n + col] = acc
  }
}
