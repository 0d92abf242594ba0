// heat: one explicit step of the 2-D heat equation on a w x h grid, written to be iterated with
// buffers that stay on the device: each step reads `src` and writes every cell of `dst`, and the
// caller swaps the two between steps (ping-pong):
//   vyre run examples/heat.vy --size w=4096 --size h=4096 --param alpha=0.2 \
//       --in src=fill:0 --iterations 1000 --swap src,dst
//   dst[y][x] = src[y][x] + alpha * (left + right + up + down - 4 * src[y][x])
// The boundary is held at 100 (a hot frame); alpha <= 0.25 keeps the scheme stable.
kernel heat workgroup(16, 16) dispatch(w, h) {
  param alpha: f32
  buffer src: read f32[w*h]
  buffer dst: write f32[w*h]

  let x = global_id.x
  let y = global_id.y
  if x < w && y < h {
    let i = y * w + x
    if x == 0u || y == 0u || x + 1u == w || y + 1u == h {
      dst[i] = 100.0
    } else {
      let neighbours = src[i - 1u] + src[i + 1u] + src[i - w] + src[i + w]
      dst[i] = src[i] + alpha * (neighbours - 4.0 * src[i])
    }
  }
}
