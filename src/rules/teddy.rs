//! The order in which the prefilter hands its literals to Teddy, planned so that few haystack positions need
//! verifying.
//!
//! Teddy (aho-corasick's packed SIMD searcher) spreads the literals over 8 or 16 buckets and keeps, for each of
//! a literal's first bytes (up to 4) and each bucket, the set of low and the set of high nibbles found there. A
//! haystack position is verified against a bucket's literals when every one of its bytes has both nibbles in the
//! bucket's sets. A bucket holding `Error running check` and `ailed to index` at once fires on far more positions
//! than one holding `Error running check` and `Error while fetching`: its sets are wider. Which bucket a literal
//! lands in follows from its place in the list (aho-corasick fills the buckets in turn, bucket `B - 1 - id % B`),
//! so the order of the list decides how much time Teddy spends verifying: on the benchmark corpus the pack's
//! 49 literals were searched at about 1.9 GiB/s in sorted order and 3.4 GiB/s in planned order (one thread).
//!
//! The plan estimates a bucket's share of verified positions from how often each byte occurs in real logs
//! ([`BYTE_FREQ`], printed by `benches/byte_freq.py` from the loghub sample and the fixtures), taking positions
//! as independent; places the literals one by one (the costliest alone first), each in the bucket it makes least
//! costly; then, for two rounds, swaps literals between buckets where that lowers the total. Only speed depends on the order:
//! Teddy finds every literal wherever it is.

/// Parts per million of each byte in real logs (see the module doc).
#[rustfmt::skip]
const BYTE_FREQ: [u32; 256] = [
    1, 1, 1, 1, 1, 1, 1, 1, 1, 274, 6406, 1, 1, 3818, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 10, 1, 1, 1, 1,
    92659, 18, 2135, 860, 460, 88, 11, 474, 3030, 3027, 1091, 13, 5551, 23588, 28078, 7775,
    43904, 39465, 30516, 18212, 18169, 17383, 12746, 12163, 11520, 11209, 21567, 262, 173, 3188, 195, 61,
    563, 2912, 2037, 4923, 2144, 4110, 4348, 822, 891, 5783, 1363, 1667, 2060, 2507, 5849, 4514,
    2422, 420, 5543, 6274, 4444, 1506, 443, 1385, 121, 127, 387, 6177, 567, 6166, 1, 6143,
    6, 39856, 7925, 29811, 22662, 61944, 9096, 9698, 9948, 27634, 713, 13466, 18492, 13154, 31023, 36113,
    12421, 787, 33591, 34614, 41721, 14339, 5693, 3285, 4099, 4851, 734, 164, 2993, 164, 284, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
];

/// Rounds of swaps, at most: measured, a second round gains little and a third nothing.
const MAX_ROUNDS: usize = 2;
/// Verifying a position costs more the more literals its bucket holds (each is compared in turn).
const PER_LITERAL: f64 = 0.3;

/// `lits` reordered for Teddy (see the module doc). The same literals, each once.
pub(crate) fn order(lits: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let n = lits.len();
    let buckets = bucket_count(n);
    let mask_len = lits.iter().map(Vec::len).min().unwrap_or(0).min(4);
    if n <= 1 || mask_len == 0 {
        return lits;
    }
    let plan = Plan::new(&lits, mask_len);
    // Bucket `j` receives the ids `B - 1 - j`, `2B - 1 - j`, ...: its share of the `n` places.
    let capacity: Vec<usize> = (0..buckets).map(|j| n / buckets + usize::from(buckets - 1 - j < n % buckets)).collect();
    let mut solo: Vec<(f64, usize)> = (0..n).map(|i| (plan.cost(&[i]), i)).collect();
    solo.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut bins: Vec<Vec<usize>> = vec![Vec::new(); buckets];
    for (_, i) in solo {
        let best = (0..buckets)
            .filter(|&j| bins[j].len() < capacity[j])
            .map(|j| {
                let mut with = bins[j].clone();
                with.push(i);
                (plan.cost(&with) - plan.cost(&bins[j]), j)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        if let Some((_, j)) = best {
            bins[j].push(i);
        }
    }
    for _ in 0..MAX_ROUNDS {
        if !plan.improve(&mut bins) {
            break;
        }
    }
    let mut slots: Vec<Option<Vec<u8>>> = vec![None; n];
    let mut lits: Vec<Option<Vec<u8>>> = lits.into_iter().map(Some).collect();
    for (j, bin) in bins.iter().enumerate() {
        for (round, &i) in bin.iter().enumerate() {
            slots[round * buckets + (buckets - 1 - j)] = lits[i].take();
        }
    }
    slots.into_iter().flatten().collect()
}

/// The buckets Teddy will use for `n` literals: fat (16) with AVX2 and more than 32 literals, else slim (8).
fn bucket_count(n: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    if n > 32 && std::arch::is_x86_feature_detected!("avx2") {
        return 16;
    }
    let _ = n;
    8
}

/// The literals' leading nibbles and the byte distribution, to cost a bucket.
struct Plan {
    /// Per literal, per position: (low nibble, high nibble).
    nibbles: Vec<[(u8, u8); 4]>,
    mask_len: usize,
    /// Share of each byte, indexed by high nibble then low nibble.
    share: [[f64; 16]; 16],
}

impl Plan {
    fn new(lits: &[Vec<u8>], mask_len: usize) -> Plan {
        let total: f64 = BYTE_FREQ.iter().map(|&c| f64::from(c)).sum();
        let mut share = [[0.0; 16]; 16];
        for (b, &c) in BYTE_FREQ.iter().enumerate() {
            share[b >> 4][b & 15] = f64::from(c) / total;
        }
        let nibbles = lits
            .iter()
            .map(|l| {
                let mut n = [(0, 0); 4];
                for (k, &b) in l.iter().take(mask_len).enumerate() {
                    n[k] = (b & 15, b >> 4);
                }
                n
            })
            .collect();
        Plan { nibbles, mask_len, share }
    }

    /// The estimated share of positions a bucket holding `bin` sends to verification, weighted by its size.
    fn cost(&self, bin: &[usize]) -> f64 {
        if bin.is_empty() {
            return 0.0;
        }
        let mut pass = 1.0;
        for k in 0..self.mask_len {
            let (mut lo, mut hi) = (0u16, 0u16);
            for &i in bin {
                let (l, h) = self.nibbles[i][k];
                lo |= 1 << l;
                hi |= 1 << h;
            }
            let mut p = 0.0;
            for h in bits(hi) {
                p += bits(lo).map(|l| self.share[h][l]).sum::<f64>();
            }
            pass *= p;
        }
        pass * (1.0 + PER_LITERAL * bin.len() as f64)
    }

    /// One round of swaps between buckets; whether any lowered the total.
    fn improve(&self, bins: &mut [Vec<usize>]) -> bool {
        let mut improved = false;
        let mut costs: Vec<f64> = bins.iter().map(|b| self.cost(b)).collect();
        for j in 0..bins.len() {
            for j2 in j + 1..bins.len() {
                for a in 0..bins[j].len() {
                    for b in 0..bins[j2].len() {
                        swap(bins, (j, a), (j2, b));
                        let after = (self.cost(&bins[j]), self.cost(&bins[j2]));
                        if after.0 + after.1 < (costs[j] + costs[j2]) * (1.0 - 1e-9) {
                            (costs[j], costs[j2]) = after;
                            improved = true;
                        } else {
                            swap(bins, (j, a), (j2, b));
                        }
                    }
                }
            }
        }
        improved
    }
}

/// The indices of the bits set in `mask`, lowest first.
fn bits(mut mask: u16) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let b = mask.trailing_zeros() as usize;
        (mask != 0).then(|| {
            mask &= mask - 1;
            b
        })
    })
}

fn swap(bins: &mut [Vec<usize>], (j, a): (usize, usize), (j2, b): (usize, usize)) {
    let t = bins[j][a];
    bins[j][a] = bins[j2][b];
    bins[j2][b] = t;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn keeps_every_literal_once() {
        let input: Vec<Vec<u8>> = (0..50).map(|i| format!("literal number {i:02} ").into_bytes()).collect();
        let mut out = order(input.clone());
        assert_eq!(out.len(), input.len());
        out.sort();
        assert_eq!(out, input);
        assert_eq!(order(lits(&["one"])), lits(&["one"]));
        assert!(order(Vec::new()).is_empty());
    }

    #[test]
    fn literals_with_alike_starts_share_buckets() {
        // Eight `Error ...` literals and eight `xception`-like ones into 8 buckets: each bucket should hold one
        // start shape, not a mix (a mix widens the nibble sets of both).
        let mut input = Vec::new();
        for i in 0..8 {
            input.push(format!("Error {i} happened").into_bytes());
            input.push(format!("zq{i}xception").into_bytes());
        }
        let out = order(input);
        let buckets = bucket_count(out.len());
        for j in 0..buckets {
            let starts: std::collections::BTreeSet<u8> =
                out.iter().enumerate().filter(|(id, _)| id % buckets == j).map(|(_, l)| l[0]).collect();
            assert_eq!(starts.len(), 1, "bucket {j} mixes starts {starts:?}");
        }
    }

    #[test]
    fn planned_cost_is_no_worse_than_sorted() {
        let pack = crate::rules::Pack::embedded().unwrap();
        let mut all: Vec<Vec<u8>> =
            (0..pack.rules().len()).flat_map(|i| pack.prefilter.as_ref().unwrap().literals(i).to_vec()).collect();
        all.sort();
        all.dedup();
        let total = |lits: &[Vec<u8>]| {
            let b = bucket_count(lits.len());
            let mask_len = lits.iter().map(Vec::len).min().unwrap().min(4);
            let plan = Plan::new(lits, mask_len);
            (0..b).map(|j| plan.cost(&(0..lits.len()).filter(|i| i % b == b - 1 - j).collect::<Vec<_>>())).sum::<f64>()
        };
        let planned = order(all.clone());
        assert!(total(&planned) <= total(&all), "{} > {}", total(&planned), total(&all));
    }
}
