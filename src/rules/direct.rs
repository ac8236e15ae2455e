//! Captures without a regex engine, for the patterns most rules are written as: literals and capture groups of
//! character runs between them (`low disk watermark \[(?P<watermark>[^\]]+)\] exceeded on \[...`).
//!
//! In a storm every line is a match, and a regex engine pays per byte for its generality (the one-pass DFA moves
//! slots at each step; it was a fifth of a dense Elasticsearch scan). Such a pattern needs no search at all when
//! every choice in it is decided by the next byte: a run of `[^\]]` ends at the first `]`, and the `\]` after it
//! can only start there. [`Direct::build`] accepts a pattern only when that holds for each of its choices, so
//! following the pattern byte by byte gives exactly the leftmost-first match of the regex; anything else
//! (alternations, look-arounds, runs that could end in several places) is left to the regex. One exception is
//! made, because it is the common way to end a pattern: a run that may hold the literal after it, when that
//! literal ends the pattern (`message \[(?P<message>[^\n]*)\]`), ends at the literal's last occurrence in the
//! run's reach, which is where the greedy regex ends it too.
//!
//! Patterns are parsed byte-oriented (see `rules/hir.rs`), so a class is a set of bytes and this is exact for any
//! input, UTF-8 or not.

use regex_automata::util::primitives::NonMaxUsize;
use regex_syntax::hir::{Class, Hir, HirKind};

/// A set of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct ByteSet([u64; 4]);

impl ByteSet {
    fn of(b: u8) -> ByteSet {
        let mut s = ByteSet::default();
        s.insert(b);
        s
    }

    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] >> (b & 63) & 1 == 1
    }

    fn union(self, o: ByteSet) -> ByteSet {
        ByteSet([self.0[0] | o.0[0], self.0[1] | o.0[1], self.0[2] | o.0[2], self.0[3] | o.0[3]])
    }

    fn meets(&self, o: &ByteSet) -> bool {
        self.0.iter().zip(&o.0).any(|(a, b)| a & b != 0)
    }

    /// The bytes of a class, or `None` for a class that holds characters beyond one byte.
    fn of_class(class: &Class) -> Option<ByteSet> {
        let mut s = ByteSet::default();
        match class {
            Class::Bytes(c) => c.iter().for_each(|r| (r.start()..=r.end()).for_each(|b| s.insert(b))),
            Class::Unicode(c) => {
                for r in c.iter() {
                    let (a, b) = (u8::try_from(u32::from(r.start())).ok()?, u8::try_from(u32::from(r.end())).ok()?);
                    if b > 0x7f {
                        return None;
                    }
                    (a..=b).for_each(|x| s.insert(x));
                }
            }
        }
        Some(s)
    }
}

/// One step of a program.
#[derive(Debug, Clone)]
enum Step {
    /// These bytes.
    Lit(Box<[u8]>),
    /// `min..=max` bytes of a set (`max` `None`: no bound), as many as there are (see `Direct`'s checks).
    Run {
        /// Membership of each byte.
        set: Box<[bool; 256]>,
        min: usize,
        max: Option<usize>,
        /// As few as will do (`*?`): accepted only where `check` makes it the same as as many as there are.
        lazy: bool,
        /// The literal that ends the pattern after this run, when the run may hold it: the run then ends where
        /// the literal's last occurrence in its reach begins.
        to_last: Option<Box<[u8]>>,
    },
    /// Capture slot `n` takes the position.
    Slot(usize),
    /// One of several branches, each starting with bytes no other starts with: the next byte chooses.
    Alt {
        branches: Vec<Vec<Step>>,
        /// The branch each byte chooses (`u8::MAX`: none).
        choose: Box<[u8; 256]>,
        /// The slots the branches set.
        slots: Vec<usize>,
    },
    /// A zero-width assertion: `^`, `$`, or an ASCII word boundary (`\b`, `\B`).
    Look(regex_syntax::hir::Look),
    /// Optional steps (`(?:...)?`), taken when they match.
    Opt {
        body: Vec<Step>,
        /// The slots the body sets, cleared again when it does not match.
        slots: Vec<usize>,
    },
}

/// What can start a match of some steps.
#[derive(Debug, Clone, Copy)]
struct First {
    bytes: ByteSet,
    /// The steps match the empty string wherever they are tried (nothing in them must be seen).
    empty: bool,
    /// The steps may match the empty string (an assertion in them may hold).
    nullable: bool,
}

impl First {
    /// The end of a pattern.
    const END: First = First { bytes: ByteSet([0; 4]), empty: true, nullable: true };
    /// Nothing: for the steps' own start.
    const NONE: First = First { bytes: ByteSet([0; 4]), empty: false, nullable: false };
}

/// A pattern's captures as a program that never backtracks; see the module documentation.
#[derive(Debug, Clone)]
pub(crate) struct Direct {
    steps: Vec<Step>,
}

impl Direct {
    /// The program of `hir`, when every choice in it is decided by the next byte (else the regex is needed).
    pub(crate) fn build(hir: &Hir) -> Option<Direct> {
        let mut steps = Vec::new();
        translate(hir, &mut steps)?;
        check(&mut steps, First::END, true)?;
        // A pattern that can match the empty string is left to the regex (nothing in a pack is written so).
        if first(&steps, First::END).nullable {
            return None;
        }
        Some(Direct { steps })
    }

    /// The match of the pattern starting exactly at `at` in `line`, with its slots in `slots` (group 0's and every
    /// group's; unset groups `None`): the regex's leftmost-first match anchored at `at`. `false` when there is none
    /// (then `slots` hold stale values).
    pub(crate) fn match_at(&self, line: &[u8], at: usize, slots: &mut [Option<NonMaxUsize>]) -> bool {
        slots.iter_mut().for_each(|s| *s = None);
        let Some(end) = run(&self.steps, line, at, slots) else { return false };
        if slots.len() >= 2 {
            slots[0] = NonMaxUsize::new(at);
            slots[1] = NonMaxUsize::new(end);
        }
        true
    }
}

/// Appends the steps of `hir`, or `None` for a construct the programs do not have.
fn translate(hir: &Hir, out: &mut Vec<Step>) -> Option<()> {
    match hir.kind() {
        HirKind::Empty => {}
        HirKind::Literal(l) => match out.last_mut() {
            Some(Step::Lit(prev)) => *prev = [&prev[..], &l.0[..]].concat().into(),
            _ => out.push(Step::Lit(l.0.clone())),
        },
        HirKind::Class(c) => out.push(run_of(ByteSet::of_class(c)?, 1, Some(1), false)),
        HirKind::Capture(c) => {
            let g = c.index as usize;
            out.push(Step::Slot(2 * g));
            translate(&c.sub, out)?;
            out.push(Step::Slot(2 * g + 1));
        }
        HirKind::Concat(subs) => subs.iter().try_for_each(|s| translate(s, out))?,
        HirKind::Repetition(r) => {
            let set = match r.sub.kind() {
                HirKind::Class(c) => ByteSet::of_class(c),
                HirKind::Literal(l) if l.0.len() == 1 => Some(ByteSet::of(l.0[0])),
                _ => None,
            };
            match set {
                Some(set) => {
                    let (min, max) = (r.min as usize, r.max.map(|m| m as usize));
                    out.push(run_of(set, min, max, !r.greedy && max != Some(min)));
                }
                None if r.min == 0 && r.max == Some(1) && r.greedy => {
                    let mut body = Vec::new();
                    translate(&r.sub, &mut body)?;
                    let slots = body_slots(&body);
                    out.push(Step::Opt { body, slots });
                }
                None => return None,
            }
        }
        HirKind::Alternation(subs) => {
            let mut branches = Vec::with_capacity(subs.len());
            for sub in subs {
                let mut b = Vec::new();
                translate(sub, &mut b)?;
                branches.push(b);
            }
            // The table is filled once the branches are checked (`check`).
            let slots = branches.iter().flat_map(|b| body_slots(b)).collect();
            out.push(Step::Alt { branches, choose: Box::new([u8::MAX; 256]), slots });
        }
        HirKind::Look(l) => {
            use regex_syntax::hir::Look;
            match l {
                Look::Start | Look::End | Look::WordAscii | Look::WordAsciiNegate => out.push(Step::Look(*l)),
                _ => return None,
            }
        }
    }
    Some(())
}

fn run_of(set: ByteSet, min: usize, max: Option<usize>, lazy: bool) -> Step {
    let mut table = Box::new([false; 256]);
    (0..=255u8).for_each(|b| table[usize::from(b)] = set.contains(b));
    Step::Run { set: table, min, max, lazy, to_last: None }
}

fn set_of(table: &[bool; 256]) -> ByteSet {
    let mut s = ByteSet::default();
    (0..=255u8).filter(|&b| table[usize::from(b)]).for_each(|b| s.insert(b));
    s
}

/// Every slot the steps set, nested ones included.
fn body_slots(steps: &[Step]) -> Vec<usize> {
    let mut out = Vec::new();
    for s in steps {
        match s {
            Step::Slot(n) => out.push(*n),
            Step::Opt { slots, .. } | Step::Alt { slots, .. } => out.extend(slots),
            _ => {}
        }
    }
    out
}

/// What can start `steps` followed by something that starts with `then`. An assertion counts as every byte (a
/// run before it could end anywhere it holds) and keeps the steps from matching the empty string for sure.
fn first(steps: &[Step], then: First) -> First {
    let mut bytes = ByteSet::default();
    let mut sure = true;
    for s in steps {
        match s {
            Step::Look(_) => {
                bytes = ByteSet([u64::MAX; 4]);
                sure = false;
            }
            Step::Alt { branches, .. } => {
                let all = branches.iter().fold(ByteSet::default(), |a, b| a.union(first(b, First::NONE).bytes));
                return First { bytes: bytes.union(all), ..First::NONE };
            }
            Step::Lit(l) => return First { bytes: bytes.union(ByteSet::of(l[0])), ..First::NONE },
            Step::Run { set, min, .. } => {
                bytes = bytes.union(set_of(set));
                if *min > 0 {
                    return First { bytes, ..First::NONE };
                }
            }
            Step::Slot(_) => {}
            Step::Opt { body, .. } => bytes = bytes.union(first(body, First::NONE).bytes),
        }
    }
    First { bytes: bytes.union(then.bytes), empty: then.empty && sure, nullable: then.nullable }
}

/// Checks that every choice in `steps`, followed by something that starts with `then`, is decided by the next
/// byte (`outer`: nothing follows `then`, which is the pattern's end), and sets the runs that end at a final
/// literal. `None` when a choice is not so decided.
fn check(steps: &mut [Step], then: First, outer: bool) -> Option<()> {
    for i in 0..steps.len() {
        let after = &steps[i + 1..];
        let rest = first(after, then);
        let final_lit = final_literal(after).filter(|_| outer && then.empty).map(<[u8]>::to_vec);
        let only_slots_after = after.iter().all(|s| matches!(s, Step::Slot(_)));
        match &mut steps[i] {
            Step::Run { set, min, max, lazy, to_last } if *max != Some(*min) => {
                let lazy = *lazy;
                let meets = set_of(set).meets(&rest.bytes);
                // A greedy run that nothing needs to follow takes all it can; so does one that cannot run into
                // what follows it. A lazy run is the same as a greedy one only in the second case.
                if rest.empty && !lazy {
                    continue;
                }
                if !meets && !rest.empty {
                    continue;
                }
                match final_lit {
                    Some(l) if !lazy => *to_last = Some(l.into_boxed_slice()),
                    _ => return None,
                }
            }
            Step::Opt { body, .. } => {
                // Taken when it matches: right when what follows cannot start where it does, or may be empty.
                let b = first(body, First::END);
                if b.nullable || (b.bytes.meets(&rest.bytes) && !rest.empty) {
                    return None;
                }
                // A run in the body never ends at a final literal: the body may be skipped.
                check(body, rest, false)?;
            }
            Step::Alt { branches, choose, .. } => {
                // Chosen by the first byte: no branch may be empty, no two may start alike.
                let mut seen = ByteSet::default();
                for (k, b) in branches.iter_mut().enumerate() {
                    let f = first(b, First::END);
                    if f.nullable || f.bytes.meets(&seen) || k >= usize::from(u8::MAX) {
                        return None;
                    }
                    seen = seen.union(f.bytes);
                    (0..=255u8).filter(|&x| f.bytes.contains(x)).for_each(|x| choose[usize::from(x)] = k as u8);
                    check(b, rest, outer && then.empty && only_slots_after)?;
                }
            }
            _ => {}
        }
    }
    Some(())
}

/// The literal `steps` consist of, besides slots.
fn final_literal(steps: &[Step]) -> Option<&[u8]> {
    let mut lit = None;
    for s in steps {
        match s {
            Step::Slot(_) => {}
            Step::Lit(l) if lit.is_none() => lit = Some(&l[..]),
            _ => return None,
        }
    }
    lit
}

/// Follows `steps` from `at`: where they end, or `None` when they do not match there.
fn run(steps: &[Step], line: &[u8], mut at: usize, slots: &mut [Option<NonMaxUsize>]) -> Option<usize> {
    for s in steps {
        match s {
            Step::Lit(l) => {
                if !line.get(at..)?.starts_with(l) {
                    return None;
                }
                at += l.len();
            }
            Step::Run { set, min, max, to_last, .. } => {
                let reach = max.map_or(line.len(), |m| line.len().min(at + m));
                let n = line[at..reach].iter().take_while(|&&b| set[usize::from(b)]).count();
                let end = match to_last {
                    None => at + n,
                    Some(l) => {
                        // The literal's last start in the run's reach, at least `min` in.
                        let from = at + *min;
                        let hay = line.get(from..(at + n + l.len()).min(line.len()))?;
                        from + memchr::memmem::rfind(hay, l)?
                    }
                };
                if end - at < *min {
                    return None;
                }
                at = end;
            }
            Step::Slot(n) => {
                if let Some(slot) = slots.get_mut(*n) {
                    *slot = NonMaxUsize::new(at);
                }
            }
            Step::Look(l) => {
                if !holds(*l, line, at) {
                    return None;
                }
            }
            Step::Alt { branches, choose, slots: set } => {
                // A branch an earlier try of the steps took may have set its slots.
                unset(slots, set);
                let k = choose[usize::from(*line.get(at)?)];
                at = run(branches.get(usize::from(k))?, line, at, slots)?;
            }
            Step::Opt { body, slots: set } => match run(body, line, at, slots) {
                Some(end) => at = end,
                None => unset(slots, set),
            },
        }
    }
    Some(at)
}

/// Clears the slots numbered in `which`.
fn unset(slots: &mut [Option<NonMaxUsize>], which: &[usize]) {
    for &n in which {
        if let Some(s) = slots.get_mut(n) {
            *s = None;
        }
    }
}

/// Whether assertion `l` holds at `at` in `line`.
fn holds(l: regex_syntax::hir::Look, line: &[u8], at: usize) -> bool {
    use regex_syntax::hir::Look;
    let word = |i: Option<usize>| i.and_then(|i| line.get(i)).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
    let edge = word(at.checked_sub(1)) != word(Some(at));
    match l {
        Look::Start => at == 0,
        Look::End => at == line.len(),
        Look::WordAscii => edge,
        Look::WordAsciiNegate => !edge,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::meta::Regex;
    use regex_automata::Input;

    /// The pattern's program and its regex, parsed as the pack parses rules.
    fn both(pattern: &str) -> (Option<Direct>, Regex) {
        let hir = crate::rules::hir::parse(pattern).unwrap();
        let re = Regex::builder()
            .syntax(regex_automata::util::syntax::Config::new().unicode(false).utf8(false))
            .build_from_hir(&hir)
            .unwrap();
        (Direct::build(&hir), re)
    }

    /// The regex's leftmost-first match anchored at each position, against the program's.
    fn agree(d: &Direct, re: &Regex, line: &[u8]) {
        let mut caps = re.create_captures();
        let mut slots = vec![None; caps.slots().len()];
        for at in 0..=line.len() {
            re.search_captures(&Input::new(line).range(at..).anchored(regex_automata::Anchored::Yes), &mut caps);
            let got = d.match_at(line, at, &mut slots);
            assert_eq!(got, caps.is_match(), "{:?} at {at}", String::from_utf8_lossy(line));
            if got {
                assert_eq!(slots, caps.slots(), "{:?} at {at}", String::from_utf8_lossy(line));
            }
        }
    }

    #[test]
    fn accepts_the_patterns_decided_byte_by_byte() {
        for p in [
            r"low disk watermark \[(?P<w>[^\]]+)\] exceeded on \[(?P<id>[^\]]*)\]\[(?P<n>[^\]]*)\] free: (?P<f>[^,\s]+)",
            r"(?:index \[(?P<index>[^\]]+)\] )?blocked by: \[(?P<block>[A-Z_]+/\d+/[^\]]+)\]",
            r"\[(?P<item>\d+)\]: index \[(?P<i>[^\]]+)\], (?:type \[[^\]]*\], )?id \[(?P<d>[^\]]*)\], message \[(?P<m>[^\n]*)\]",
            r"Error running check (?P<check>[\w.-]+): (?P<error>.{1,200})",
            r"The request content was malformed:?\s*(?P<message>[^\n]*)",
            r"(?i)connection refused",
            r"x{2,3}y",
            r"\[(?:Errno|WinError) \d+\] (?:Connection refused|No connection could be made)\b",
        ] {
            assert!(both(p).0.is_some(), "{p}");
        }
    }

    #[test]
    fn leaves_choices_to_the_regex() {
        for p in [
            r"ab|ad",
            r"a\w*\bx",
            r"(?:ab|ac)d",
            r"(?:a|)a",
            r"dial tcp (?P<host>[\w.:-]+?):(?P<port>\d+)",
            r"(?P<a>.*) (?P<b>x)y",
            r"(?:ab)?a",
            r"x*",
            r"(?:ab)??c",
            r"a.*?",
        ] {
            assert!(both(p).0.is_none(), "{p}");
        }
    }

    /// Each accepted pattern gives the regex's match at every position of lines built to hit its edges: runs
    /// cut short, over long, holding the literal after them, lines ending anywhere, bytes beyond ASCII.
    #[test]
    fn matches_as_the_regex_does() {
        let cases: &[(&str, &[&str])] = &[
            (
                r"low disk watermark \[(?P<w>[^\]]+)\] exceeded on \[(?P<id>[^\]]*)\]\[(?P<n>[^\]]*)\] free: (?P<f>[^,\s]+)",
                &[
                    "[INFO ] low disk watermark [85%] exceeded on [Zx9][node-1][/data] free: 12.8gb[12.2%], replicas",
                    "low disk watermark [] exceeded on [][][] free: x",
                    "low disk watermark [85%] exceeded on [a][b][c] free: ",
                    "low disk watermark [85%] exceeded on [a][b][c] free: \u{e9}t\u{e9},x",
                    "low disk watermark [85%] exceeded on [a]b][c] free: 1 low disk watermark [9] exceeded on [][][] free: 2",
                ],
            ),
            (
                r"(?:index \[(?P<index>[^\]]+)\] )?blocked by: \[(?P<block>[A-Z_]+/\d+/[^\]]+)\]",
                &[
                    "reason=index [sts-2024.03.12] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded];]",
                    "index [a] index [b] blocked by: [X/1/y]",
                    "index [] blocked by: [X/1/y] index [a]blocked by: [X/1/y]",
                    "blocked by: [X/1/]",
                    "blocked by: [x/1/y]",
                ],
            ),
            (
                r"\[(?P<item>\d+)\]: index \[(?P<i>[^\]]+)\], (?:type \[[^\]]*\], )?id \[(?P<d>[^\]]*)\], message \[(?P<m>[^\n]*)\]",
                &[
                    "[0]: index [sts], type [_doc], id [59], message [ElasticsearchException[x [type=a]];]]]",
                    "[0]: index [sts], id [59], message [a]b]c",
                    "[0]: index [sts], type [_doc, id [59], message []",
                    "[12]: index [s], type [], id [], message [",
                ],
            ),
            (
                r"Error running check (?P<check>[\w.-]+): (?P<error>.{1,5})",
                &["Error running check ntp: abcdefgh", "Error running check ntp: ", "Error running check a.b-c: x\u{1}y"],
            ),
            (
                r"The request content was malformed:?\s*(?P<message>[^\n]*)",
                &["The request content was malformed:   Unexpected end", "The request content was malformed"],
            ),
            (r"(?i)connection refused", &["CONNECTION Refused", "connection refuse"]),
            (
                r"\[(?:Errno|WinError) \d+\] (?:Connection refused|No connection could be made)\b",
                &["[Errno 111] Connection refused", "[WinError 10061] No connection could be made x", "[Errno 1] Connection refusedx"],
            ),
            (r"\bfoo(?P<x>[a-z]*) \B", &["xfoo foo foobar  ", "foo", "foox - "]),
            (r"^ab$|^cd", &["ab", "abc", "cd", "xcd"]),
            (r"x{2,3}y", &["xxxxy", "xxy", "xy"]),
            (r"a(?P<b>b*?)c", &["abbbc", "ac", "abbb"]),
        ];
        for (p, lines) in cases {
            let (d, re) = both(p);
            let d = d.unwrap_or_else(|| panic!("{p}"));
            for line in *lines {
                agree(&d, &re, line.as_bytes());
                // Every prefix: lines cut anywhere.
                for cut in 0..line.len() {
                    agree(&d, &re, &line.as_bytes()[..cut]);
                }
            }
        }
    }

    /// Every rule of the embedded pack that gets a program gives the regex's match on its examples and
    /// counterexamples, and on each of them with one byte removed, doubled or replaced by a delimiter.
    #[test]
    fn the_packs_programs_match_as_its_regexes_do() {
        let pack = crate::rules::Pack::embedded_checked().unwrap();
        let mut planned = 0;
        for rule in pack.rules() {
            let Some(d) = Direct::build(&rule.hir) else { continue };
            planned += 1;
            let re = rule.regex();
            let lines =
                rule.examples.iter().map(|e| e.line.clone()).chain(rule.counterexamples.iter().map(|c| c.0.clone()));
            for line in lines {
                let b = line.as_bytes();
                agree(&d, re, b);
                for i in (0..b.len()).step_by(3) {
                    let mut v = b.to_vec();
                    v.remove(i);
                    agree(&d, re, &v);
                    for x in [b']', b' ', b'"', 0xe9] {
                        let mut v = b.to_vec();
                        v[i] = x;
                        agree(&d, re, &v);
                    }
                    let mut v = b.to_vec();
                    v.insert(i, b[i]);
                    agree(&d, re, &v);
                }
            }
        }
        eprintln!("{planned} of {} rules have a direct program", pack.rules().len());
        assert!(planned >= pack.rules().len() / 3, "{planned}");
    }

    /// Lines made of pieces of each pattern and of the bytes that end its runs, in any order: the program gives
    /// the regex's match at every position.
    mod random {
        use super::*;
        use proptest::prelude::*;

        const CASES: &[(&str, &[&str])] = &[
            (
                r"(?:index \[(?P<index>[^\]]+)\] )?blocked by: \[(?P<block>[A-Z_]+/\d+/[^\]]+)\]",
                &["index [", "] ", "blocked by: [", "X_", "/1/", "]", "a", " ", "[", "i"],
            ),
            (
                r"\[(?P<item>\d+)\]: index \[(?P<i>[^\]]+)\], (?:type \[[^\]]*\], )?id \[(?P<d>[^\]]*)\], message \[(?P<m>[^\n]*)\]",
                &["[0]: index [", "], ", "type [", "id [", "message [", "]", "[", "x", "1", ", "],
            ),
            (
                r"low disk watermark \[(?P<w>[^\]]+)\] exceeded on \[(?P<id>[^\]]*)\]\[(?P<n>[^\]]*)\] free: (?P<f>[^,\s]+)",
                &["low disk watermark [", "] exceeded on [", "][", "] free: ", "]", ",", " ", "9", "\u{e9}"],
            ),
            (
                r"\[(?:Errno|WinError) \d+\] (?:Connection refused|No connection could be made)\b",
                &["[Errno ", "[WinError ", "1", "] ", "Connection refused", "No connection could be made", "x", " "],
            ),
            (r"a(?P<b>b*?)c(?:d|ef)?(?P<g>[^xdef]{0,3})x", &["a", "b", "c", "d", "e", "f", "x", "y"]),
        ];

        proptest! {
            #[test]
            fn random_lines(case in 0..CASES.len(), picks in proptest::collection::vec(0usize..16, 0..14)) {
                let (pattern, pieces) = CASES[case];
                let (d, re) = both(pattern);
                let line: String = picks.iter().map(|&i| pieces[i % pieces.len()]).collect();
                agree(&d.unwrap(), &re, line.as_bytes());
            }
        }
    }
}
