/* Seeds BLAKE3's CPU feature cache from the features glibc detected at process start.
 *
 * BLAKE3's dispatcher runs CPUID (three times) on the first hash of a process. In a virtual
 * machine every CPUID traps to the hypervisor: 3.5-5 us each on the Firecracker GPU hosts, up to
 * 25 us on the CI VM, so the first digest of a fresh process cost 11-45 us instead of 0.3 us.
 * glibc already ran CPUID at start-up and keeps the answers (<sys/platform/x86.h>, glibc 2.33+);
 * reading them costs nothing. The dispatcher's cache, g_cpu_features, is a file-static unless
 * blake3_dispatch.c is built with BLAKE3_TESTING, which CMake sets on that one file when it finds
 * the layout this code expects (VYRE_BLAKE3_SEED=1); otherwise this file is a no-op and BLAKE3
 * detects on its own.
 *
 * Built as part of the blake3 target (cmake/VyreDependencies.cmake), not of the ir layer. */
#include <stdint.h>

#if defined(VYRE_BLAKE3_SEED) && VYRE_BLAKE3_SEED && defined(__x86_64__) && defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#define VYRE_SEED_ACTIVE 1
#endif
#endif

#ifdef VYRE_SEED_ACTIVE
/* Mirrors the enum in blake3_dispatch.c; CMake checks these values in the source it builds. */
enum cpu_feature {
  SSE2 = 1 << 0,
  SSSE3 = 1 << 1,
  SSE41 = 1 << 2,
  AVX = 1 << 3,
  AVX2 = 1 << 4,
  AVX512F = 1 << 5,
  AVX512VL = 1 << 6,
  UNDEFINED = 1 << 30
};
extern enum cpu_feature g_cpu_features;
enum cpu_feature get_cpu_features(void);

/* CPU_FEATURE_ACTIVE means present and enabled by the OS (XCR0), which is what BLAKE3's own
 * xgetbv checks establish. */
static enum cpu_feature from_glibc(void) {
  int features = SSE2; /* every x86-64 has it; BLAKE3 assumes so too */
  if (CPU_FEATURE_ACTIVE(SSSE3)) features |= SSSE3;
  if (CPU_FEATURE_ACTIVE(SSE4_1)) features |= SSE41;
  if (CPU_FEATURE_ACTIVE(AVX)) features |= AVX;
  if (CPU_FEATURE_ACTIVE(AVX2)) features |= AVX2;
  if (CPU_FEATURE_ACTIVE(AVX512F)) features |= AVX512F;
  if (CPU_FEATURE_ACTIVE(AVX512VL)) features |= AVX512VL;
  return (enum cpu_feature)features;
}
#endif

/* Returns 1 when the cache was seeded, 0 when this build leaves detection to BLAKE3. */
int vyre_blake3_seed_cpu_features(void) {
#ifdef VYRE_SEED_ACTIVE
  g_cpu_features = from_glibc();
  return 1;
#else
  return 0;
#endif
}

/* For the test: BLAKE3's own CPUID detection and the glibc-derived value, as bit sets; -1 when
 * this build does not seed. Re-seeds afterwards. */
int vyre_blake3_detected_features(void) {
#ifdef VYRE_SEED_ACTIVE
  g_cpu_features = UNDEFINED;
  int detected = (int)get_cpu_features();
  g_cpu_features = from_glibc();
  return detected;
#else
  return -1;
#endif
}

int vyre_blake3_glibc_features(void) {
#ifdef VYRE_SEED_ACTIVE
  return (int)from_glibc();
#else
  return -1;
#endif
}
