//! Per-minute counts of an aggregate: how a problem's records spread over its span, for the count-per-minute strip
//! of the HTML report, exactly rather than guessed from a first and a last time.
//!
//! Bounded by construction: an aggregate covers one 10-minute time bucket, so it holds at most 10 entries; an
//! episode (buckets of one key joined) holds one per minute it was active. Merging adds counts minute by minute,
//! so it is commutative and associative like every other part of an aggregate, and the result does not depend
//! on threads, chunks or file order. Records without a time are not counted here (they are in `count`).

use crate::time::{Millis, MINUTE_MS};
use serde::{Deserialize, Serialize};

/// Counts per minute, sparse: (minute index since the epoch, records), sorted by minute, no zero counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Minutes(Vec<(i64, u32)>);

impl Minutes {
    /// Counts one record at `t`. Records mostly come in time order, so the last minute is looked at first.
    pub fn add(&mut self, t: Millis) {
        let m = t.div_euclid(MINUTE_MS);
        match self.0.last_mut() {
            Some((last, n)) if *last == m => *n = n.saturating_add(1),
            Some((last, _)) if *last > m => match self.0.binary_search_by_key(&m, |e| e.0) {
                Ok(i) => self.0[i].1 = self.0[i].1.saturating_add(1),
                Err(i) => self.0.insert(i, (m, 1)),
            },
            _ => self.0.push((m, 1)),
        }
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: &Minutes) {
        if other.0.is_empty() {
            return;
        }
        if self.0.last().is_none_or(|l| other.0[0].0 > l.0) {
            self.0.extend_from_slice(&other.0);
            return;
        }
        let (a, b) = (std::mem::take(&mut self.0), &other.0);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    out.push((x.0, x.1.saturating_add(y.1)));
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x.0 < y.0 => {
                    out.push(*x);
                    i += 1;
                }
                (Some(x), None) => {
                    out.push(*x);
                    i += 1;
                }
                (_, Some(y)) => {
                    out.push(*y);
                    j += 1;
                }
                (None, None) => break,
            }
        }
        self.0 = out;
    }

    /// Whether no timed record was counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (start of the minute, records), in time order.
    pub fn iter(&self) -> impl Iterator<Item = (Millis, u32)> + '_ {
        self.0.iter().map(|&(m, n)| (m * MINUTE_MS, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(times: &[Millis]) -> Minutes {
        let mut m = Minutes::default();
        for &t in times {
            m.add(t);
        }
        m
    }

    #[test]
    fn counts_per_minute_in_any_order() {
        let times = [61_000, 0, 59_999, 3 * MINUTE_MS + 5, 60_000, -1];
        let m = of(&times);
        assert_eq!(m.iter().collect::<Vec<_>>(), [(-MINUTE_MS, 1), (0, 2), (MINUTE_MS, 2), (3 * MINUTE_MS, 1)]);
        let mut rev = times;
        rev.reverse();
        assert_eq!(of(&rev), m);
    }

    #[test]
    fn merge_is_the_count_of_the_union() {
        let (a, b, c) = ([0, 70_000, 200_000], [70_000, 130_000], [500_000, 10]);
        let whole = of(&[&a[..], &b, &c].concat());
        let mut ab_c = of(&a);
        ab_c.merge(&of(&b));
        ab_c.merge(&of(&c));
        let mut c_ba = of(&c);
        let mut ba = of(&b);
        ba.merge(&of(&a));
        c_ba.merge(&ba);
        assert_eq!(ab_c, whole);
        assert_eq!(c_ba, whole);
        let mut empty = Minutes::default();
        empty.merge(&whole);
        assert_eq!(empty, whole);
    }
}
