// mandelbrot: escape-time iteration counts of the Mandelbrot set on a w x h image.
// Pixel (px, py) maps to c = (x0 + px * scale, y0 + py * scale); z iterates z*z + c from 0
// until |z| > 2 or 256 iterations. Buffer: counts (write, h rows of w u32,
// row-major: its shape is (h, w), so `--out counts=m.png` is an image).
// Params: x0, y0 (the image's corner in the complex plane), scale (units per pixel).
kernel mandelbrot workgroup(16, 16) dispatch(w, h) {
  param x0: f32
  param y0: f32
  param scale: f32
  buffer counts: write u32[h*w]

  let px = global_id.x
  let py = global_id.y
  if px < w && py < h {
    let cr = x0 + f32(px) * scale
    let ci = y0 + f32(py) * scale
    var zr = 0.0
    var zi = 0.0
    var iterations = 0u
    // The condition stops the loop; `max 256` is the cap every while loop states.
    while zr * zr + zi * zi <= 4.0 && iterations < 256u max 256 {
      let next_zr = zr * zr - zi * zi + cr
      zi = 2.0 * zr * zi + ci
      zr = next_zr
      iterations = iterations + 1u
    }
    counts[py * w + px] = iterations
  }
}
