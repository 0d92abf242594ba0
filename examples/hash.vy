// hash: a 32-bit integer hash of every key, murmur3's fmix32 finaliser applied to key ^ seed.
// The multiplications wrap modulo 2^32 (vyre integer arithmetic always wraps) and the shifts
// are logical (u32). Buffers: keys (read, n u32), hashes (write, n u32). Param seed.
kernel hash workgroup(256) {
  param seed: u32
  buffer keys: read u32[n]
  buffer hashes: write u32[n]

  let i = global_id.x
  if i < len(hashes) {
    var h = keys[i] ^ seed
    h = h ^ h >> 16u
    h = h * 0x85ebca6bu
    h = h ^ h >> 13u
    h = h * 0xc2b2ae35u
    h = h ^ h >> 16u
    hashes[i] = h
  }
}
