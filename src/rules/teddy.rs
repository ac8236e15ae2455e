//! The order in which the prefilter hands its literals to Teddy, planned so that few haystack positions need
//! verifying.
//!
//! Teddy (aho-corasick's packed SIMD searcher) spreads the literals over 8 or 16 buckets and keeps, for each of
//! a literal's first bytes (up to 4) and each bucket, the set of low and the set of high nibbles found there. A
//! haystack position is verified against a bucket's literals when every one of its bytes has both nibbles in the
//! bucket's sets. A bucket holding `Error running check` and `ailed to index` at once fires on far more positions
//! than one holding `Error running check` and `Error while fetching`: its sets are wider. Which bucket a literal
//! lands in follows from its place in the list, so the order of the list decides how much time Teddy spends
//! verifying: on the benchmark corpus the pack's 49 literals were searched at about 1.9 GiB/s in sorted order and
//! 3.4 GiB/s in planned order (one thread).
//!
//! How aho-corasick assigns buckets is not its public API, so it is modelled here exactly for the version
//! `Cargo.toml` pins (`=1.1.5`, `packed/teddy/generic.rs`, `Teddy::new`): literals are taken in id order
//! (leftmost-first); the first literal whose first `mask_len` bytes (at most 4, the shortest literal's length)
//! have a given sequence of LOW nibbles gets bucket `B - 1 - id % B`, and every later literal with the same low
//! nibbles joins that bucket, wherever it stands in the list ([`simulate`]). The plan therefore places such
//! groups whole, and lays the list out so that each group's first literal falls on an id of its planned bucket.
//! A test checks the simulated buckets are the planned ones; the criterion case `prefilter/planned_vs_sorted`
//! shows the gain, so a dependency update that changes the assignment cannot lose it silently.
//!
//! The plan estimates a bucket's share of verified positions from how often each byte occurs in real logs
//! ([`BYTE_FREQ`], printed by `benches/byte_freq.py` from the loghub sample and the fixtures), taking positions
//! as independent; places the literals one by one (the costliest alone first), each in the bucket it makes least
//! costly; then, for two rounds, swaps literals between buckets where that lowers the total. Only speed depends on the order:
//! Teddy finds every literal wherever it is.
//!
//! Bytes in text are not independent (a lowercase letter follows a lowercase letter), and the estimate groups
//! literals that pass together far more often than it thinks. For the embedded pack's two literal sets (the rules'
//! alone, and with the level literals for mining) the buckets are planned ahead instead, by counting passes on
//! every position of real logs (`benches/teddy_plan.py`, into `teddy_plans.rs`): on the benchmark corpus that
//! planned order verifies about half as many positions and a scan costs 11–13% less CPU. A pack whose literals
//! have no plan made ahead (a pack from files, or the embedded one after its rules changed, which a test catches)
//! gets the estimate.

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

/// The most literals aho-corasick builds Teddy for (`packed::api::PATTERN_LIMIT` in 1.1.5): with more, the
/// prefilter uses its DFA and the order does not matter.
const TEDDY_LIMIT: usize = 128;

/// `lits` reordered for Teddy (see the module doc). The same literals, each once. Beyond [`TEDDY_LIMIT`]
/// literals Teddy is not used and the list is returned as it is: planning costs time quadratic in the literals
/// (a pack of 10,000 generated rules took minutes to load).
pub(crate) fn order(lits: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let n = lits.len();
    let buckets = bucket_count(n);
    let mask_len = mask_len(&lits);
    if n <= 1 || mask_len == 0 || n >= TEDDY_LIMIT {
        return lits;
    }
    let groups = nibble_groups(&lits, mask_len);
    // A plan made ahead for this very set of literals (the embedded pack's) is better than the estimate below.
    if let Some(ids) = super::teddy_plans::PLANS.iter().find_map(|bins| planned(&lits, bins, &groups, buckets)) {
        return in_order(lits, ids);
    }
    let plan = Plan::new(&lits, mask_len);
    let shapes: Vec<Shape> = groups.iter().map(|g| plan.shape(g.iter().copied())).collect();
    // Bucket `j` receives the ids `B - 1 - j`, `2B - 1 - j`, ...: at most that many groups can start there.
    let capacity: Vec<usize> = (0..buckets).map(|j| n / buckets + usize::from(buckets - 1 - j < n % buckets)).collect();
    let mut solo: Vec<(f64, usize)> = shapes.iter().enumerate().map(|(g, s)| (plan.cost(s), g)).collect();
    solo.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // Each bin holds groups (by index), and the shape of their literals together.
    let mut bins: Vec<Vec<usize>> = vec![Vec::new(); buckets];
    let mut bin_shapes: Vec<Shape> = vec![Shape::default(); buckets];
    for (_, g) in solo {
        let best = (0..buckets)
            .filter(|&j| bins[j].len() < capacity[j])
            .map(|j| (plan.cost(&bin_shapes[j].with(&shapes[g])) - plan.cost(&bin_shapes[j]), j))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        if let Some((_, j)) = best {
            bins[j].push(g);
            bin_shapes[j] = bin_shapes[j].with(&shapes[g]);
        }
    }
    for _ in 0..MAX_ROUNDS {
        if !plan.improve(&mut bins, &shapes) {
            break;
        }
    }
    let ids = layout(&bins, &groups, buckets, n);
    in_order(lits, ids)
}

/// `lits` in the order of `ids` (a permutation of their indices).
fn in_order(lits: Vec<Vec<u8>>, ids: Vec<usize>) -> Vec<Vec<u8>> {
    let mut lits: Vec<Option<Vec<u8>>> = lits.into_iter().map(Some).collect();
    ids.into_iter().filter_map(|i| lits[i].take()).collect()
}

/// Whether `lits` (sorted) is one of the literal sets planned ahead (the embedded pack's).
pub(crate) fn planned_ahead(lits: &[Vec<u8>]) -> bool {
    super::teddy_plans::PLANS.iter().any(|bins| {
        bins.iter().map(|b| b.len()).sum::<usize>() == lits.len()
            && bins.iter().flat_map(|b| b.iter()).all(|l| lits.binary_search_by(|x| x.as_slice().cmp(l)).is_ok())
    })
}

/// The list order (literal indices) that realises a plan made ahead, `bins` (per bucket, its literals), when the
/// plan holds exactly `lits`, in as many buckets as Teddy will use, and keeps each nibble group in one bucket.
fn planned(lits: &[Vec<u8>], bins: &[&[&[u8]]], groups: &[Vec<usize>], buckets: usize) -> Option<Vec<usize>> {
    if bins.len() != buckets || bins.iter().map(|b| b.len()).sum::<usize>() != lits.len() {
        return None;
    }
    let index: std::collections::HashMap<&[u8], usize> =
        lits.iter().enumerate().map(|(i, l)| (l.as_slice(), i)).collect();
    let mut group_of = vec![0; lits.len()];
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            group_of[i] = g;
        }
    }
    let mut bin_of_group: Vec<Option<usize>> = vec![None; groups.len()];
    let mut gbins: Vec<Vec<usize>> = vec![Vec::new(); buckets];
    for (j, bin) in bins.iter().enumerate() {
        for l in bin.iter() {
            let g = group_of[*index.get(l)?];
            match bin_of_group[g] {
                None => {
                    bin_of_group[g] = Some(j);
                    gbins[j].push(g);
                }
                Some(k) if k == j => {}
                Some(_) => return None,
            }
        }
    }
    Some(layout(&gbins, groups, buckets, lits.len()))
}

/// The length of the prefix Teddy masks: the shortest literal's, at most 4.
fn mask_len(lits: &[Vec<u8>]) -> usize {
    lits.iter().map(Vec::len).min().unwrap_or(0).min(4)
}

/// The literals grouped by the low nibbles of their first `mask_len` bytes (aho-corasick puts each group in one
/// bucket), each group in input order, groups in order of their first literal.
fn nibble_groups(lits: &[Vec<u8>], mask_len: usize) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_key: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
    for (i, l) in lits.iter().enumerate() {
        let key: Vec<u8> = l.iter().take(mask_len).map(|b| b & 15).collect();
        let g = *by_key.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}

/// The list order (literal indices by id) that puts each group's first literal on an id of its bin's bucket: id
/// `p` opens bucket `B - 1 - p % B`; an id whose bucket has no group left to open takes a literal whose group is
/// already open (it follows its group wherever it stands), or, when none is, the next group of the fullest bin
/// (which then lands elsewhere than planned: the simulation is the truth, the plan a target).
fn layout(bins: &[Vec<usize>], groups: &[Vec<usize>], buckets: usize, n: usize) -> Vec<usize> {
    let mut wanted: Vec<std::collections::VecDeque<usize>> = bins
        .iter()
        .map(|b| {
            let mut b = b.clone();
            // Larger groups first: they bring the literals that fill the ids no group may open.
            b.sort_by_key(|&g| (std::cmp::Reverse(groups[g].len()), g));
            b.into_iter().collect()
        })
        .collect();
    let mut spare: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(n);
    for p in 0..n {
        let j = buckets - 1 - p % buckets;
        let g = match wanted[j].pop_front() {
            Some(g) => Some(g),
            None if !spare.is_empty() => None,
            None => (0..buckets)
                .max_by_key(|&k| (wanted[k].len(), std::cmp::Reverse(k)))
                .and_then(|k| wanted[k].pop_front()),
        };
        match g {
            Some(g) => {
                out.push(groups[g][0]);
                spare.extend(groups[g][1..].iter().rev());
            }
            None => out.extend(spare.pop()),
        }
    }
    out
}

/// The bucket aho-corasick 1.1.5 gives each literal of `lits` (in this order), with `buckets` buckets: see the
/// module doc.
#[cfg(test)]
fn simulate(lits: &[Vec<u8>], buckets: usize) -> Vec<usize> {
    let mask_len = mask_len(lits);
    let mut map: std::collections::BTreeMap<Vec<u8>, usize> = std::collections::BTreeMap::new();
    lits.iter()
        .enumerate()
        .map(|(id, l)| {
            let key: Vec<u8> = l.iter().take(mask_len).map(|b| b & 15).collect();
            *map.entry(key).or_insert(buckets - 1 - id % buckets)
        })
        .collect()
}

/// The estimated verification cost of `lits` in this order, as aho-corasick will bucket them.
#[cfg(test)]
fn cost_of(lits: &[Vec<u8>]) -> f64 {
    let buckets = bucket_count(lits.len());
    let mask_len = mask_len(lits);
    if lits.is_empty() || mask_len == 0 {
        return 0.0;
    }
    let plan = Plan::new(lits, mask_len);
    let assigned = simulate(lits, buckets);
    (0..buckets).map(|j| plan.cost(&plan.shape((0..lits.len()).filter(|&i| assigned[i] == j)))).sum()
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

/// What a bucket's cost depends on: per masked position, the sets of low and high nibbles of its literals' bytes
/// there, and how many literals it holds.
#[derive(Debug, Clone, Copy, Default)]
struct Shape {
    /// Per position: (low nibbles, high nibbles), one bit each.
    masks: [(u16, u16); 4],
    len: usize,
}

impl Shape {
    /// The shape of a bucket holding the literals of both.
    fn with(&self, other: &Shape) -> Shape {
        let mut masks = self.masks;
        for (m, o) in masks.iter_mut().zip(&other.masks) {
            m.0 |= o.0;
            m.1 |= o.1;
        }
        Shape { masks, len: self.len + other.len }
    }
}

/// The literals' leading nibbles and the byte distribution, to cost a bucket.
struct Plan {
    /// Per literal, per position: (low nibble, high nibble).
    nibbles: Vec<[(u8, u8); 4]>,
    mask_len: usize,
    /// Share of the bytes of high nibble `h` whose low nibble is in a set, by the set's lower and upper 8 bits:
    /// `share[h][0][lo & 255] + share[h][1][lo >> 8]` (a bucket is costed in a few table reads).
    share: Vec<[[f64; 256]; 2]>,
}

impl Plan {
    fn new(lits: &[Vec<u8>], mask_len: usize) -> Plan {
        let total: f64 = BYTE_FREQ.iter().map(|&c| f64::from(c)).sum();
        let mut share = vec![[[0.0; 256]; 2]; 16];
        for (h, by_half) in share.iter_mut().enumerate() {
            for (half, table) in by_half.iter_mut().enumerate() {
                for (set, sum) in table.iter_mut().enumerate() {
                    *sum = bits(set as u16).map(|l| f64::from(BYTE_FREQ[h << 4 | (l + 8 * half)]) / total).sum();
                }
            }
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

    /// The shape of a bucket holding `lits` (indices).
    fn shape(&self, lits: impl Iterator<Item = usize>) -> Shape {
        let mut s = Shape::default();
        for i in lits {
            for (m, &(l, h)) in s.masks.iter_mut().zip(&self.nibbles[i]).take(self.mask_len) {
                m.0 |= 1 << l;
                m.1 |= 1 << h;
            }
            s.len += 1;
        }
        s
    }

    /// The estimated share of positions a bucket of this shape sends to verification, weighted by its size.
    fn cost(&self, shape: &Shape) -> f64 {
        if shape.len == 0 {
            return 0.0;
        }
        let mut pass = 1.0;
        for &(lo, hi) in &shape.masks[..self.mask_len] {
            let (a, b) = (usize::from(lo as u8), usize::from(lo >> 8));
            pass *= bits(hi).map(|h| self.share[h][0][a] + self.share[h][1][b]).sum::<f64>();
        }
        pass * (1.0 + PER_LITERAL * shape.len as f64)
    }

    /// The shape of a bin of groups.
    fn bin_shape(bin: &[usize], shapes: &[Shape]) -> Shape {
        bin.iter().fold(Shape::default(), |s, &g| s.with(&shapes[g]))
    }

    /// One round of swaps of groups between buckets; whether any lowered the total.
    fn improve(&self, bins: &mut [Vec<usize>], shapes: &[Shape]) -> bool {
        let mut improved = false;
        let mut costs: Vec<f64> = bins.iter().map(|b| self.cost(&Self::bin_shape(b, shapes))).collect();
        for j in 0..bins.len() {
            for j2 in j + 1..bins.len() {
                for a in 0..bins[j].len() {
                    for b in 0..bins[j2].len() {
                        swap(bins, (j, a), (j2, b));
                        let after = (
                            self.cost(&Self::bin_shape(&bins[j], shapes)),
                            self.cost(&Self::bin_shape(&bins[j2], shapes)),
                        );
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
        // Eight `Er<digit>...` literals and eight `zq<digit>...` ones (sixteen nibble groups) into 8 buckets: each
        // bucket should hold one start shape, not a mix (a mix widens the nibble sets of both).
        let mut input = Vec::new();
        for i in 0..8 {
            input.push(format!("Er{i}or happened").into_bytes());
            input.push(format!("zq{i}xception").into_bytes());
        }
        let out = order(input);
        let buckets = bucket_count(out.len());
        let assigned = simulate(&out, buckets);
        for j in 0..buckets {
            let starts: std::collections::BTreeSet<u8> =
                out.iter().zip(&assigned).filter(|(_, &b)| b == j).map(|(l, _)| l[0]).collect();
            assert_eq!(starts.len(), 1, "bucket {j} mixes starts {starts:?}");
        }
    }

    #[test]
    fn literals_with_the_same_low_nibbles_follow_the_first_into_its_bucket() {
        // `abc` and `qrs` share low nibbles (a=0x61/q=0x71, ...): aho-corasick puts `qrs` with `abc`.
        let l = lits(&["abc1", "xyz2", "qrs1", "mno4"]);
        let b = simulate(&l, 8);
        assert_eq!(b[0], 7);
        assert_eq!(b[1], 6);
        assert_eq!(b[2], b[0], "same low nibbles, same bucket");
        assert_eq!(b[3], 4, "a new prefix takes the bucket of its id");
    }

    /// The pack's literals (as the prefilter searches them) and the same sorted.
    fn pack_literals() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let pack = crate::rules::Pack::embedded().unwrap();
        let mut all: Vec<Vec<u8>> =
            (0..pack.rules().len()).flat_map(|i| pack.prefilter.as_ref().unwrap().literals(i).to_vec()).collect();
        all.sort();
        all.dedup();
        (order(all.clone()), all)
    }

    #[test]
    fn the_plan_survives_aho_corasicks_bucketing() {
        let (planned, _) = pack_literals();
        let buckets = bucket_count(planned.len());
        let assigned = simulate(&planned, buckets);
        // Every nibble group lands in one bucket (the model), and each bucket is used.
        let groups = nibble_groups(&planned, mask_len(&planned));
        for g in &groups {
            assert!(g.iter().all(|&i| assigned[i] == assigned[g[0]]), "a group split across buckets");
        }
        let used: std::collections::BTreeSet<usize> = assigned.iter().copied().collect();
        assert_eq!(used.len(), buckets.min(groups.len()), "{assigned:?}");
    }

    /// The embedded pack's two literal sets, sorted: the rules' (what a scan with `--unexplained 0` searches) and
    /// the mining scan's (with the level literals).
    fn pack_sets() -> Vec<(&'static str, Vec<Vec<u8>>)> {
        let pack = crate::rules::Pack::embedded().unwrap();
        let mut rules = pack.prefilter.as_ref().unwrap().searched().to_vec();
        rules.sort();
        let mining = crate::rules::prefilter::mining_literals(&rules, &crate::rules::prefilter::held(&rules));
        vec![("rules", rules), ("mining", mining)]
    }

    /// Each literal set of the embedded pack has its plan made ahead (`teddy_plans.rs`), and the order handed to
    /// Teddy puts every literal in the bucket that plan gives it.
    #[test]
    fn the_embedded_pack_has_its_plans_made_ahead() {
        for (name, lits) in pack_sets() {
            // Past the limit the prefilter searches with a DFA, and a scan with the unexplained section costs about
            // twice what it does with Teddy.
            assert!(
                lits.len() < TEDDY_LIMIT,
                "the pack's {name} literals are {}, Teddy takes fewer than {TEDDY_LIMIT}: share or drop literals",
                lits.len()
            );
            let buckets = bucket_count(lits.len());
            let groups = nibble_groups(&lits, mask_len(&lits));
            let bins = super::super::teddy_plans::PLANS
                .iter()
                .find(|bins| planned(&lits, bins, &groups, buckets).is_some())
                .unwrap_or_else(|| {
                    panic!(
                        "no plan made ahead for the pack's {name} literals (they changed with the rules): run \
                         `python3 benches/teddy_plan.py` and commit src/rules/teddy_plans.rs"
                    )
                });
            let out = order(lits.clone());
            let assigned = simulate(&out, buckets);
            for (j, bin) in bins.iter().enumerate() {
                for l in bin.iter() {
                    let i = out.iter().position(|o| o.as_slice() == *l).unwrap();
                    assert_eq!(assigned[i], j, "{name}: {:?}", String::from_utf8_lossy(l));
                }
            }
        }
    }

    /// Writes the embedded pack's literal sets, their current buckets and the plan made ahead that shares the most
    /// literals with each (JSON, to the path in `STACKSCAN_LITERAL_SETS`), for `benches/teddy_plan.py`: after the
    /// rules changed, the current buckets are the estimate's, and the planner starts from that plan instead.
    #[test]
    #[ignore = "run by benches/teddy_plan.py"]
    fn write_literal_sets() {
        let path = std::env::var("STACKSCAN_LITERAL_SETS").expect("STACKSCAN_LITERAL_SETS names the output file");
        let sets: Vec<serde_json::Value> = pack_sets()
            .into_iter()
            .map(|(name, lits)| {
                let out = order(lits.clone());
                let assigned = simulate(&out, bucket_count(out.len()));
                let mut buckets = vec![Vec::new(); bucket_count(out.len())];
                for (l, j) in out.iter().zip(assigned) {
                    buckets[j].push(l.clone());
                }
                // Literals the plan shares with the set, less those it holds beyond it (the mining plan holds all of
                // the rules' literals).
                let fit = |bins: &&&[&[&[u8]]]| {
                    let (shared, all) = bins.iter().flat_map(|b| b.iter()).fold((0i64, 0i64), |(s, a), l| {
                        (s + i64::from(lits.iter().any(|x| x.as_slice() == *l)), a + 1)
                    });
                    2 * shared - all
                };
                let previous = super::super::teddy_plans::PLANS.iter().max_by_key(fit).map(|bins| bins.to_vec());
                serde_json::json!({"name": name, "literals": lits, "buckets": buckets, "previous": previous})
            })
            .collect();
        std::fs::write(path, serde_json::to_string(&sets).unwrap()).unwrap();
    }

    #[test]
    fn planned_cost_is_no_worse_than_sorted() {
        let (planned, sorted) = pack_literals();
        assert!(cost_of(&planned) <= cost_of(&sorted), "{} > {}", cost_of(&planned), cost_of(&sorted));
        let (mut a, mut b) = (planned.clone(), sorted);
        a.sort();
        b.sort();
        assert_eq!(a, b, "the same literals");
    }
}
