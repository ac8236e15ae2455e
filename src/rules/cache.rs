//! The per-thread side of matching: regex caches, capture slots, remembered capture searches and the candidate
//! list of the line being looked at. The compiled [`Pack`](super::Pack) is shared read-only by every thread; each
//! thread owns one [`MatchCache`] made for that pack and passes it to the pack's matching methods.

use super::Pack;
use regex_automata::meta::Cache;
use regex_automata::util::captures::Captures;
use regex_automata::PatternSet;

/// Per-thread matching state for one pack. Made by [`MatchCache::new`]; reuse it across buffers.
#[derive(Debug)]
pub struct MatchCache {
    /// The pack-wide search regex's cache (only for packs without a usable prefilter).
    pub(super) search: Option<Cache>,
    /// The pack-wide set regex's cache (likewise).
    pub(super) set: Option<Cache>,
    pub(super) patset: PatternSet,
    /// Rules already named for the current line (see [`Pack::candidates`]).
    pub(super) tried: PatternSet,
    /// The candidate rules of the current line (see [`Pack::candidates`]).
    pub(super) cands: Vec<usize>,
    /// Per rule, its recent capture searches (see [`Pack::capture`]).
    pub(super) memos: Memos,
    /// Caches of the rules' regexes, made on first use (a rule's regex may itself be compiled then).
    pub(super) rule_caches: Vec<Option<Cache>>,
    /// Caches of the rules' full regexes, for long lines, made on first use.
    pub(super) long_caches: Vec<Option<Cache>>,
    pub(super) caps: Vec<Captures>,
    /// Caches of the rules' one-pass DFAs, made on first use.
    pub(super) onepass_caches: Vec<Option<regex_automata::dfa::onepass::Cache>>,
}

impl MatchCache {
    /// Fresh state for `pack`.
    pub fn new(pack: &Pack) -> MatchCache {
        let rules = pack.rules();
        MatchCache {
            search: pack.search.as_ref().map(|r| r.create_cache()),
            set: pack.set.as_ref().map(|r| r.create_cache()),
            patset: PatternSet::new(rules.len()),
            tried: PatternSet::new(rules.len()),
            cands: Vec::new(),
            memos: Memos::new(rules.len()),
            rule_caches: rules.iter().map(|_| None).collect(),
            long_caches: rules.iter().map(|_| None).collect(),
            caps: rules.iter().map(|r| Captures::all(r.group_info.clone())).collect(),
            onepass_caches: rules.iter().map(|_| None).collect(),
        }
    }

    /// The candidate rules [`Pack::candidates`] left for the current line, specific rules first.
    pub fn candidates(&self) -> &[usize] {
        &self.cands
    }

    /// Takes the candidate list out (to walk it while the cache is used for other lines); give it back with
    /// [`MatchCache::put_candidates`] so its allocation is reused.
    pub fn take_candidates(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.cands)
    }

    /// Gives back a list taken with [`MatchCache::take_candidates`].
    pub fn put_candidates(&mut self, v: Vec<usize>) {
        self.cands = v;
    }

    /// The captures of rule `r`'s last successful [`Pack::capture`].
    pub fn captures(&self, r: usize) -> &Captures {
        &self.caps[r]
    }
}

/// Remembered capture searches: a few per rule, in slots chosen by a hash of the bytes searched.
#[derive(Debug)]
pub(super) struct Memos {
    slots: Vec<Memo>,
}

/// Searches remembered per rule.
const MEMO_SLOTS: usize = 8;
/// The longest line tail remembered: the memory held stays bounded by rules × slots × this.
pub(super) const MAX_MEMO_TAIL: usize = 1024;

impl Memos {
    fn new(rules: usize) -> Memos {
        Memos { slots: (0..rules * MEMO_SLOTS).map(|_| Memo::default()).collect() }
    }

    /// The slot where a search of `rule` over `tail` is remembered, if it was.
    pub(super) fn slot(&mut self, rule: usize, tail: &[u8]) -> &mut Memo {
        let mut h = tail.len() as u64;
        for w in tail.chunks(8) {
            let mut b = [0u8; 8];
            b[..w.len()].copy_from_slice(w);
            h = (h ^ u64::from_le_bytes(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
        }
        &mut self.slots[rule * MEMO_SLOTS + (h >> 32) as usize % MEMO_SLOTS]
    }
}

/// One remembered capture search: the bytes it depended on and what it found.
#[derive(Debug, Default)]
pub(super) struct Memo {
    pub(super) valid: bool,
    /// Whether the search started at the line's start (a `^` could match).
    pub(super) at_zero: bool,
    /// The line from one byte before the search's start.
    pub(super) tail: Vec<u8>,
    pub(super) matched: bool,
    /// The capture slots, relative to the start of `tail`.
    pub(super) slots: Vec<Option<usize>>,
}
