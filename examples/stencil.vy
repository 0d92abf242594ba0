// stencil: one explicit step of the 2D heat equation with the 5-point Laplacian:
//   dst[y][x] = src[y][x] + alpha * (left + right + up + down - 4 * src[y][x])
// on a w x h row-major grid; boundary cells are copied unchanged.
// Buffers: src (read, w*h f32), dst (write, w*h f32). Param alpha is the diffusion factor.
kernel stencil workgroup(16, 16) dispatch(w, h) {
  param alpha: f32
  buffer src: read f32[h*w]
  buffer dst: write f32[h*w]

  let x = global_id.x
  let y = global_id.y
  if x < w && y < h {
    let i = y * w + x
    if x == 0u || y == 0u || x + 1u == w || y + 1u == h {
      dst[i] = src[i]
    } else {
      let neighbours = src[i - 1u] + src[i + 1u] + src[i - w] + src[i + w]
      dst[i] = src[i] + alpha * (neighbours - 4.0 * src[i])
    }
  }
}
