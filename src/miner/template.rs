//! Templates: a template's tokens, counts, example values and payload, and how a message is judged against one
//! (an exact or close fit of the same length, or a glob fit of a longer message).

use super::token::{hash_bytes, Class, Tok, MIX};
use super::{template_id, Payload, TemplateId};
use serde::{Deserialize, Serialize};

/// A token of a template: a constant (with its text) or a variable, with the separator before it. Saved as
/// `[class, span, separator, text]`: a snapshot holds many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TTok {
    pub(super) class: Class,
    /// For a variable: how many positions of the lines it came from it stands for (adjacent variables collapse
    /// into one); a glob fit lets it take that many tokens of any kind.
    pub(super) span: u8,
    /// The hash of `text` (0 for a variable): recomputed when a snapshot is restored.
    pub(super) hash: u64,
    pub(super) sep: Box<str>,
    pub(super) text: Box<str>,
}

impl Serialize for TTok {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.class, self.span, &*self.sep, &*self.text).serialize(s)
    }
}

impl<'de> Deserialize<'de> for TTok {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (class, span, sep, text) = <(Class, u8, Box<str>, Box<str>)>::deserialize(d)?;
        Ok(TTok { class, span, hash: 0, sep, text })
    }
}

/// An example value of a variable, with the caller's stamp of the line it came from. Saved as `[stamp, value]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Example {
    pub(super) stamp: u64,
    pub(super) value: Box<str>,
}

impl Serialize for Example {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.stamp, &*self.value).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Example {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (stamp, value) = <(u64, Box<str>)>::deserialize(d)?;
        Ok(Example { stamp, value })
    }
}

/// The longest example value kept, in bytes (cut at a character boundary, with `…`): examples show what a
/// variable holds, and the bound keeps a template's memory small whatever its lines carry.
pub(super) const MAX_EXAMPLE_BYTES: usize = 64;

/// A template with its counts and the caller's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Cluster<P> {
    pub(super) toks: Vec<TTok>,
    /// The separator after the last token.
    pub(super) tail: Box<str>,
    /// The canonical text (rendered from the tokens).
    #[serde(skip)]
    pub(super) text: String,
    /// The hash of `text`.
    #[serde(skip)]
    pub(super) id: TemplateId,
    pub(super) count: u64,
    pub(super) first: u64,
    pub(super) last: u64,
    /// Recency for eviction: the miner's arrival counter when last seen.
    pub(super) tick: u64,
    /// Creation order (the order of scans and ties).
    pub(super) seq: u64,
    /// Per variable, in order: the earliest distinct values.
    pub(super) examples: Vec<Vec<Example>>,
    /// What the caller keeps per template (see [`Payload`]).
    pub(super) payload: P,
    /// Constants, and positions that collapsed variables add (`span - 1` summed): for the glob checks.
    #[serde(skip)]
    pub(super) consts: usize,
    #[serde(skip)]
    pub(super) extra: usize,
}

/// Whitespace runs become one space: spacing does not make templates differ.
pub(super) fn norm(sep: &str) -> Box<str> {
    let mut out = String::with_capacity(sep.len());
    let mut ws = false;
    for c in sep.chars() {
        if c.is_whitespace() {
            ws = true;
        } else {
            if ws {
                out.push(' ');
                ws = false;
            }
            out.push(c);
        }
    }
    if ws {
        out.push(' ');
    }
    out.into_boxed_str()
}

impl<P: Payload> Cluster<P> {
    /// A new template from a message's tokens.
    pub(super) fn from_message(src: &str, toks: &[Tok], stamp: u64, seq: u64) -> Cluster<P> {
        let tail_start = toks.last().map_or(0, |t| t.end as usize);
        let toks: Vec<TTok> = toks
            .iter()
            .map(|t| TTok {
                class: t.class,
                span: t.span,
                hash: t.hash,
                sep: norm(&src[t.sep as usize..t.start as usize]),
                text: if t.class == Class::Var { "".into() } else { src[t.start as usize..t.end as usize].into() },
            })
            .collect();
        let vars = toks.iter().filter(|t| t.class == Class::Var).count();
        let mut c = Cluster {
            toks,
            tail: norm(&src[tail_start..]),
            text: String::new(),
            id: 0,
            count: 0,
            first: stamp,
            last: stamp,
            tick: 0,
            seq,
            examples: vec![Vec::new(); vars],
            payload: P::default(),
            consts: 0,
            extra: 0,
        };
        c.render();
        c
    }

    /// Recomputes the text and the id from the tokens.
    pub(super) fn render(&mut self) {
        let mut t = String::new();
        for (i, tok) in self.toks.iter().enumerate() {
            t.push_str(if i == 0 { tok.sep.trim_start() } else { &tok.sep });
            t.push_str(if tok.class == Class::Var { "<*>" } else { &tok.text });
        }
        t.push_str(self.tail.trim_end());
        self.id = template_id(&t);
        self.text = t;
        self.consts = self.toks.iter().filter(|t| t.class != Class::Var).count();
        self.extra = self.toks.iter().map(|t| usize::from(t.span) - 1).sum();
    }

    /// Recomputes what a snapshot leaves out (constant hashes, text, id, counts of constants).
    pub(super) fn restore(&mut self) {
        for t in &mut self.toks {
            t.hash = if t.class == Class::Var { 0 } else { hash_bytes(t.text.as_bytes()) };
        }
        self.render();
    }

    /// How many tokens more than its length a message may have to fit this template as a glob.
    pub(super) fn glob_slack(&self) -> usize {
        self.extra + if self.consts >= 2 { (self.consts / 4).max(1) } else { 0 }
    }

    /// The template as a message (its text, `<*>` for variables) with its tokens as they are: for merging.
    pub(super) fn as_message(&self) -> (String, Vec<Tok>) {
        let mut src = String::new();
        let mut toks = Vec::with_capacity(self.toks.len());
        for t in &self.toks {
            let sep = src.len() as u32;
            src.push_str(&t.sep);
            let start = src.len() as u32;
            src.push_str(if t.class == Class::Var { "<*>" } else { &t.text });
            toks.push(Tok { sep, start, end: src.len() as u32, hash: t.hash, class: t.class, span: t.span });
        }
        src.push_str(&self.tail);
        (src, toks)
    }

    /// Makes the tokens at `positions` variables (their old text, and the message's values when one is given,
    /// become examples), then collapses adjacent variables into one and re-renders.
    pub(super) fn generalize(&mut self, positions: &[usize], message: Option<(&str, &[Tok], u64)>, max_ex: usize) {
        let mut per_tok: Vec<Vec<Example>> = Vec::with_capacity(self.toks.len());
        let mut old = std::mem::take(&mut self.examples).into_iter();
        for (i, tt) in self.toks.iter_mut().enumerate() {
            let mut list = if tt.class == Class::Var {
                old.next().unwrap_or_default()
            } else if positions.contains(&i) {
                tt.class = Class::Var;
                tt.hash = 0;
                vec![Example { stamp: self.first, value: cut_example(&std::mem::take(&mut tt.text)) }]
            } else {
                Vec::new()
            };
            if let (Class::Var, Some((src, toks, stamp))) = (tt.class, message) {
                let t = toks[i];
                add_example(&mut list, &src[t.start as usize..t.end as usize], stamp, max_ex);
            }
            per_tok.push(list);
        }
        let mut toks: Vec<TTok> = Vec::with_capacity(self.toks.len());
        let mut examples: Vec<Vec<Example>> = Vec::new();
        let mut prev_var = false;
        for (tt, list) in self.toks.drain(..).zip(per_tok) {
            let var = tt.class == Class::Var;
            match (var && prev_var, toks.last_mut(), examples.last_mut()) {
                (true, Some(prev), Some(prev_ex)) => {
                    join_examples(prev_ex, &list, &tt.sep);
                    prev.span = prev.span.saturating_add(tt.span);
                }
                _ => {
                    if var {
                        examples.push(list);
                    }
                    toks.push(tt);
                }
            }
            prev_var = var;
        }
        self.toks = toks;
        self.examples = examples;
        self.render();
    }

    /// Records the message's values as examples of the variables (a message of the template's length).
    pub(super) fn record_examples(&mut self, src: &str, toks: &[Tok], stamp: u64, max_ex: usize) {
        let mut lists = self.examples.iter_mut();
        for (tt, lt) in self.toks.iter().zip(toks) {
            if tt.class != Class::Var {
                continue;
            }
            let Some(list) = lists.next() else { return };
            if list.len() < max_ex {
                add_example(list, &src[lt.start as usize..lt.end as usize], stamp, max_ex);
            }
        }
    }

    /// Whether every variable holds `max_ex` examples: a line of the template's length then adds none (see
    /// [`Cluster::record_examples`]).
    pub(super) fn examples_full(&self, max_ex: usize) -> bool {
        self.examples.iter().all(|l| l.len() >= max_ex)
    }

    /// Takes `other`'s lines, stamps, recency, examples and payload (a template of the same text, or a merged
    /// sibling).
    pub(super) fn absorb(&mut self, other: &Cluster<P>, max_ex: usize) {
        self.payload.absorb(&other.payload);
        self.count += other.count;
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
        self.tick = self.tick.max(other.tick);
        self.seq = self.seq.min(other.seq);
        if self.toks.len() == other.toks.len() {
            for (d, o) in self.toks.iter_mut().zip(&other.toks) {
                d.span = d.span.max(o.span);
            }
        }
        if self.examples.len() == other.examples.len() {
            for (mine, theirs) in self.examples.iter_mut().zip(&other.examples) {
                merge_examples(mine, theirs, max_ex);
            }
        }
    }
}

/// Adds a value to a variable's examples: the earliest `max_ex` distinct values are kept.
pub(super) fn add_example(list: &mut Vec<Example>, value: &str, stamp: u64, max_ex: usize) {
    let value = cut_example(value);
    if &*value == "<*>" || list.iter().any(|e| e.value == value) {
        return;
    }
    if list.len() >= max_ex && list.last().is_some_and(|l| l.stamp <= stamp) {
        return;
    }
    list.push(Example { stamp, value });
    list.sort();
    list.truncate(max_ex);
}

/// An example value bounded to [`MAX_EXAMPLE_BYTES`].
pub(super) fn cut_example(value: &str) -> Box<str> {
    if value.len() <= MAX_EXAMPLE_BYTES {
        return value.into();
    }
    format!("{}…", crate::frame::cut(value, MAX_EXAMPLE_BYTES)).into_boxed_str()
}

/// Joins `theirs` into `mine`: the earliest `max_ex` distinct values of both.
pub(super) fn merge_examples(mine: &mut Vec<Example>, theirs: &[Example], max_ex: usize) {
    for e in theirs {
        if !mine.iter().any(|m| m.value == e.value) {
            mine.push(e.clone());
        }
    }
    mine.sort();
    mine.truncate(max_ex);
}

/// Two adjacent variables become one: examples of both that came from the same line join into one value.
pub(super) fn join_examples(into: &mut [Example], next: &[Example], sep: &str) {
    for e in into.iter_mut() {
        if let Some(n) = next.iter().find(|n| n.stamp == e.stamp) {
            let mut v = String::from(&*e.value);
            v.push_str(sep);
            v.push_str(&n.value);
            e.value = cut_example(&v);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Fitting a message to a template

/// How a message fits a template of its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fit {
    /// Every constant equal.
    Exact,
    /// Close enough: the differing constants become variables.
    Close,
}

/// Whether the message `l` fits template `t` of the same length, and a score (higher is better).
///
/// A constant that the message has differently is a mismatch. A strong token (word, key, punctuation) that
/// differs from a non-variable never fits. Other mismatches cost 1, at the first position 2; the message fits
/// when the equal constants are at least twice the cost. A template without an equal constant only takes
/// messages of variables.
pub(super) fn judge(t: &[TTok], l: &[Tok]) -> Option<(Fit, (u32, u32))> {
    let mut matched = 0u32;
    let mut cost = 0u32;
    let mut soft = false;
    for (i, (tt, lt)) in t.iter().zip(l).enumerate() {
        if tt.class == Class::Var {
            soft |= lt.class != Class::Var;
            continue;
        }
        if lt.class != Class::Var && lt.hash == tt.hash {
            matched += 1;
            continue;
        }
        if (tt.class.strong() && lt.class != Class::Var) || (lt.class.strong() && tt.class != Class::Var) {
            return None;
        }
        cost += if i == 0 { 2 } else { 1 };
    }
    if matched == 0 && (soft || cost > 0) {
        return None;
    }
    if cost == 0 {
        return Some((Fit::Exact, (u32::MAX, matched)));
    }
    (matched >= 2 * cost).then_some((Fit::Close, (matched, u32::MAX - cost)))
}

/// Whether `l` fits the shorter `t` with each variable of `t` taking one or more tokens and every constant
/// equal. A variable takes up to its span of tokens of any kind; past that, only variables and identifiers,
/// never words (`rhost=<*>` does not take `user=root`).
pub(super) fn glob(t: &[TTok], l: &[Tok]) -> bool {
    // First a necessary condition, in one pass: the constants occur in the message in order.
    let mut rest = l.iter();
    for c in t.iter().filter(|c| c.class != Class::Var) {
        if !rest.any(|x| x.class != Class::Var && x.hash == c.hash) {
            return false;
        }
    }
    let (m, n) = (t.len(), l.len());
    let w = n + 1;
    // ok[i * w + j]: t[i..] fits l[j..]
    let mut ok = vec![false; (m + 1) * w];
    ok[m * w + n] = true;
    for i in (0..m).rev() {
        for j in (0..n).rev() {
            ok[i * w + j] = if t[i].class == Class::Var {
                let span = usize::from(t[i].span);
                (1..=n - j)
                    .take_while(|&k| k <= span || matches!(l[j + k - 1].class, Class::Var | Class::Ident))
                    .any(|k| ok[(i + 1) * w + j + k])
            } else {
                l[j].class != Class::Var && l[j].hash == t[i].hash && ok[(i + 1) * w + j + 1]
            };
        }
    }
    ok[0]
}

/// A message's shape: its token count, its constants and where its variables are.
pub(super) fn shape_hash(toks: &[Tok]) -> u64 {
    let mut h = (toks.len() as u64).wrapping_mul(MIX);
    for t in toks {
        let v = if t.class == Class::Var { MIX } else { t.hash };
        h = (h.rotate_left(23) ^ v).wrapping_mul(0xff51_afd7_ed55_8ccd);
    }
    h
}

/// The skeletons of a template: for each word, key or identifier after the first position, a hash of the
/// template with that position blanked. Templates with an equal skeleton differ at that position only.
pub(super) fn skeletons(t: &[TTok]) -> Vec<(usize, u64)> {
    const P: u64 = 0x100_0000_01b3;
    const VAR: u64 = 0x5bd1_e995_1234_5678;
    const HOLE: u64 = 0x1b87_3593_9e37_79b9;
    let mut pw = Vec::with_capacity(t.len());
    let mut p = 1u64;
    for _ in t {
        pw.push(p);
        p = p.wrapping_mul(P);
    }
    let val = |x: &TTok| if x.class == Class::Var { VAR } else { x.hash | 1 };
    let total =
        t.iter().zip(&pw).fold((t.len() as u64).wrapping_mul(MIX), |h, (x, &p)| h.wrapping_add(val(x).wrapping_mul(p)));
    t.iter()
        .zip(&pw)
        .enumerate()
        .skip(1)
        .filter(|(_, (x, _))| matches!(x.class, Class::Word | Class::Key | Class::Ident))
        .map(|(i, (x, &p))| (i, total.wrapping_sub(val(x).wrapping_mul(p)).wrapping_add(HOLE.wrapping_mul(p))))
        .collect()
}

/// Distinct lower-case values at one position that make sibling templates (with more than
/// [`SIBLING_CONSTANTS`] constants) one template with a variable there.
pub(super) const SIBLINGS_LOWER: usize = 3;
/// Constants a template needs for [`SIBLINGS_LOWER`] to apply.
pub(super) const SIBLING_CONSTANTS: usize = 3;
/// Distinct values of any case at one position that make sibling templates one.
pub(super) const SIBLINGS_ANY: usize = 6;
/// How many tokens longer than a template a message may be to fit it as a glob.
pub(super) const GLOB_SPAN: usize = 16;
/// Marks a cached outcome that was a glob fit.
pub(super) const GLOB_BIT: u64 = 1 << 63;
