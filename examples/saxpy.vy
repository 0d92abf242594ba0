// saxpy: y[i] = a * x[i] + y[i] for every element (single-precision "a times x plus y").
// Buffers: x (read, n floats), y (read_write, n floats). Param a scales x. The grid has one
// invocation per element of y, the first writable buffer.
kernel saxpy workgroup(256) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]

  let i = global_id.x
  if i < len(y) {
    y[i] = a * x[i] + y[i]
  }
}
