//! Stable hashes: the same value on every platform and Rust version, because they name things that outlive a
//! run (incident ids in reports and checkpoints, file fingerprints, pack fingerprints). FNV-1a, 64 bits. Beside
//! them, [`sampled`]: a hash that reads a few words of a text, for the per-thread memos that a hot path consults.

/// An FNV-1a hasher.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf29ce484222325)
    }
}

impl Fnv {
    /// Adds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }

    /// Adds bytes followed by a separator (0xff, which UTF-8 text never holds), so that `["ab", "c"]` and
    /// `["a", "bc"]` differ.
    pub fn write_part(&mut self, bytes: &[u8]) {
        self.write(bytes);
        self.write(&[0xff]);
    }

    /// The hash.
    pub fn finish(self) -> u64 {
        self.0
    }
}

/// A finaliser (MurmurHash3's `fmix64`) that spreads every input bit over the whole value: FNV-1a alone leaves
/// its high bits weakly mixed for inputs that differ only near their end, which biases anything that compares
/// hash values (such as keeping the smallest).
pub fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A hash of a text's length and four of its 8-byte words (the first, the last, and two between), for memos
/// of texts on a hot path: reading all of a long text would cost about what the memo saves. Texts that differ
/// only elsewhere collide, so a memo keyed by it compares the texts too. Finished by [`mix`], so that every bit
/// of the hash depends on every sampled byte: values of one field often differ in their last byte only
/// (`master-0`, `master-1`), and a memo takes a few of the hash's bits as its slot. Not stable across versions.
pub fn sampled(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let word = |at: usize| {
        let at = at.min(n.saturating_sub(8));
        let mut w = [0u8; 8];
        let part = &bytes[at..n.min(at + 8)];
        w[..part.len()].copy_from_slice(part);
        u64::from_le_bytes(w)
    };
    let mut h = n as u64;
    for at in [0, n / 3, 2 * n / 3, n] {
        h = (h ^ word(at)).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }
    mix(h)
}

/// The hash of some bytes.
pub fn of_bytes(bytes: &[u8]) -> u64 {
    let mut h = Fnv::default();
    h.write(bytes);
    h.finish()
}

/// The hash of a list of strings, each followed by a separator.
pub fn of_parts(parts: &[&str]) -> u64 {
    let mut h = Fnv::default();
    for p in parts {
        h.write_part(p.as_bytes());
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // FNV-1a 64 test vectors.
        assert_eq!(of_bytes(b""), 0xcbf29ce484222325);
        assert_eq!(of_bytes(b"a"), 0xaf63dc4c8601ec8c);
        assert_ne!(of_parts(&["ab", "c"]), of_parts(&["a", "bc"]));
    }

    #[test]
    fn sampled_spreads_every_sampled_byte_over_its_high_bits() {
        // Values of one field that differ in one byte only (the last, the first, one inside) take different
        // slots of a memo that keys by a few high bits.
        for at in [32, 0, 11] {
            let mut slots: Vec<u64> = (b'0'..=b'7')
                .map(|c| {
                    let mut name = b"stackstate-elasticsearch-master-0".to_vec();
                    name[at] = c;
                    (sampled(&name) >> 40) % 64
                })
                .collect();
            slots.sort_unstable();
            slots.dedup();
            assert!(slots.len() >= 6, "byte {at}: {} slots for 8 values", slots.len());
        }
    }
}

/// The hasher of maps whose keys are hashes already (64-bit keys from [`of_bytes`] and the like): the key itself.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}
