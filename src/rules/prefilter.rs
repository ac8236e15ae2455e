//! The literal prefilter: one multi-literal search over the buffer finds the few lines worth running regexes on.
//!
//! **Contract: false positives allowed, false negatives never.** For every rule we keep a set of literals such
//! that any match of the rule's pattern contains at least one of them (taken from the pattern's prefixes,
//! suffixes or required inner pieces, or declared by the rule author with `literals`). A line that contains none
//! of the pack's literals cannot match any rule, so it is skipped without running a regex. A line that contains
//! one is only a candidate: the regexes decide. The pack's self-test checks the declared literals against every
//! example line, and `tests/prefilter.rs` checks the whole contract against a brute-force per-line match.
//!
//! When a rule yields no usable literal (and declares none), the prefilter is not used at all and the scanner
//! falls back to the multi-pattern regex over every byte; `stackscan rules check` names such rules as slow.

use super::Rule;
use aho_corasick::{packed, AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::{PatternID, PatternSet};
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Hir, HirKind};

/// Shortest literal worth searching for: shorter ones make nearly every line a candidate.
const MIN_LITERAL: usize = 3;
/// Two literals of one rule sharing a substring at least this long are searched as that substring: fewer literals
/// keep Teddy fast, which matters more (measured) than the extra candidates a shared piece such as `xception`
/// brings.
const MIN_SHARED: usize = 5;
/// Literal sets checked with memmem on a candidate line before a rule's regex runs, at most.
const MAX_CONJUNCTS: usize = 4;
/// The least bytes refinement keeps of a literal when it trims its leading spaces and punctuation.
const FINGERPRINT: usize = 4;
/// Pieces searched in place of every literal that holds them. Exception and error classes end in `Error`
/// (`SyntaxError: `, `JSONDecodeError: `, Ruby's `::ParserError`, `java.lang.OutOfMemoryError`), so a pack reading
/// the errors of many languages spends a literal on each; yet the word is rare in log lines besides them (2,181
/// lines of the 1.6 million of the benchmark corpus hold it, 1,600 of them as `Error `), and the scan that mines
/// unexplained errors searches it anyway (a level literal, which already finds those rule literals there: see
/// [`held`]). Searched as the piece, such literals take one place in the rules' own search too, and a rule for
/// another language's error class takes none; the piece's hits are told apart by the bytes around them (the owners).
/// The other pieces are each shared by two or more rule sentences and as rare in the benchmark corpus (`Too many `
/// 44 lines, `recoverable error` 16, ` mapping [` 17, `Cannot ` 869, `cannot ` 244): a place each instead of two.
const SHARED_PIECES: &[&[u8]] = &[b"Error", b"Too many ", b"recoverable error", b" mapping [", b"Cannot ", b"cannot "];

/// The compiled multi-literal searcher.
#[derive(Debug)]
pub(crate) struct Prefilter {
    /// The whole-buffer search, when every rule has literals.
    finder: Option<Finder>,
    /// For each searched literal (pattern id of `finder`), where it lies in the rules' own literals (see
    /// [`Owner`]): a hit names the rules by comparing the bytes around it, without a search per rule.
    owners: Vec<Vec<Owner>>,
    /// Every rule's own literals, as extracted or declared before refinement shortened them: a line matching a
    /// rule holds one of them.
    own: Vec<Box<[u8]>>,
    /// Per rule, its literals (for diagnostics and `rules test`).
    per_rule: Vec<Vec<Vec<u8>>>,
    /// Per rule, more literal sets each of which a matching line must hold one of (from other parts of the
    /// pattern): checked with memmem on a candidate line before the rule's regex runs.
    conjuncts: Vec<Vec<Vec<memchr::memmem::Finder<'static>>>>,
    /// Rules with no usable literal.
    slow: Vec<usize>,
    /// The literals `finder` searches, in its order.
    searched: Vec<Vec<u8>>,
    /// When the literals were more than Teddy takes: how many, and the pieces they share that are searched instead
    /// (see [`super::compact`]).
    compacted: Compacted,
    /// The searcher of `searched` and the level literals together (see [`Prefilter::find_with_levels`]).
    with_levels: std::sync::OnceLock<Option<LevelSearch>>,
}

/// The rules' literals and the level literals, searched together.
#[derive(Debug)]
struct LevelSearch {
    finder: Finder,
    /// Per literal searched: `None` for a rule literal; for a level literal, the rule literals that hold it and
    /// are not searched themselves (see [`mining_literals`]).
    holders: Vec<Option<Vec<Holder>>>,
}

/// A rule literal that a level literal finds, and how many bytes into it the level literal lies.
type Holder = (Vec<u8>, usize);

/// The level literals a mining scan searches: all but those that hold a rule literal (`Exception` holds
/// `xception`): they would find no line more.
fn searched_levels(rules: &[Vec<u8>]) -> Vec<&'static [u8]> {
    crate::frame::header::LEVEL_LITERALS
        .iter()
        .map(|l| l.as_bytes())
        .filter(|l| !rules.iter().any(|r| contains(l, r)))
        .collect()
}

/// Where a searched level literal lies in rule literal `r`, when searching that level literal finds every `r`:
/// the first place in `r` where a searched literal (one of `others`, every literal searched besides `r`) may
/// start holds that level literal, wholly within `r`, and no other searched literal may start there or before,
/// but rule literals at `r`'s own start (their hit is where `r` starts). A hit of the level literal is then `r`'s
/// when the line holds `r` that many bytes before it, and no hit is ever past the start of a rule literal: the hint
/// `Pack::candidates` takes stays exact.
fn held_level(r: &[u8], levels: &[&[u8]], others: &[&[u8]]) -> Option<usize> {
    // A literal that may start `k` bytes into `r`: it agrees with `r`'s bytes from there to either's end.
    let may_start = |k: usize, m: &[u8]| {
        let n = m.len().min(r.len() - k);
        !m.is_empty() && m[..n] == r[k..k + n]
    };
    (0..r.len()).find_map(|k| {
        let level = levels.iter().copied().find(|l| r[k..].starts_with(l));
        let mut starting = others.iter().copied().filter(|m| may_start(k, m));
        let alone = match level {
            Some(l) if k == 0 => starting.all(|m| m == l || !levels.contains(&m)),
            Some(l) => starting.all(|m| m == l),
            None if starting.next().is_none() => return None,
            None => false,
        };
        Some(level.filter(|_| alone).map(|_| k))
    })?
}

/// The literals a mining scan searches: the rules' and the level literals, sorted, each once. A level literal that
/// holds a rule literal is left out ([`searched_levels`]); so is a rule literal that a level literal finds
/// ([`held_level`]): dd-trace-go's `ERROR: lost ` starts with `ERRO`, and `Exiting Kafka due to fatal` holds `fatal`
/// 21 bytes in. The level literal is found, and [`Prefilter::find_with_levels`] tells the two apart by the bytes
/// around it. Teddy takes fewer than 128 literals, and the level literals share them with the rules'.
///
/// `held` is what [`held`] says of `rules`.
pub(crate) fn mining_literals(rules: &[Vec<u8>], held: &[(&[u8], Option<usize>)]) -> Vec<Vec<u8>> {
    held.iter()
        .filter(|(_, at)| at.is_none())
        .map(|(r, _)| r.to_vec())
        .chain(searched_levels(rules).into_iter().map(<[u8]>::to_vec))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Every rule literal, with where a searched level literal lies in it when that level literal finds it (and so
/// it is not searched). A literal left out of the search can start nowhere a hit could be, so the other literals
/// are asked again until no more is left out.
pub(crate) fn held(rules: &[Vec<u8>]) -> Vec<(&[u8], Option<usize>)> {
    let levels = searched_levels(rules);
    let mut held: Vec<(&[u8], Option<usize>)> = rules.iter().map(|r| (r.as_slice(), None)).collect();
    loop {
        let searched: Vec<&[u8]> =
            held.iter().filter(|(_, at)| at.is_none()).map(|(r, _)| *r).chain(levels.iter().copied()).collect();
        let mut more = false;
        for (r, at) in held.iter_mut().filter(|(r, at)| at.is_none() && levels.iter().any(|l| contains(r, l))) {
            let others: Vec<&[u8]> = searched.iter().copied().filter(|m| m != r).collect();
            *at = held_level(r, &levels, &others);
            more |= at.is_some();
        }
        if !more {
            return held;
        }
    }
}

impl LevelSearch {
    fn build(rules: &[Vec<u8>]) -> Option<LevelSearch> {
        let held = held(rules);
        let all = super::teddy::order(mining_literals(rules, &held));
        let holders = all
            .iter()
            .map(|l| {
                (!rules.contains(l)).then(|| {
                    held.iter()
                        .filter_map(|(r, at)| at.filter(|&at| r[at..].starts_with(l)).map(|at| (r.to_vec(), at)))
                        .collect()
                })
            })
            .collect();
        Some(LevelSearch { finder: Finder::build(&all)?, holders })
    }
}

/// A searched literal lies at `offset` in `own[lit]`, one of `rule`'s own literals: a hit at `p` is an
/// occurrence of that own literal when the line holds it at `p - offset`.
#[derive(Debug, Clone, Copy)]
struct Owner {
    rule: u32,
    lit: u32,
    offset: u32,
    /// The own literal's first byte: compared before the whole literal, it turns away most of the owners of a
    /// common searched piece (`xception` is held by some forty exception names) without a call.
    first: u8,
}

/// What the candidate rules of a line depend on, beyond the line's bytes from where the search began (`from`):
/// recorded by [`Prefilter::candidate_rules_found`], replayed by [`Prefilter::replay_candidates`]. Storm lines
/// repeat their text after the time, so the literal search of a line is often one made already.
#[derive(Debug, Default, Clone)]
pub(crate) struct Found {
    /// Rules named by an own literal that starts at or after `from`: named again on replay.
    fixed: Vec<u32>,
    /// Own literals that would start before `from`, to check on the line replayed for.
    behind: Vec<Behind>,
}

impl Found {
    fn clear(&mut self) {
        self.fixed.clear();
        self.behind.clear();
    }

    /// How many checks a replay makes (a measure of what keeping it is worth).
    pub(crate) fn checks(&self) -> usize {
        self.fixed.len() + self.behind.len()
    }
}

/// An own literal starting `back` bytes before where a line's search began.
#[derive(Debug, Clone, Copy)]
struct Behind {
    back: u32,
    lit: u32,
    rule: u32,
    first: u8,
}

/// The buffer searcher: Teddy (SIMD, packed) when the literal set allows it, else an Aho-Corasick DFA.
#[derive(Debug)]
pub(crate) enum Finder {
    Teddy(packed::Searcher),
    Dfa(AhoCorasick),
}

impl Finder {
    /// A leftmost-first searcher for `lits`, in that order (see [`super::teddy`]).
    pub(crate) fn build(lits: &[Vec<u8>]) -> Option<Finder> {
        let teddy = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .only_teddy(true)
            .heuristic_pattern_limits(false)
            .builder()
            .extend(lits)
            .build();
        match teddy {
            Some(t) => Some(Finder::Teddy(t)),
            None => AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .kind(Some(AhoCorasickKind::DFA))
                .build(lits)
                .ok()
                .map(Finder::Dfa),
        }
    }

    /// The start and the literal index of the leftmost literal in `buf[start..end]`.
    #[inline]
    pub(crate) fn find(&self, buf: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
        let m = match self {
            Finder::Teddy(t) => t.find_in(buf, aho_corasick::Span { start, end }),
            Finder::Dfa(ac) => ac.find(aho_corasick::Input::new(buf).range(start..end)),
        };
        m.map(|m| (m.start(), m.pattern().as_usize()))
    }
}

impl Prefilter {
    /// Extracts every rule's literals and builds the searcher. Always returns a value so `slow_rules` can be
    /// asked; `searcher` says whether scanning may rely on it.
    pub(crate) fn build(rules: &[&Rule]) -> Option<Prefilter> {
        let mut per_rule = Vec::with_capacity(rules.len());
        let mut own: Vec<Vec<Vec<u8>>> = Vec::with_capacity(rules.len());
        let mut slow = Vec::new();
        let mut all: Vec<Vec<u8>> = Vec::new();
        // Extraction is a costly part of start-up: each pattern is looked at once, on every core, and so is the
        // choice of its conjunct sets (which searches its counterexamples).
        let chosen: Vec<_> = {
            use rayon::prelude::*;
            rules
                .par_iter()
                .map(|rule| {
                    let hir = &rule.hir;
                    let parts = part_sets(hir);
                    let lits = if rule.literals.is_empty() {
                        main_literals(rule, hir, &parts)
                    } else {
                        let declared: Vec<Vec<u8>> = rule.literals.iter().map(|l| l.as_bytes().to_vec()).collect();
                        (declared.clone(), declared)
                    };
                    let conjuncts: Vec<Vec<memchr::memmem::Finder<'static>>> = conjunct_sets(parts, &lits.1, rule)
                        .iter()
                        .map(|set| {
                            set.iter().map(|l| memchr::memmem::Finder::new(searched_part(l)).into_owned()).collect()
                        })
                        .collect();
                    (conjuncts, lits)
                })
                .collect()
        };
        let mut conjuncts = Vec::with_capacity(rules.len());
        for (i, (c, (extracted, lits))) in chosen.into_iter().enumerate() {
            conjuncts.push(c);
            own.push(extracted);
            if lits.is_empty() {
                slow.push(i);
            }
            all.extend(lits.iter().cloned());
            per_rule.push(lits);
        }
        for piece in SHARED_PIECES {
            if all.iter().any(|l| l.len() > piece.len() && contains(l, piece)) {
                all.push(piece.to_vec());
            }
        }
        all.sort();
        all.dedup();
        // A literal that contains another adds nothing: the shorter one already makes the line a candidate.
        let minimal: Vec<Vec<u8>> = containment_free(&all).into_iter().cloned().collect();
        // Within what Teddy takes, with the level literals a mining scan adds (see [`super::compact`]).
        let (minimal, compacted) = within_teddy(minimal, rules);
        // The order decides Teddy's buckets, and with them how many positions it verifies.
        let minimal = super::teddy::order(minimal);
        // Every own literal of a rule contains one of its searched literals, and each of those one kept literal:
        // a line holding none of the kept literals cannot match any rule. Every occurrence of an own literal
        // holds a kept literal at some offset, so recording each such (kept literal, own literal, offset) lets a
        // hit be checked in place.
        // The kept literals in each own literal are found in one overlapping pass over it, not a search per pair
        // (thousands of them, on the single-threaded part of start-up). Without that searcher (it cannot fail to
        // build for a pack's few hundred literals) the owners are unknown and the buffer search is not used.
        let mut own_lits: Vec<Box<[u8]>> = Vec::new();
        let mut owners: Vec<Vec<Owner>> = vec![Vec::new(); minimal.len()];
        let kept = AhoCorasick::builder().match_kind(MatchKind::Standard).build(&minimal).ok();
        for (rule, lits) in own.iter().enumerate() {
            for o in lits {
                let lit = own_lits.len() as u32;
                own_lits.push(o.clone().into_boxed_slice());
                for m in kept.iter().flat_map(|k| k.find_overlapping_iter(o.as_slice())) {
                    let owner = Owner { rule: rule as u32, lit, offset: m.start() as u32, first: o[0] };
                    owners[m.pattern().as_usize()].push(owner);
                }
            }
        }
        let finder =
            if slow.is_empty() && !minimal.is_empty() && kept.is_some() { Finder::build(&minimal) } else { None };
        Some(Prefilter {
            finder,
            owners,
            own: own_lits,
            per_rule,
            conjuncts,
            slow,
            searched: minimal,
            compacted,
            with_levels: std::sync::OnceLock::new(),
        })
    }

    /// The literals the buffer search looks for, in the order they were given to it (pattern id order).
    pub(crate) fn searched(&self) -> &[Vec<u8>] {
        &self.searched
    }

    /// The next line that may match a rule or open a record at WARN and above (or hold an exception): the start
    /// of the first literal in `buf[start..end]` of the rules' literals *and* of
    /// [`LEVEL_LITERALS`](crate::frame::header::LEVEL_LITERALS), and whether it is a level literal where no rule
    /// literal starts. The searched literals are the rules' (as [`Self::find`] searches them) and the level
    /// literals side by side (but for those that hold a rule literal: they find no line more), none dropped for
    /// containing another but the rule literals a level literal finds (see [`mining_literals`]), whose hit is
    /// moved back to where they start: the leftmost hit is then never after the start of a rule literal, so the
    /// hint `Pack::candidates` takes stays exact. Built on first use: scans that mine nothing never pay for it.
    #[inline]
    pub(crate) fn find_with_levels(&self, buf: &[u8], start: usize, end: usize) -> Option<(usize, bool)> {
        let s = self.with_levels.get_or_init(|| LevelSearch::build(&self.searched)).as_ref()?;
        let (at, p) = s.finder.find(buf, start, end)?;
        let Some(holders) = &s.holders[p] else { return Some((at, false)) };
        // A rule literal that holds the level literal is not searched (`ERROR: lost ` holds `ERRO`): the bytes
        // around the hit say whether the line holds it there.
        let rule = holders
            .iter()
            .filter(|(r, back)| {
                at.checked_sub(*back).is_some_and(|from| from >= start && buf[from..end].starts_with(r))
            })
            .map(|(_, back)| at - back)
            .min();
        Some(rule.map_or((at, true), |from| (from, false)))
    }

    /// When the rules' literals were more than Teddy takes: how many, and the shared pieces searched instead.
    pub(crate) fn compacted(&self) -> Option<(usize, &[Vec<u8>])> {
        self.compacted.as_ref().map(|(n, p)| (*n, p.as_slice()))
    }

    /// Whether scanning may rely on the prefilter (every rule has literals and the searchers were built).
    pub(crate) fn is_usable(&self) -> bool {
        self.finder.is_some()
    }

    /// The start of the first literal in `buf[start..end]`: the next candidate position, or `None` when no line
    /// of the range can match any rule.
    #[inline]
    pub(crate) fn find(&self, buf: &[u8], start: usize, end: usize) -> Option<usize> {
        self.find_literal(buf, start, end).map(|(at, _)| at)
    }

    /// The start and the literal index of the leftmost literal in `buf[start..end]`.
    #[inline]
    fn find_literal(&self, buf: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
        self.finder.as_ref()?.find(buf, start, end)
    }

    /// Pushes to `out` every rule that may match `line`: the line holds one of the rule's own literals (whether
    /// it holds the further required ones is asked apart: [`Prefilter::required_hold`]). Every rule that matches
    /// is pushed, once; others may be (the regexes decide). No searched literal starts before `from` in `line`
    /// (where the buffer search found the first, or 0). `seen` is scratch space, sized for the pack's rules.
    ///
    /// The searcher is leftmost-first, not overlapping, so it is restarted one byte after each hit rather than
    /// after its end: no searched literal contains another, so no two start at one position, and every
    /// occurrence of every searched literal is seen, and with them every occurrence of every own literal.
    pub(crate) fn candidate_rules(&self, line: &[u8], from: usize, seen: &mut PatternSet, out: &mut Vec<usize>) {
        self.candidate_rules_found(line, from, seen, out, None);
    }

    /// [`Prefilter::candidate_rules`], also leaving in `found` what the result depends on (see [`Found`]), so
    /// that [`Prefilter::replay_candidates`] gives the same rules for another line with the same bytes from
    /// `from` on.
    pub(crate) fn candidate_rules_found(
        &self,
        line: &[u8],
        from: usize,
        seen: &mut PatternSet,
        out: &mut Vec<usize>,
        mut found: Option<&mut Found>,
    ) {
        seen.clear();
        let from = from.min(line.len());
        if let Some(f) = found.as_deref_mut() {
            f.clear();
        }
        let mut at = from;
        while let Some((p, k)) = self.find_literal(line, at, line.len()) {
            for o in &self.owners[k] {
                let offset = o.offset as usize;
                // An own literal that would start before `from` depends on bytes before it: kept to be checked
                // again on the line it is replayed for. One that starts at or after `from` depends on the bytes
                // from `from` on alone: its rule is recorded as named whatever else named it (a literal behind
                // `from` may not hold on the line replayed for).
                let behind = offset > p - from;
                if behind {
                    if let Some(f) = found.as_deref_mut() {
                        f.behind.push(Behind {
                            back: (offset - (p - from)) as u32,
                            lit: o.lit,
                            rule: o.rule,
                            first: o.first,
                        });
                    }
                }
                let Some(q) = p.checked_sub(offset) else { continue };
                let rule = PatternID::must(o.rule as usize);
                let record = !behind && found.as_deref().is_some_and(|f| !f.fixed.contains(&o.rule));
                if (seen.contains(rule) && !record) || !self.holds_own(line, q, o.lit, o.first) {
                    continue;
                }
                if let Some(f) = found.as_deref_mut().filter(|_| record) {
                    f.fixed.push(o.rule);
                }
                if !seen.contains(rule) {
                    seen.insert(rule);
                    out.push(rule.as_usize());
                }
            }
            at = p + 1;
        }
    }

    /// Whether the own literal `lit` starts at `q` in `line` (its first byte, `first`, compared first).
    #[inline]
    fn holds_own(&self, line: &[u8], q: usize, lit: u32, first: u8) -> bool {
        line[q] == first && line[q..].starts_with(&self.own[lit as usize])
    }

    /// The rules [`Prefilter::candidate_rules`] pushes for `line` searched from `from`, where `found` was
    /// recorded on a line whose bytes from its `from` on were the same: those are pushed again, and the own
    /// literals that start before `from` are checked on this line.
    pub(crate) fn replay_candidates(
        &self,
        found: &Found,
        line: &[u8],
        from: usize,
        seen: &mut PatternSet,
        out: &mut Vec<usize>,
    ) {
        seen.clear();
        let from = from.min(line.len());
        for &r in &found.fixed {
            seen.insert(PatternID::must(r as usize));
            out.push(r as usize);
        }
        for b in &found.behind {
            let rule = PatternID::must(b.rule as usize);
            let Some(q) = from.checked_sub(b.back as usize) else { continue };
            if seen.contains(rule) || !self.holds_own(line, q, b.lit, b.first) {
                continue;
            }
            seen.insert(rule);
            out.push(rule.as_usize());
        }
    }

    /// Whether `line` holds one literal of each of rule `i`'s further required sets (memmem: cheap next to a
    /// regex, but a storm line asks it of several rules, so it is asked only before a regex would run).
    #[inline]
    pub(crate) fn required_hold(&self, i: usize, line: &[u8]) -> bool {
        self.conjuncts[i].iter().all(|set| set.iter().any(|f: &memchr::memmem::Finder<'_>| f.find(line).is_some()))
    }

    /// How many literal searches [`Prefilter::required_hold`] makes for rule `i` at most.
    pub(crate) fn required_cost(&self, i: usize) -> usize {
        self.conjuncts[i].iter().map(Vec::len).sum()
    }

    /// The number of distinct literals searched.
    #[cfg(test)]
    pub(crate) fn literal_count(&self) -> usize {
        self.searched.len()
    }

    /// Rules with no usable literal.
    pub(crate) fn slow_rules(&self) -> &[usize] {
        &self.slow
    }

    /// The literals kept for rule `i`.
    pub(crate) fn literals(&self, i: usize) -> &[Vec<u8>] {
        &self.per_rule[i]
    }
}

/// When the rules' literals were compacted: how many there were, and the pieces searched in their place.
type Compacted = Option<(usize, Vec<Vec<u8>>)>;

/// `lits` (the rules' searched literals: sorted, none containing another), compacted so that they and the mining
/// search's literals ([`mining_literals`]) each fit [`super::compact::BUDGET`], a merge's cost estimated on the
/// example and counterexample lines of `rules`; and what was compacted.
fn within_teddy(lits: Vec<Vec<u8>>, rules: &[&Rule]) -> (Vec<Vec<u8>>, Compacted) {
    use super::compact::{within, BUDGET};
    // A set planned ahead (the embedded pack's rules) fits with its mining set: that one is planned too.
    if lits.len() <= BUDGET && super::teddy::planned_ahead(&lits) {
        return (lits, None);
    }
    let sample: Vec<&[u8]> = rules
        .iter()
        .flat_map(|r| {
            r.examples.iter().map(|e| e.line.as_bytes()).chain(r.counterexamples.iter().map(|c| c.0.as_bytes()))
        })
        .collect();
    let levels = crate::frame::header::LEVEL_LITERALS.len();
    // The mining set adds at most the level literals: only a set near the limit needs counting.
    let fits = |set: &[Vec<u8>]| set.len() + levels <= BUDGET || mining_literals(set, &held(set)).len() <= BUDGET;
    let before = lits.len();
    let fit = within(lits.clone(), &sample, fits);
    if fit.len() == before {
        return (fit, None);
    }
    let pieces = fit.iter().filter(|l| lits.binary_search(l).is_err()).cloned().collect();
    (fit, Some((before, pieces)))
}

/// The literals of `all` (sorted, without duplicates) that contain no other of them.
fn containment_free(all: &[Vec<u8>]) -> Vec<&Vec<u8>> {
    all.iter().filter(|l| !all.iter().any(|o| o.len() < l.len() && contains(l, o))).collect()
}

/// Whether `needle` occurs in `hay`. Pack loading asks this tens of thousands of times of short literals, where
/// building a SIMD searcher per call would cost more than looking for the needle's first byte and comparing the
/// rest in place. An empty needle is in no short string.
pub(super) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    if hay.len() > 64 {
        return memchr::memmem::find(hay, needle).is_some();
    }
    needle.first().is_some_and(|&b| memchr::memchr_iter(b, hay).any(|i| hay[i..].starts_with(needle)))
}

/// Makes a rule's literal set cheaper to search without breaking the contract: every literal is replaced by one
/// of its substrings, so a line holding the original holds the replacement.
/// - Literals of one rule sharing a long substring (case variants: `Dropping `, `dropped `) become that substring:
///   fewer literals make Teddy's buckets emptier.
/// - With `trim`, each literal loses the spaces and punctuation it starts with (`, rescheduling it` →
///   `rescheduling it`): Teddy matches on a literal's first bytes, so a literal starting with `, ` or `] ` would
///   fire on most lines.
fn refine(lits: Vec<Vec<u8>>, trim: bool) -> Vec<Vec<u8>> {
    let mut kept: Vec<Vec<u8>> = Vec::new();
    for l in lits {
        let merged = kept.iter_mut().find_map(|k| {
            let common = longest_common_substring(k, &l);
            (common.len() >= MIN_SHARED).then(|| *k = common)
        });
        if merged.is_none() {
            kept.push(l);
        }
    }
    let mut out: Vec<Vec<u8>> = kept.into_iter().map(|l| if trim { rarest_start(&l).to_vec() } else { l }).collect();
    out.sort();
    out.dedup();
    out
}

fn longest_common_substring(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut best: &[u8] = &[];
    for i in 0..a.len() {
        for j in i + best.len() + 1..=a.len() {
            if contains(b, &a[i..j]) {
                best = &a[i..j];
            } else {
                break;
            }
        }
    }
    best.to_vec()
}

/// `lit` without the spaces and punctuation it starts with (`, rescheduling it` → `rescheduling it`), keeping at
/// least [`FINGERPRINT`] bytes. Only the start is trimmed: Teddy matches on a literal's first bytes, so a literal
/// starting with `, ` or `] ` fires on most lines, but a shorter literal (a rarest-window suffix such as `Kafka`
/// for `Failed to send messages to Kafka`) makes every line that merely names the same thing a candidate.
fn rarest_start(lit: &[u8]) -> &[u8] {
    let mut start = 0;
    while lit.len() - start > FINGERPRINT && (lit[start].is_ascii_whitespace() || lit[start].is_ascii_punctuation()) {
        start += 1;
    }
    &lit[start..]
}

fn usable(seq: &Seq) -> Option<Vec<Vec<u8>>> {
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().len() < MIN_LITERAL) {
        return None;
    }
    Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// The literals of `hir`'s extracted `kind`, minimized by preference: a literal that an earlier one kept is a
/// prefix of (or equal to) is dropped, which is what `Seq::minimize_by_preference` does (its exactness marks are
/// not used here). Done in place of it: that builds a trie per set, and a pack's start-up extracts thousands of sets
/// of a few literals.
fn extract(hir: &Hir, kind: ExtractKind) -> Option<Vec<Vec<u8>>> {
    let lits = usable(&extractor(kind).extract(hir))?;
    let mut kept: Vec<Vec<u8>> = Vec::with_capacity(lits.len());
    for l in lits {
        if !kept.iter().any(|k| l.starts_with(k)) {
            kept.push(l);
        }
    }
    Some(kept)
}

/// The literal extractor every literal set of the prefilter comes from, with its limits.
fn extractor(kind: ExtractKind) -> Extractor {
    let mut ex = Extractor::new();
    ex.kind(kind).limit_class(8).limit_repeat(4).limit_literal_len(64).limit_total(64);
    ex
}

/// The literals searched for a rule without declared ones, as extracted and as searched (see [`refine`]). Of the
/// sets every match holds one of (the best from the pattern's prefix, suffix and inner parts, and those of each
/// part of it), the one the fewest of its counterexamples hold, then the best: a near miss the author wrote down
/// (`low disk watermark [85%] no longer exceeded on`) should not make a line a candidate when another piece of
/// the pattern (`] exceeded on [`) tells it apart. Such a piece keeps the punctuation it starts with when that is
/// what tells the near miss apart. Only sets about as long as the best are considered: a short piece would make
/// more lines candidates than the near misses it avoids.
fn main_literals(rule: &Rule, hir: &Hir, parts: &[Vec<Vec<u8>>]) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    // `required_literals`, with the parts already at hand.
    let best = match parts {
        [] => required_literals(hir),
        _ => [extract(hir, ExtractKind::Prefix), extract(hir, ExtractKind::Suffix)]
            .into_iter()
            .flatten()
            .chain(parts.iter().cloned())
            .max_by_key(|lits| score(lits)),
    };
    let Some(best) = best else { return (Vec::new(), Vec::new()) };
    let held = |set: &[Vec<u8>]| held_by_counterexamples(rule, set);
    let searched = refine(best.clone(), true);
    let floor = score(&searched).0.min(8);
    let mut choice = ((held(&searched), false, std::cmp::Reverse(score(&searched))), best.clone(), searched);
    for set in std::iter::once(best).chain(parts.iter().cloned()) {
        for trim in [true, false] {
            let searched = refine(set.clone(), trim);
            let rank = (held(&searched), !trim, std::cmp::Reverse(score(&searched)));
            if score(&searched).0 >= floor && rank < choice.0 {
                choice = (rank, set.clone(), searched);
            }
        }
    }
    (choice.1, choice.2)
}

/// How many of `rule`'s counterexamples hold one of `set`'s literals.
fn held_by_counterexamples(rule: &Rule, set: &[Vec<u8>]) -> usize {
    rule.counterexamples.iter().filter(|(line, _)| set.iter().any(|l| contains(line.as_bytes(), l))).count()
}

/// Literal sets that every match of `hir` holds one of: from each part of a top-level concatenation, and from
/// the start of each of its tails; a pattern that is one literal gives that literal (a rule searched by a shorter
/// piece it declares, `xception` for `ConfigException: No resolvable ...`, then runs no regex on a line lacking it).
fn part_sets(hir: &Hir) -> Vec<Vec<Vec<u8>>> {
    let mut hir = hir;
    while let HirKind::Capture(c) = hir.kind() {
        hir = &c.sub;
    }
    if let HirKind::Literal(lit) = hir.kind() {
        return vec![vec![lit.0.to_vec()]];
    }
    let HirKind::Concat(subs) = hir.kind() else { return Vec::new() };
    let mut sets: Vec<Vec<Vec<u8>>> = Vec::new();
    for i in 0..subs.len() {
        sets.extend(required_literals(&subs[i]));
        if i > 0 {
            sets.extend(extract(&Hir::concat(subs[i..].to_vec()), ExtractKind::Prefix));
        }
    }
    sets
}

/// Up to [`MAX_CONJUNCTS`] literal sets, besides `main`, that every match of the rule holds one of (see
/// [`part_sets`]): `\): 4(?:0[0-9]|..)` gives `): 4`, which a `ReceiverRoutes - ... (20480): 202 Accepted` line
/// lacks while holding the rule's main literal. The sets the rule's counterexamples lack come first (the DNS
/// messages of `agent.check-dns`, which its `Connection refused` near misses lack), then the longest.
fn conjunct_sets(mut sets: Vec<Vec<Vec<u8>>>, main: &[Vec<u8>], rule: &Rule) -> Vec<Vec<Vec<u8>>> {
    // A set one of whose literals the main literals all contain says nothing new on a candidate line.
    sets.retain(|set| !main.iter().all(|m| set.iter().any(|l| contains(m, l))));
    let held = |set: &[Vec<u8>]| held_by_counterexamples(rule, set);
    sets.sort_by_cached_key(|set| (held(set), std::cmp::Reverse(score(set))));
    sets.dedup();
    sets.truncate(MAX_CONJUNCTS);
    sets
}

/// The longest needle memchr's vectorised search takes: a longer one is searched by a prefilter and Two-Way,
/// several times slower on a log line.
const VECTOR_NEEDLE: usize = 32;

/// What of a required literal is looked for: the whole, or its last [`VECTOR_NEEDLE`] bytes. A line holding the
/// literal holds any part of it, so a part is as sound a filter; the regex or direct program still decides.
fn searched_part(l: &[u8]) -> &[u8] {
    &l[l.len().saturating_sub(VECTOR_NEEDLE)..]
}

/// A searcher for the literals every match of `hir` starts with, when there is a finite set of them: no match
/// starts before the first occurrence of one, so a rule's regex can start its search there and the bytes
/// before it cannot change the match (see `Pack::capture`).
pub(crate) fn match_starts(hir: &Hir) -> Option<MatchStarts> {
    let seq = extractor(ExtractKind::Prefix).extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    if lits.len() <= FEW_STARTS {
        return Some(MatchStarts::Few(lits.iter().map(|l| Start::new(l.as_bytes())).collect()));
    }
    // A contiguous NFA: built in a fraction of a DFA's time (each rule builds its own, at its first candidate line)
    // and as quick on the short lines it searches.
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(lits.iter().map(|l| l.as_bytes()));
    ac.ok().map(MatchStarts::Many)
}

/// Start literals searched one by one (SIMD substring search), at most: most patterns start with one.
const FEW_STARTS: usize = 4;

/// The literals every match of a pattern starts with (see [`match_starts`]).
#[derive(Debug)]
pub(crate) enum MatchStarts {
    /// A few, each searched for on its own.
    Few(Vec<Start>),
    /// More, searched for at once.
    Many(AhoCorasick),
}

/// One start literal: its first [`VECTOR_NEEDLE`] bytes are searched, the rest compared where they are found (a
/// longer needle would be searched by Two-Way).
#[derive(Debug)]
pub(crate) struct Start {
    head: memchr::memmem::Finder<'static>,
    rest: Box<[u8]>,
}

impl Start {
    fn new(lit: &[u8]) -> Start {
        let (head, rest) = lit.split_at(lit.len().min(VECTOR_NEEDLE));
        Start { head: memchr::memmem::Finder::new(head).into_owned(), rest: rest.into() }
    }

    /// Where the literal first starts in `line`.
    fn find(&self, line: &[u8]) -> Option<usize> {
        let n = self.head.needle().len();
        let mut from = 0;
        loop {
            let at = from + self.head.find(&line[from..])?;
            if self.rest.is_empty() || line[at + n..].starts_with(&self.rest) {
                return Some(at);
            }
            from = at + 1;
        }
    }
}

impl MatchStarts {
    /// Where the first of the literals starts in `line`.
    pub(crate) fn first(&self, line: &[u8]) -> Option<usize> {
        match self {
            MatchStarts::Few(starts) => starts.iter().filter_map(|s| s.find(line)).min(),
            MatchStarts::Many(ac) => ac.find(line).map(|m| m.start()),
        }
    }
}

/// Literals one of which appears in every match of `hir`, or `None` when no usable set is found.
pub(crate) fn required_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let candidates = [extract(hir, ExtractKind::Prefix), extract(hir, ExtractKind::Suffix), inner(hir)];
    candidates.into_iter().flatten().max_by_key(|lits| score(lits))
}

/// Literals required by some part of the pattern that every match passes through.
fn inner(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Capture(c) => required_literals(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required_literals(&r.sub),
        // Every match of a concatenation matches each of its parts: the best part's literals will do.
        // So does the start of every tail of it, which finds literals spanning parts (`(?:foo|bar)xyz`).
        HirKind::Concat(subs) => subs
            .iter()
            .filter_map(required_literals)
            .chain((1..subs.len()).filter_map(|i| extract(&Hir::concat(subs[i..].to_vec()), ExtractKind::Prefix)))
            .max_by_key(|l| score(l)),
        // Every match of an alternation matches one branch: all branches need literals.
        HirKind::Alternation(subs) => {
            let mut all = Vec::new();
            for s in subs {
                all.extend(required_literals(s)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// Prefer longer shortest literals, then fewer literals.
fn score(lits: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
    (lits.iter().map(Vec::len).min().unwrap_or(0).min(16), std::cmp::Reverse(lits.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long start literal, searched by its head and compared for the rest, is found where a plain search finds
    /// it: heads that recur, overlap or are followed by something else are stepped over.
    #[test]
    fn long_start_literals_are_found_first() {
        let naive = |hay: &[u8], lit: &[u8]| hay.windows(lit.len()).position(|w| w == lit);
        let lit = b"error while sending transaction, rescheduling it: Post ";
        let start = Start::new(lit);
        assert_eq!(start.head.needle().len(), VECTOR_NEEDLE);
        let head = &lit[..VECTOR_NEEDLE];
        let mut lines: Vec<Vec<u8>> = vec![
            lit.to_vec(),
            [&b"x "[..], head, b"y ", lit].concat(),
            [head, head, &lit[..lit.len() - 1], b"! ", lit].concat(),
            [&b"error while "[..], lit].concat(),
            head.to_vec(),
            Vec::new(),
        ];
        // Every cut of the literal before the whole of it.
        for k in 0..lit.len() {
            lines.push([&lit[..k], &b"-"[..], lit, b" tail"].concat());
        }
        for line in &lines {
            assert_eq!(start.find(line), naive(line, lit), "{}", String::from_utf8_lossy(line));
        }
        let short = Start::new(b"rescheduling it");
        assert!(short.rest.is_empty());
        assert_eq!(short.find(b"a, rescheduling it: b"), Some(3));
        assert_eq!(searched_part(lit), &lit[lit.len() - VECTOR_NEEDLE..]);
        assert_eq!(searched_part(b"://"), b"://");
    }

    fn lits(p: &str) -> Option<Vec<String>> {
        let h = super::super::hir::parse(p).unwrap();
        required_literals(&h).map(|v| v.into_iter().map(|l| String::from_utf8(l).unwrap()).collect())
    }

    #[test]
    fn finds_prefix_suffix_and_inner_literals() {
        assert_eq!(
            lits(r"flood stage disk watermark \[(?P<w>[^\]]+)\]"),
            Some(vec!["flood stage disk watermark [".into()])
        );
        assert_eq!(lits(r"[A-Za-z]+ blocked by: \[(?P<b>.*)\]$"), Some(vec![" blocked by: [".into()]));
        assert_eq!(lits(r"\w+(?:foo|bar)xyz\d+"), Some(vec!["fooxyz".into(), "barxyz".into()]));
        assert_eq!(lits(r".*\d+.*"), None);
        assert_eq!(lits(r"a.b"), None);
    }

    #[test]
    fn refinement_keeps_substrings_only() {
        let r = |v: &[&str]| -> Vec<String> {
            refine(v.iter().map(|s| s.as_bytes().to_vec()).collect(), true)
                .into_iter()
                .map(|l| String::from_utf8(l).unwrap())
                .collect()
        };
        assert_eq!(r(&["Dropping ", "Dropped ", "dropping ", "dropped "]), vec!["Dropp", "dropp"]);
        assert_eq!(r(&["abc"]), vec!["abc"]);
        // The common `, ` start is dropped; what is kept is a substring of the original, at least 4 bytes long.
        let kept = r(&[", rescheduling it"]);
        assert_eq!(kept.len(), 1);
        assert!(", rescheduling it".ends_with(&kept[0]) && kept[0].len() >= FINGERPRINT && !kept[0].starts_with(','));
    }

    #[test]
    fn embedded_pack_uses_the_prefilter() {
        let pack = crate::rules::Pack::embedded().unwrap();
        let pf = pack.prefilter.as_ref().unwrap();
        assert!(pf.is_usable());
        assert!(pf.literal_count() <= 128, "{} literals", pf.literal_count());
    }

    /// A pack of the given rules (their TOML, see [`rule_toml`]) in one family.
    fn tiny_pack(rules: &[String]) -> crate::rules::Pack {
        let text = rules.concat() + "[[family]]\nid = \"f\"\n";
        crate::rules::Pack::from_sources(vec![("t.toml".into(), text)]).unwrap()
    }

    /// One rule's TOML: its pattern, the one literal it declares, one example line and what it captures there.
    fn rule_toml(id: &str, pattern: &str, literal: &str, example: &str, fields: &str) -> String {
        format!(
            "[[rule]]\nid = \"{id}\"\ntitle = \"t\"\nfamily = \"f\"\nseverity = \"error\"\n\
             components = [\"receiver\"]\npattern = '''{pattern}'''\nnext_steps = [\"none\"]\n\
             literals = [\"{literal}\"]\n[[rule.examples]]\nline = '''{example}'''\nfields = {{ {fields} }}\n"
        )
    }

    /// Each searched literal's owners are every place it occurs in the rules' own literals, in order: what a
    /// search of every (searched, own) pair finds; and an own literal belongs to one rule, rules in order.
    #[test]
    fn the_owners_of_a_searched_literal_are_all_its_occurrences() {
        // Two rules whose literals overlap: `aba` is searched for both, and lies twice in `xababa`.
        let rule =
            |id: &str, lit: &str| rule_toml(id, &format!(r"{lit} (?P<n>\d+)"), lit, &format!("{lit} 1"), r#"n = "1""#);
        let tiny = tiny_pack(&[rule("t.long", "xababa"), rule("t.short", "aba")]);
        let pf = tiny.prefilter.as_ref().unwrap();
        check_owners(pf);
        assert_eq!(pf.searched, [b"aba".to_vec()]);
        let found: Vec<_> = pf.owners[0].iter().map(|o| (o.lit, o.offset)).collect();
        assert_eq!(found, [(0, 1), (0, 3), (1, 0)], "overlapping occurrences too");
        check_owners(crate::rules::Pack::embedded().unwrap().prefilter.as_ref().unwrap());
    }

    fn check_owners(pf: &Prefilter) {
        let mut rule_of = std::collections::BTreeMap::new();
        for (k, kept) in pf.searched.iter().enumerate() {
            let mut expected = Vec::new();
            for (lit, own) in pf.own.iter().enumerate() {
                let mut from = 0;
                while let Some(at) = memchr::memmem::find(&own[from..], kept) {
                    expected.push((lit as u32, (from + at) as u32));
                    from += at + 1;
                }
            }
            let found: Vec<_> = pf.owners[k].iter().map(|o| (o.lit, o.offset)).collect();
            assert_eq!(found, expected, "{}", String::from_utf8_lossy(kept));
            assert!(!found.is_empty(), "a searched literal names a rule");
            for o in &pf.owners[k] {
                assert_eq!(*rule_of.entry(o.lit).or_insert(o.rule), o.rule);
            }
        }
        assert!(rule_of.values().is_sorted(), "own literals numbered rule after rule");
    }

    /// `extract` minimizes a set as `Seq::minimize_by_preference` does, on every pattern of the embedded pack and
    /// every part and tail of its top-level concatenation, from both ends.
    #[test]
    fn extraction_minimizes_as_regex_syntax_does() {
        fn by_trie(hir: &Hir, kind: ExtractKind) -> Option<Vec<Vec<u8>>> {
            let mut seq = extractor(kind).extract(hir);
            seq.minimize_by_preference();
            usable(&seq)
        }
        let pack = crate::rules::Pack::embedded().unwrap();
        let mut sets = 0;
        // Sets where a literal extends an earlier one, which the pack's patterns do not give.
        for p in ["(?:abcd|abcdabcd|xyz)", "head (?:wxyz|wxyzw)", "(?:Error|ErrorError|ERROR)"] {
            let h = super::super::hir::parse(p).unwrap();
            for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
                let all = usable(&extractor(kind.clone()).extract(&h)).unwrap();
                let ours = extract(&h, kind.clone()).unwrap();
                assert_eq!(Some(ours.clone()), by_trie(&h, kind), "{p}");
                assert!(ours.len() < all.len(), "{p}: a literal dropped");
            }
        }
        for rule in pack.rules() {
            let mut hirs = vec![rule.hir.clone()];
            if let HirKind::Concat(subs) = rule.hir.kind() {
                hirs.extend(subs.iter().cloned());
                hirs.extend((1..subs.len()).map(|i| Hir::concat(subs[i..].to_vec())));
            }
            for h in &hirs {
                for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
                    let ours = extract(h, kind.clone());
                    assert_eq!(ours, by_trie(h, kind), "{}", rule.id);
                    sets += ours.is_some_and(|s| s.len() > 1) as usize;
                }
            }
        }
        assert!(sets > 100, "{sets} sets of several literals compared");
    }

    /// A rule literal that starts with a level literal is not searched twice in a mining scan: the level literal
    /// finds it, and the bytes after it make the hit a rule's, at the same position.
    #[test]
    fn a_rule_literal_extending_a_level_literal_is_found_by_it() {
        let pack = crate::rules::Pack::embedded().unwrap();
        let pf = pack.prefilter.as_ref().unwrap();
        let rule = b"ERROR: lost ".to_vec();
        assert!(pf.searched().contains(&rule));
        let mining = mining_literals(pf.searched(), &held(pf.searched()));
        assert!(!mining.contains(&rule) && mining.contains(&b"ERRO".to_vec()));
        let buf = b"2024-03-12 13:10:04 UTC | CORE | ERROR | (pkg/x.go:1 in f) | nothing a rule knows\n\
                    2022/12/19 21:09:41 Datadog Tracer v1.45.1 ERROR: lost 1 traces: Post \"http://localhost:8126/v0.4/traces\"\n\
                    2024-03-12 13:10:06 UTC | CORE | ERROR | (pkg/x.go:1 in f) | ERROR, alone\n";
        let rule_at = memchr::memmem::find(buf, b"ERROR: lost").unwrap();
        let first = pf.find_with_levels(buf, 0, buf.len()).unwrap();
        // `ERROR` on the first line comes first, a level literal; then the rule's literal, where `ERRO` starts.
        assert!(first.1 && first.0 < rule_at);
        assert_eq!(pf.find_with_levels(buf, first.0 + 1, buf.len()), Some((rule_at, false)));
        let last = memchr::memmem::find(buf, b"ERROR | (pkg/x.go:1 in f) | ERROR, alone").unwrap();
        assert_eq!(pf.find_with_levels(buf, rule_at + 1, buf.len()), Some((last, true)));
    }

    /// A rule literal that holds a level literal further in (`Exiting Kafka due to fatal` holds `fatal`) is not
    /// searched in a mining scan either: a hit of the level literal is the rule literal's, at the rule literal's
    /// start, when the bytes before it say so.
    #[test]
    fn a_rule_literal_holding_a_level_literal_is_found_by_it() {
        let pack = crate::rules::Pack::embedded().unwrap();
        let pf = pack.prefilter.as_ref().unwrap();
        let rule = b"Exiting Kafka due to fatal".to_vec();
        assert!(pf.searched().contains(&rule));
        let all = held(pf.searched());
        let found_by_levels: Vec<_> = all.iter().filter_map(|&(r, at)| at.map(|at| (r, at))).collect();
        assert!(found_by_levels.contains(&(rule.as_slice(), 21)), "{found_by_levels:?}");
        assert!(!mining_literals(pf.searched(), &all).contains(&rule));
        let buf = b"[2024-03-12 13:10:04,118] INFO Exiting Kafka due to fatal signal (kafka.Kafka$)\n\
                    [2024-03-12 13:10:05,118] INFO Exiting Kafka due to fatal signal (kafka.Kafka$)\n\
                    [2024-03-12 13:10:06,118] INFO a fatal mistake, alone (kafka.Kafka$)\n";
        let at = |needle: &[u8]| memchr::memmem::find(buf, needle).unwrap();
        let second = at(b"05,118] INFO Exiting") + 13;
        assert_eq!(pf.find_with_levels(buf, 0, buf.len()), Some((at(b"Exiting"), false)));
        assert_eq!(pf.find_with_levels(buf, at(b"signal"), buf.len()), Some((second, false)));
        // A search that starts inside the rule literal does not find it, as the rules' own search would not.
        let inside = at(b"Exiting") + 2;
        assert_eq!(pf.find_with_levels(buf, inside, buf.len()), Some((at(b"fatal signal"), true)));
        assert_eq!(pf.find(buf, inside, buf.len()), Some(second));
        assert_eq!(pf.find_with_levels(buf, second + 27, buf.len()), Some((at(b"fatal mistake"), true)));
    }

    /// Error classes are searched as their shared piece `Error`, in the rules' own search and in a mining scan
    /// alike: the piece takes one place, and a hit is a rule's when the bytes around it hold a rule's literal.
    #[test]
    fn error_classes_are_searched_as_their_shared_piece() {
        let pack = crate::rules::Pack::embedded().unwrap();
        let pf = pack.prefilter.as_ref().unwrap();
        let searched = pf.searched();
        assert!(searched.contains(&b"Error".to_vec()));
        assert!(searched.iter().all(|l| l.as_slice() == b"Error" || !contains(l, b"Error")), "{searched:?}");
        let with_class = (0..pack.rules().len()).filter(|&r| {
            pf.literals(r).iter().any(|l| l.len() > 5 && contains(l, b"Error") && !l.starts_with(b"Error"))
        });
        assert!(with_class.count() >= 5, "rules whose literal names an error class");
        let mining = mining_literals(searched, &held(searched));
        assert_eq!(mining.iter().filter(|l| contains(l, b"Error")).count(), 1, "{mining:?}");
        let line =
            b"2024-03-12 13:10:04,118 INFO  c.s.r.Intake - SyntaxError: Unexpected token < in JSON at position 0";
        let at = memchr::memmem::find(line, b"Error: Unexpected").unwrap();
        assert_eq!(pf.find(line, 0, line.len()), Some(at));
        assert_eq!(pf.find_with_levels(line, 0, line.len()), Some((at, false)));
        let mut seen = PatternSet::new(pack.rules().len());
        let mut rules = Vec::new();
        pf.candidate_rules(line, at, &mut seen, &mut rules);
        let named: Vec<&str> = rules.iter().map(|&r| pack.rules()[r].id.as_str()).collect();
        assert!(named.iter().any(|id| id.starts_with("json.")), "{named:?}");
        rules.clear();
        let plain = b"2024-03-12 13:10:04,118 INFO  c.s.r.Intake - an Error, alone";
        let at = memchr::memmem::find(plain, b"Error").unwrap();
        pf.candidate_rules(plain, at, &mut seen, &mut rules);
        assert!(rules.is_empty(), "{rules:?}");
    }

    /// Every shared piece that two or more of the pack's literals hold is searched in their place (one Teddy place
    /// for all of them, in both searches), and a hit names the rules whose whole literal is there, and no other.
    #[test]
    fn shared_pieces_take_one_place_for_the_literals_that_hold_them() {
        let pack = crate::rules::Pack::embedded().unwrap();
        let pf = pack.prefilter.as_ref().unwrap();
        let searched = pf.searched();
        let mining = mining_literals(searched, &held(searched));
        for piece in SHARED_PIECES {
            let holders: Vec<_> =
                (0..pack.rules().len()).flat_map(|r| pf.literals(r)).filter(|l| contains(l, piece)).collect();
            assert!(holders.len() >= 2, "{}: {holders:?}", String::from_utf8_lossy(piece));
            assert!(searched.iter().all(|l| l.as_slice() == *piece || !contains(l, piece)), "{searched:?}");
            assert_eq!(mining.iter().filter(|l| contains(l, piece)).count(), 1, "{mining:?}");
        }
        let id = |r: usize| pack.rules()[r].id.as_str();
        let mut seen = PatternSet::new(pack.rules().len());
        let mut rules = Vec::new();
        let zk = b"[2024-03-12 13:10:04,118] WARN Too many connections from /10.42.0.17 - max is 60 \
            (org.apache.zookeeper.server.NIOServerCnxnFactory)";
        let at = memchr::memmem::find(zk, b"Too many ").unwrap();
        assert_eq!(pf.find(zk, 0, zk.len()), Some(at));
        pf.candidate_rules(zk, at, &mut seen, &mut rules);
        assert!(
            rules.iter().any(|&r| id(r).starts_with("zk.")),
            "{:?}",
            rules.iter().map(|&r| id(r)).collect::<Vec<_>>()
        );
        rules.clear();
        let other = b"2024-03-12 13:10:04,118 INFO  c.s.r.Intake - Too many requests queued, slowing down";
        let at = memchr::memmem::find(other, b"Too many ").unwrap();
        pf.candidate_rules(other, at, &mut seen, &mut rules);
        assert!(rules.is_empty(), "{rules:?}");
    }

    /// The one search of a mining scan agrees with the rules' own search from every start in the pack's examples
    /// and counterexamples: a hit it calls a rule's is where the rules' search finds one, and a hit it calls a
    /// level literal's comes before the first rule literal (the rest of the line is searched from past it).
    #[test]
    fn the_mining_search_agrees_with_the_rules_search() {
        let pack = crate::rules::Pack::embedded().unwrap();
        let pf = pack.prefilter.as_ref().unwrap();
        let mut text = Vec::new();
        for rule in pack.rules() {
            let lines =
                rule.examples.iter().map(|e| e.line.as_str()).chain(rule.counterexamples.iter().map(|c| c.0.as_str()));
            for line in lines {
                text.extend_from_slice(line.as_bytes());
                text.push(b'\n');
            }
        }
        let (mut rule_hits, mut level_hits) = (0, 0);
        for start in 0..text.len() {
            let rules = pf.find(&text, start, text.len());
            match pf.find_with_levels(&text, start, text.len()) {
                Some((at, false)) => {
                    assert_eq!(Some(at), rules, "from {start}");
                    rule_hits += 1;
                }
                Some((at, true)) => {
                    assert!(rules.is_none_or(|r| at < r), "from {start}: level hit {at}, rule literal at {rules:?}");
                    level_hits += 1;
                }
                None => assert_eq!(rules, None, "from {start}"),
            }
        }
        assert!(rule_hits > 1000 && level_hits > 1000, "{rule_hits} {level_hits}");
    }

    #[test]
    fn counterexamples_steer_the_searched_literal() {
        let pack = crate::rules::Pack::embedded().unwrap();
        let pf = pack.prefilter.as_ref().unwrap();
        let i = pack.rules().iter().position(|r| r.id == "es.low-watermark").unwrap();
        // `low disk watermark [` is in the `... no longer exceeded on` counterexample; `] exceeded on [` is not.
        assert_eq!(pf.literals(i), [b"] exceeded on [".to_vec()]);
        // Whatever set was chosen, each example still holds one of its literals.
        for (i, rule) in pack.rules().iter().enumerate() {
            for e in &rule.examples {
                assert!(pf.literals(i).iter().any(|l| contains(e.line.as_bytes(), l)), "{}: {}", rule.id, e.line);
            }
        }
    }

    #[test]
    fn required_literals_turn_away_the_counterexamples() {
        let pack = crate::rules::Pack::embedded().unwrap();
        let pf = pack.prefilter.as_ref().unwrap();
        let i = pack.rules().iter().position(|r| r.id == "agent.check-dns").unwrap();
        let rule = &pack.rules()[i];
        let candidates = |line: &str| {
            let mut out = Vec::new();
            pf.candidate_rules(line.as_bytes(), 0, &mut PatternSet::new(pack.rules().len()), &mut out);
            out
        };
        // Its near miss (a refused connection) holds the main literal, but not the DNS messages.
        for (line, _) in &rule.counterexamples {
            assert!(pf.literals(i).iter().any(|l| contains(line.as_bytes(), l)), "{line}");
            assert!(candidates(line).contains(&i), "{line}");
            assert!(!pf.required_hold(i, line.as_bytes()), "{line}");
        }
        for e in &rule.examples {
            assert!(candidates(&e.line).contains(&i), "{}", e.line);
            assert!(pf.required_hold(i, e.line.as_bytes()), "{}", e.line);
        }
    }

    /// A rule whose whole pattern is one literal, searched by a shorter piece it declares, has that literal to
    /// check: a line holding only the piece runs no regex.
    #[test]
    fn a_literal_pattern_is_required_whole() {
        let pack = tiny_pack(&[rule_toml(
            "t.bootstrap",
            r"ConfigException: No resolvable bootstrap urls given in bootstrap\.servers",
            "xception",
            "org.apache.kafka.common.config.ConfigException: No resolvable bootstrap urls given in bootstrap.servers",
            "",
        )]);
        let pf = pack.prefilter.as_ref().unwrap();
        assert_eq!(pf.literals(0), [b"xception".to_vec()]);
        let near =
            b"2024-03-12 13:10:04,118 ERROR c.s.Sink - org.apache.kafka.common.config.ConfigException: Invalid url";
        assert!(!pf.required_hold(0, near));
        for e in &pack.rules()[0].examples {
            assert!(pf.required_hold(0, e.line.as_bytes()), "{}", e.line);
        }
    }
}
