//! The per-thread side of matching: regex caches, capture slots, remembered capture searches and the candidate
//! list of the line being looked at. The compiled [`Pack`](super::Pack) is shared read-only by every thread; each
//! thread owns one [`MatchCache`] made for that pack and passes it to the pack's matching methods.

use super::prefilter::Found;
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
    /// The line [`Pack::candidates`] was last asked about (its address and length), and for which of its
    /// candidates whether their further required literals are in it: [`Pack::may_match`] asks it of a few,
    /// [`Pack::capture`] again of each (see [`Pack::required_hold_in`]).
    pub(super) held_line: (usize, usize),
    pub(super) held: Vec<(usize, bool)>,
    /// Per rule, its recent capture searches (see [`Pack::capture`]).
    pub(super) memos: Memos,
    /// The recent literal searches of candidate lines (see [`Pack::candidates`]).
    pub(super) searched: Searched,
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
            held_line: (0, 0),
            held: Vec::new(),
            memos: Memos::new(rules.len()),
            searched: Searched::default(),
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

/// The last few lines' literal searches for candidate rules, each by the line's bytes from where the search
/// began: a storm repeats a handful of texts after their times (a few endpoints, indices or nodes take turns), and
/// comparing those bytes costs a fraction of searching them again. A new search takes the place of one that was
/// not replayed lately (each entry counts its replays, halved every [`WINDOW`] lookups), so the near misses and
/// other one-off candidate lines between a storm's lines take turns in the entries its texts leave free instead
/// of evicting them. A storm whose lines differ after their hit (a free-space figure, a document id) would pay
/// for remembering every line and replay few: the memo counts its replays over each [`WINDOW`] of lookups, and
/// after a window where fewer than one in four replayed, only one line in [`COLD_EVERY`] is looked up (and
/// remembered) until a window of those replays again.
#[derive(Debug, Default)]
pub(super) struct Searched {
    entries: [SearchedLine; SEARCHED_LINES],
    /// The entry handed out by the last lookup that found nothing, to be recorded ([`Searched::keep`]).
    next: usize,
    /// Where the search for an entry to replace starts: the one after the last replaced.
    hand: usize,
    /// Lookups and replays in the current window.
    lookups: u32,
    replays: u32,
    /// Fewer than one lookup in four replayed in the last window.
    cold: bool,
    /// Lines passed by since the last lookup, when cold.
    skipped: u32,
}

/// Line searches remembered.
const SEARCHED_LINES: usize = 8;
/// Replay checks a remembered search may hold: a search with more is not kept (a replay would cost about what
/// it saves).
const MAX_REPLAY_CHECKS: usize = 64;
/// Lookups over which the replays are counted.
const WINDOW: u32 = 64;
/// When cold, one line in this many is looked up.
const COLD_EVERY: u32 = 16;

#[derive(Debug, Default)]
struct SearchedLine {
    valid: bool,
    /// Replays since it was recorded, halved every window.
    replayed: u32,
    /// `tail`'s [`sampled`](crate::hash::sampled) hash, compared before the bytes.
    digest: u64,
    /// The line's bytes from where the search began.
    tail: Vec<u8>,
    found: Found,
}

impl Searched {
    /// What was recorded for a search over `tail`, if one was; otherwise, where to record the search about to
    /// be made (`None`: not worth remembering). Call [`Searched::keep`] once that search is recorded.
    pub(super) fn lookup(&mut self, tail: &[u8]) -> Result<&Found, Option<&mut Found>> {
        if tail.len() > MAX_MEMO_TAIL {
            return Err(None);
        }
        if self.cold {
            self.skipped += 1;
            if self.skipped < COLD_EVERY {
                return Err(None);
            }
            self.skipped = 0;
        }
        let d = crate::hash::sampled(tail);
        let found = self.entries.iter().position(|e| e.valid && e.digest == d && e.tail == tail);
        self.lookups += 1;
        self.replays += u32::from(found.is_some());
        if self.lookups == WINDOW {
            self.cold = self.replays * 4 < WINDOW;
            (self.lookups, self.replays) = (0, 0);
            for e in &mut self.entries {
                e.replayed /= 2;
            }
        }
        if let Some(i) = found {
            let e = &mut self.entries[i];
            e.replayed = e.replayed.saturating_add(1);
            return Ok(&e.found);
        }
        // The entry replayed least lately, the first from the hand on among equals.
        self.next = (0..SEARCHED_LINES)
            .map(|k| (self.hand + k) % SEARCHED_LINES)
            .min_by_key(|&i| (self.entries[i].valid, self.entries[i].replayed))
            .unwrap_or(self.hand);
        let e = &mut self.entries[self.next];
        e.valid = false;
        e.replayed = 0;
        e.digest = d;
        e.tail.clear();
        e.tail.extend_from_slice(tail);
        Err(Some(&mut e.found))
    }

    /// Keeps the search [`Searched::lookup`] handed out last to be recorded, unless it holds too many checks.
    pub(super) fn keep(&mut self) {
        let e = &mut self.entries[self.next];
        if e.found.checks() <= MAX_REPLAY_CHECKS {
            e.valid = true;
            self.hand = (self.next + 1) % SEARCHED_LINES;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Looks `tail` up, records an (empty) search when it is not remembered; whether it replayed.
    fn look(memo: &mut Searched, tail: &[u8]) -> bool {
        match memo.lookup(tail) {
            Ok(_) => true,
            Err(Some(_)) => {
                memo.keep();
                false
            }
            Err(None) => false,
        }
    }

    /// A storm's four texts taking turns, with a one-off candidate line after each (near misses, other
    /// warnings): once the four are in, every one of them replays; the one-off lines take turns in the rest.
    #[test]
    fn one_off_lines_do_not_evict_a_storms_texts() {
        let mut memo = Searched::default();
        let storm: Vec<Vec<u8>> = (0..4).map(|k| format!("rescheduling it: Post endpoint-{k}").into_bytes()).collect();
        let (mut replays, mut asked) = (0, 0);
        for round in 0..200 {
            for (k, text) in storm.iter().enumerate() {
                let replayed = look(&mut memo, text);
                if round >= 2 {
                    asked += 1;
                    replays += usize::from(replayed);
                }
                assert!(!look(&mut memo, format!("near miss {round} {k}").as_bytes()));
            }
        }
        assert_eq!(replays, asked, "{replays} of {asked} storm lines replayed");
        assert!(!memo.cold);
    }
}
