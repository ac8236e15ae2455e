//! Keeps the prefilter's literal set small enough for Teddy, so that a pack with a few more rules does not fall off
//! a cliff.
//!
//! The buffer search is fast because aho-corasick's Teddy takes its literals in SIMD buckets, and planned
//! buckets (`rules/teddy.rs`) make it faster still; but Teddy takes at most 128 literals, and the plan is made for
//! fewer. A pack whose searched literals (or the rules' and the level literals together, for a scan that mines
//! unexplained errors) outnumber that gets a searcher several times slower: measured on the benchmark corpus, one
//! rule with one new literal added to the embedded pack's 127 cost a mining scan 2.8 times its CPU.
//!
//! Literals are replaced by pieces they share instead, which keeps the prefilter's contract (a line holding a
//! literal holds every piece of it). A piece costs the lines that hold it but none of the literals it replaces:
//! each is a candidate the search stops on for nothing. That is estimated on a sample of log lines (the pack's
//! own examples and counterexamples: real lines of the software the rules read, where a word such as
//! `connection ` is common and a sentence's rare part is not), and the merge that costs the fewest such lines per
//! literal saved goes first; among equals, the longer piece, then the first in byte order. A piece starts with a
//! letter or a digit (Teddy matches on a literal's first bytes: one starting with a space fires on most
//! positions) and is at least [`MIN_PIECE`] bytes. The hits of a piece are told apart by the bytes around them
//! (the prefilter's owners), as for any literal held by several rules' own literals. A set that fits is returned
//! as it is: the embedded pack never pays for it.

use super::prefilter::contains;
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;

/// The most literals a searcher is planned for (Teddy takes 128; its plan, fewer than that).
pub(super) const BUDGET: usize = 127;
/// The shortest piece two literals are merged into: shorter ones (`ing `, `able`) make most lines candidates.
const MIN_PIECE: usize = 5;
/// The longest piece looked at: longer shared runs are rare, and the pieces of a literal grow with the square of
/// its length.
const MAX_PIECE: usize = 48;
/// Sets larger than this are not compacted (their searcher is aho-corasick's DFA): the more merges, the shorter and
/// commoner the pieces. Measured on a 32 MiB file of the benchmark corpus, the pieces pay just past the limit (133
/// literals: 0.13 s of CPU against the DFA's 0.15) and not far beyond it (181: the same CPU, and start-up twice as
/// long).
const MAX_COMPACTED: usize = BUDGET + BUDGET / 8;

/// A piece two or more literals share.
struct Piece {
    bytes: Vec<u8>,
    /// Lines of the sample holding it.
    hits: u64,
    /// The literals of the set given to [`within`] that hold it (indices).
    holders: Vec<u32>,
}

/// `lits` (sorted, none containing another) with pieces shared by several of them in their place, one merge at a
/// time, until the set `fits` or no two share a piece: the result is sorted, none contains another, and every
/// literal of `lits` holds one of it. `sample` is the lines the cost of a piece is estimated on. `fits` is asked of
/// each set on the way (sorted); a set of more than [`BUDGET`] never fits.
pub(super) fn within(lits: Vec<Vec<u8>>, sample: &[&[u8]], fits: impl Fn(&[Vec<u8>]) -> bool) -> Vec<Vec<u8>> {
    if (lits.len() <= BUDGET && fits(&lits)) || lits.len() > MAX_COMPACTED {
        return lits;
    }
    let shared = shared_pieces(&lits);
    // Lines of the sample holding each piece and each literal (one pass over the sample for all of them).
    let all: Vec<&[u8]> = shared.iter().map(|p| p.0.as_slice()).chain(lits.iter().map(Vec::as_slice)).collect();
    let hits = sample_hits(&all, sample);
    let mut pieces: Vec<Piece> =
        shared.into_iter().zip(&hits).map(|((bytes, holders), &hits)| Piece { bytes, hits, holders }).collect();
    // The set as it is merged: the literals given, then the pieces chosen (`None` once merged away), each with its
    // lines of the sample; `rep[i]`, the member that literal `i` of the set given is searched as now. No member
    // holds another: a piece held by a member is held by every holder of the piece chosen, so it is one of them.
    let n = lits.len();
    let mut members: Vec<Option<(Vec<u8>, u64)>> =
        lits.into_iter().zip(hits[pieces.len()..].iter().copied()).map(Some).collect();
    let mut rep: Vec<usize> = (0..n).collect();
    let set = |members: &[Option<(Vec<u8>, u64)>]| -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = members.iter().flatten().map(|(b, _)| b.clone()).collect();
        out.sort();
        out
    };
    let mut alive = n;
    loop {
        if alive <= BUDGET {
            let now = set(&members);
            if fits(&now) {
                return now;
            }
        }
        // The cheapest merge: (extra lines, members saved) compared as fractions, then the longer piece. A piece's
        // holders now are the members its literals are searched as that still hold it.
        let mut best: Option<(u64, u64, usize, Vec<usize>)> = None;
        for (k, p) in pieces.iter().enumerate() {
            let mut holders: Vec<usize> = Vec::new();
            for &i in &p.holders {
                let m = rep[i as usize];
                if !holders.contains(&m) && members[m].as_ref().is_some_and(|(b, _)| contains(b, &p.bytes)) {
                    holders.push(m);
                }
            }
            if holders.len() < 2 {
                continue;
            }
            let covered: u64 = holders.iter().filter_map(|&m| members[m].as_ref()).map(|(_, h)| h).sum();
            let cand = (p.hits.saturating_sub(covered), holders.len() as u64 - 1, k, holders);
            let better = best.as_ref().is_none_or(|b| {
                (u128::from(cand.0) * u128::from(b.1))
                    .cmp(&(u128::from(b.0) * u128::from(cand.1)))
                    .then_with(|| pieces[b.2].bytes.len().cmp(&p.bytes.len()))
                    .then_with(|| p.bytes.cmp(&pieces[b.2].bytes))
                    .is_lt()
            });
            if better {
                best = Some(cand);
            }
        }
        let Some((_, _, k, holders)) = best else { return set(&members) };
        let piece = pieces.swap_remove(k);
        for &m in &holders {
            members[m] = None;
        }
        alive = alive + 1 - holders.len();
        let to = members.len();
        members.push(Some((piece.bytes, piece.hits)));
        for r in rep.iter_mut().filter(|r| holders.contains(r)) {
            *r = to;
        }
    }
}

/// Every piece (at least [`MIN_PIECE`] and at most [`MAX_PIECE`] bytes, starting with a letter or a digit) that two
/// or more of `lits` hold, with the literals that hold it, but those one byte shorter than another such piece that
/// the same literals hold (they would cost at least as many lines and save no more), in byte order.
fn shared_pieces(lits: &[Vec<u8>]) -> Vec<(Vec<u8>, Vec<u32>)> {
    let mut held: HashMap<&[u8], Vec<u32>> = HashMap::new();
    for (i, l) in lits.iter().enumerate() {
        for len in MIN_PIECE..=l.len().min(MAX_PIECE) {
            for w in l.windows(len).filter(|w| w[0].is_ascii_alphanumeric()) {
                let e = held.entry(w).or_default();
                if e.last() != Some(&(i as u32)) {
                    e.push(i as u32);
                }
            }
        }
    }
    held.retain(|_, h| h.len() >= 2);
    // A piece's one-byte-shorter pieces hold it, so their holders are as many or more: as many means the same.
    let mut dominated: std::collections::HashSet<&[u8]> = std::collections::HashSet::new();
    for (p, h) in &held {
        for shorter in [&p[1..], &p[..p.len() - 1]] {
            if held.get(shorter).is_some_and(|g| g.len() == h.len()) {
                dominated.insert(shorter);
            }
        }
    }
    let mut out: Vec<(Vec<u8>, Vec<u32>)> =
        held.into_iter().filter(|(p, _)| !dominated.contains(p)).map(|(p, h)| (p.to_vec(), h)).collect();
    out.sort();
    out
}

/// Per needle of `needles`, how many lines of `sample` hold it.
fn sample_hits(needles: &[&[u8]], sample: &[&[u8]]) -> Vec<u64> {
    let mut hits = vec![0u64; needles.len()];
    let Ok(ac) = AhoCorasick::builder().match_kind(MatchKind::Standard).build(needles) else { return hits };
    let mut seen = vec![usize::MAX; needles.len()];
    for (n, line) in sample.iter().enumerate() {
        for m in ac.find_overlapping_iter(*line) {
            let k = m.pattern().as_usize();
            if seen[k] != n {
                seen[k] = n;
                hits[k] += 1;
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(v: &[&str]) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = v.iter().map(|s| s.as_bytes().to_vec()).collect();
        v.sort();
        v
    }

    fn text(v: &[Vec<u8>]) -> Vec<&str> {
        v.iter().map(|l| std::str::from_utf8(l).unwrap()).collect()
    }

    #[test]
    fn a_set_that_fits_is_kept() {
        let l = lits(&["Connection refused", "Failed to load SSL keystore", "Failed to load PEM SSL keystore"]);
        assert_eq!(within(l.clone(), &[], |s| s.len() <= 3), l);
    }

    #[test]
    fn the_merge_that_costs_the_fewest_lines_goes_first() {
        let l = lits(&[
            "Connection refused",
            "Failed to load SSL keystore",
            "Failed to load PEM SSL keystore",
            "Failed to flush the buffer",
        ]);
        let sample: Vec<&[u8]> = vec![
            b"Failed to start the worker",
            b"Failed to start the worker again",
            b"Failed to load SSL keystore /etc/ssl/ks.jks",
        ];
        // `Failed to load ` and `SSL keystore` cost no line of the sample more: the longer one is kept.
        assert_eq!(
            text(&within(l.clone(), &sample, |s| s.len() <= 3)),
            ["Connection refused", "Failed to flush the buffer", "Failed to load "]
        );
        // Then only `Failed to ` is left, and it costs the two lines that start the worker.
        assert_eq!(text(&within(l, &sample, |s| s.len() <= 2)), ["Connection refused", "Failed to "]);
    }

    #[test]
    fn the_sample_steers_away_from_a_common_piece() {
        let l = lits(&[
            "Lost connection to broker alpha",
            "Lost connection to broker bravo",
            "Refusing session request",
            "Refusing session renewal",
        ]);
        let common: Vec<&[u8]> = vec![b"Lost connection to broker gamma"; 5];
        assert_eq!(
            text(&within(l.clone(), &common, |s| s.len() <= 3)),
            ["Lost connection to broker alpha", "Lost connection to broker bravo", "Refusing session re"]
        );
        // Without a sample, the longer piece goes first.
        assert_eq!(
            text(&within(l, &[], |s| s.len() <= 3)),
            ["Lost connection to broker ", "Refusing session renewal", "Refusing session request"]
        );
    }

    #[test]
    fn pieces_start_with_a_letter_or_digit_and_are_not_too_short() {
        // ` to ` is shared, but starts with a space; `to `, `abc` are shorter than MIN_PIECE: nothing is merged.
        let l = lits(&["go to xabc", "run to yabcx"]);
        assert_eq!(within(l.clone(), &[], |s| s.len() <= 1), l);
        let l = lits(&["x, rescheduling it", "y: rescheduling now"]);
        assert_eq!(text(&within(l, &[], |s| s.len() <= 1)), ["rescheduling "]);
    }

    #[test]
    fn every_literal_holds_a_piece_kept() {
        let words = ["Exception", "refused", "timed out", "unavailable", "rejected", "failed"];
        let mut all = Vec::new();
        for (i, w) in words.iter().enumerate() {
            for j in 0..20 {
                all.push(format!("{}{} number {j} {i}", &"xyzw"[..1 + j % 3], w));
            }
        }
        let l = lits(&all.iter().map(String::as_str).collect::<Vec<_>>());
        let n = l.len();
        let fit = within(l.clone(), &[], |s| s.len() <= 20);
        assert!(fit.len() <= 20 && fit.len() < n, "{}", fit.len());
        for o in &l {
            assert!(fit.iter().any(|f| memchr::memmem::find(o, f).is_some()), "{}", String::from_utf8_lossy(o));
        }
        for f in &fit {
            assert!(f.len() >= MIN_PIECE && f[0].is_ascii_alphanumeric());
            assert!(!fit.iter().any(|o| o != f && memchr::memmem::find(f, o).is_some()));
        }
        assert!(fit.windows(2).all(|w| w[0] < w[1]));
        // The same set in another order gives the same result.
        let mut rev = l;
        rev.reverse();
        rev.sort();
        assert_eq!(within(rev, &[], |s| s.len() <= 20), fit);
    }
}
