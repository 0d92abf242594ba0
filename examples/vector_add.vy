// vector_add: c[i] = a[i] + b[i] for every element.
// Buffers: a and b (read, n floats), c (write, n floats).
kernel vector_add workgroup(256) {
  buffer a: read f32[n]
  buffer b: read f32[n]
  buffer c: write f32[n]

  let i = global_id.x
  if i < len(c) {
    c[i] = a[i] + b[i]
  }
}
