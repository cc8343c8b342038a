//! Random streams: one per (scenario seed, region name, replication).
//!
//! The generator is ChaCha8 (`rand_chacha`), which is portable: the same
//! key and stream give the same numbers on every platform and thread count.
//! The key derives from the scenario seed and the region's *name* (not its
//! position), the 64-bit stream number is the replication index, so
//! replication k of any two scenario points sees the same calls in a region
//! as long as that region's demand settings are equal (common random
//! numbers), and nothing depends on sweep points, shards or threads.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// SplitMix64 step: a well-mixed 64-bit function of its input.
fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 64-bit FNV-1a hash (stable across Rust versions, unlike
/// `DefaultHasher`): region streams, sweep fingerprints and seals, stored
/// scenario ids.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// The call stream of one region in one replication.
pub fn call_stream(seed: u64, region_name: &str, replication: u64) -> ChaCha8Rng {
    let mut state = seed ^ fnv1a(region_name.as_bytes()).rotate_left(17);
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(replication);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_pinned_and_distinct() {
        let a: u64 = call_stream(1, "Region 1", 0).random();
        let b: u64 = call_stream(1, "Region 1", 1).random();
        let c: u64 = call_stream(1, "Region 2", 0).random();
        let d: u64 = call_stream(2, "Region 1", 0).random();
        assert!(a != b && a != c && a != d && b != c);
        // Value stability: a change here changes every published number.
        assert_eq!(a, call_stream(1, "Region 1", 0).random::<u64>());
        assert_eq!(a, 0xdffe_f8d5_5e8c_18ed, "first draw changed: {a:#x}");
    }
}
