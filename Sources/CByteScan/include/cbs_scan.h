// Byte classification sixteen bytes at a time, for the JSON scanner's inner loops: Swift has no
// portable way to turn a vector comparison into a bit mask (SSE2's pmovmskb, NEON's narrowing
// shift), C has both. Static inline: the compiler inlines them into the Swift caller.
#ifndef CALLSCOPE_CBS_SCAN_H
#define CALLSCOPE_CBS_SCAN_H
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

/// Bit i is set where byte i of the 64 bytes at `p` needs a look inside a JSON string: a quote,
/// a backslash, a control byte (below 0x20), DEL, or a byte of a multi-byte character (0x80 and
/// above). All 64 bytes must be readable.
static inline uint64_t cbs_string_specials64(const uint8_t *p) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i del = _mm_set1_epi8(0x7F), lastControl = _mm_set1_epi8(0x1F);
    uint64_t mask = 0;
    for (int i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                    _mm_or_si128(_mm_cmpeq_epi8(v, del), _mm_cmpeq_epi8(_mm_min_epu8(v, lastControl), v)));
        // A byte's high bit: set in `hits` where it matched, in `v` where it is 0x80 or above.
        mask |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_or_si128(hits, v)) << (16 * i);
    }
    return mask;
#elif defined(__ARM_NEON)
    uint64_t mask = 0;
    for (int i = 0; i < 4; i++) {
        uint8x16_t v = vld1q_u8(p + 16 * i);
        uint8x16_t hits = vorrq_u8(vorrq_u8(vceqq_u8(v, vdupq_n_u8('"')), vceqq_u8(v, vdupq_n_u8('\\'))),
                                   vorrq_u8(vcgeq_u8(v, vdupq_n_u8(0x7F)), vcltq_u8(v, vdupq_n_u8(0x20))));
        // Four bits per byte (shift-right-and-narrow), then one bit of each four.
        uint64_t nibbles = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(hits), 4)), 0);
        nibbles &= 0x1111111111111111ULL;
        uint64_t bits = 0;
        for (int b = 0; b < 16; b++) bits |= ((nibbles >> (4 * b)) & 1) << b;
        mask |= bits << (16 * i);
    }
    return mask;
#else
    uint64_t mask = 0;
    for (int i = 0; i < 64; i++) {
        uint8_t b = p[i];
        if (b == '"' || b == '\\' || b < 0x20 || b >= 0x7F) mask |= (uint64_t)1 << i;
    }
    return mask;
#endif
}

#endif
