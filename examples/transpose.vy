// transpose: dst = transpose(src) for a row-major rows x cols f32 matrix (dst is cols x rows).
// Each 16 x 16 workgroup reads a tile with coalesced loads into shared memory and writes it back
// transposed with coalesced stores; the tile has 17 columns so column reads avoid bank conflicts.
// Buffers: src (read, rows*cols), dst (write, cols*rows: shape (cols, rows)).
// dispatch(cols, rows): one per element.
kernel transpose workgroup(16, 16) dispatch(cols, rows) {
  buffer src: read f32[rows*cols]
  buffer dst: write f32[cols*rows]
  shared tile: f32[272]

  let tx = local_id.x
  let ty = local_id.y
  let x = group_id.x * 16u + tx
  let y = group_id.y * 16u + ty
  if x < cols && y < rows {
    tile[ty * 17u + tx] = src[y * cols + x]
  }
  barrier()
  let out_x = group_id.y * 16u + tx  // a column of dst is a row of src
  let out_y = group_id.x * 16u + ty
  if out_x < rows && out_y < cols {
    dst[out_y * rows + out_x] = tile[tx * 17u + ty]
  }
}
