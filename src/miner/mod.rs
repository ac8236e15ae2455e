//! Online log template miner: groups messages into templates (`Connection from <*> port <*>`) as they arrive,
//! with one configuration for every kind of log, bounded memory, deterministic results, and a merge for
//! states mined in parallel.
//!
//! # What it is for
//!
//! stackscan feeds it every WARN/ERROR/FATAL record that no rule explained (one miner per component); the report
//! lists the top templates with their counts, first and last seen times and samples, which the caller keeps in
//! each template's [`Payload`]. `stackscan templates` mines every line of its input. Each message is assigned to
//! a template at arrival ([`Miner::add`] returns its id), so tail mode and a one-shot scan agree.
//!
//! # How a message is placed
//!
//! 1. **Bounds.** The first `max_line_bytes` (1 KiB) are read, at most `max_tokens` (64) tokens kept; the rest
//!    becomes one trailing variable.
//! 2. **Tokens.** Whitespace and `= , ; ( ) [ ] { } " |` separate tokens; so do quotes at word boundaries, a
//!    trailing `. : ! ?`, and the `:` of `key:value` after an alphabetic key. Each token gets a *class* from its
//!    form alone:
//!    - *variable*: anything with a digit (numbers, hex, IPs, ids, sizes, durations, versions), paths, URLs,
//!      `true`/`false`/`null`, a unit word after a number (`16 KB`, `5 ms`), month and weekday names around a
//!      number (`Wed Jun 15 02:04:59 2005`);
//!    - *word*: letters only, lower, upper or capitalised (`password`, `LOOKING`), and enum-like `FAIL_CLEANUP`;
//!    - *key*: a word followed by `=` or `:` (`uid=`, `Kind:`), not dotted;
//!    - *identifier*: the rest (camelCase, dotted, dashed: `chrome.exe`, `onExtend`, `com.apple.foo`);
//!    - *punctuation*.
//!
//!    Adjacent variables become one (`1190 bytes (1.16 KB)` is one `<*>`), so values of varying length do not
//!    change the token count. Nothing is specific to a system: no regex names a log.
//! 3. **Same-length templates** are judged against the message (constants compared by hash, in creation order):
//!    - every constant equal: an *exact* fit (the most specific exact fit wins);
//!    - otherwise a *close* fit when no strong token (word, key, punctuation) differs from a non-variable, and
//!      the equal constants are at least twice the cost of the differing ones (1 each, 2 at the first position,
//!      which usually names the event). The differing positions become variables.
//!
//!    A differing *word* is never taken for a variable on one line's evidence: `Failed password` and
//!    `Failed none`, `Transitioned from NEW` and `from RUNNING`, `client SPP` and `client WindowsUpdateAgent`
//!    are different events far more often than not. Drain-style similarity thresholds merge them; this rule is
//!    what made most of the difference in accuracy (average GA 0.86 → 0.95 on the labelled sets).
//! 4. **Siblings.** Words that *are* variables (user names, services) are found by their diversity instead:
//!    templates equal but at one position (after the first) are merged, that position becoming a variable,
//!    once they show 3 distinct lower-case values there (in templates with more than three constants) or 6 of
//!    any case. `session opened for user root/news/cyrus` merges; `VM Started/Stopped/Paused/Resumed` and
//!    `LOOKING/FOLLOWING/LEADING` stay apart.
//! 5. **Variable length.** A message with no same-length fit may fit a shorter template whose variables each
//!    take several tokens (a glob): a variable takes as many tokens as it was collapsed from, and beyond that
//!    only variables and identifiers, never words (so `rhost=<*>` does not swallow `rhost=<*> user=root`).
//! 6. Otherwise the message starts a new template.
//!
//! When a template generalises, adjacent variables collapse and its text and id change; a template whose text
//! becomes equal to another's *is* that template (they merge), and longer templates that fit the new one as a
//! glob join it too (so a template made before its general form existed does not stay apart). The old ids are
//! kept as aliases: [`Miner::resolve`] maps any id ever returned to the template it became.
//!
//! # What was tried (average over the 11 labelled loghub-2k systems, `Content` column)
//!
//! | step | GA | FGA |
//! |---|---|---|
//! | digits → `<*>`, Drain-like similarity ≥ 0.5 over same-length templates | 0.863 | 0.814 |
//! | differing plain words never merge | 0.880 | 0.870 |
//! | + sibling merging by diversity (user names) | 0.956 | 0.942 |
//! | + a word never merges with an identifier; `UPPER_SNAKE` is a word | 0.984 | 0.940 |
//! | + date names, dotted names are not keys, cut tokens are variables | 0.984 | 0.951 |
//! | + longer templates join a new glob-general one | 0.988 | 0.958 |
//!
//! A first-token tree (Drain) was not needed: the strong-token rule and the double cost at the first position
//! keep events apart, and a variable first token (`chrome.exe`, `com.apple.foo:`) is still allowed to vary.
//!
//! # Identity and merging
//!
//! A template is identified by its canonical text (variables as `<*>`, whitespace runs as one space); its id is
//! a stable 64-bit FNV-1a hash of that text, the same in every run, chunk and thread. [`Miner::merge`] re-offers
//! the templates of both sides, with their counts, stamps and examples, to a fresh miner in a canonical order
//! (first stamp, then text, last stamp, count). Its guarantee:
//!
//! - **exact commutativity**: `a.merge(b)` and `b.merge(a)` give identical states (same templates, ids,
//!   counts, stamps, examples), because the result depends only on the union of the two sides;
//! - **canonicalisation**: a template that is less general on one side (`x 5 y`, `x foo y`) than on the other
//!   (`x <*> y`) joins the general one, as a message would; equal texts add up;
//! - every id that either side returned resolves to a template of the merged state;
//! - associativity and independence from where the chunks were cut hold when the chunks show the same
//!   templates (realistic: chunks of one log), not for adversarial inputs; the tests check shuffled chunkings.
//!
//! # Bounds and determinism
//!
//! At most `max_templates` templates: creating one more evicts the least recently seen (by an internal arrival
//! counter; after a merge, by the caller's last stamp), one sixteenth of the cap at a time, counted in [`Stats`].
//! Examples: `max_examples` (3) per variable, the earliest distinct ones by stamp, each at most 64 bytes. Aliases
//! are pruned to the live templates past 4 per template; the caches are emptied past 4 entries per template.
//! Time is the caller's: stamps are passed in, never read from a clock. There is no I/O, no randomness, and
//! the maps use a fixed hasher, so the same input gives the same templates and ids.
//!
//! # Cost
//!
//! A message whose *shape* (token count, constants, variable positions) was seen is placed through a cache
//! keyed by that shape, checked against a version of the groups it depends on, so the cache never changes an
//! outcome. That path tokenises into a reused buffer and allocates nothing, unless an example is recorded (at
//! most `max_examples` per variable). A message whose *skeleton* (its bytes, each digit run as one digit) was
//! placed before, under the same group versions, into a template that wants no more examples, is placed without
//! being tokenised: one hash over its bytes and one map lookup (a test mines with every cache cleared before each
//! line and gets identical results). Most of a miner's work is learning: the first lines of each template
//! take the slow path and fill the caches. So a long input is not mined in independent blocks, which would learn
//! its templates once per block, but in rounds of blocks, each block started from a [`Miner::seed`] of the round
//! before's last block ([`lines::mine_stream`]). `benches/compare.sh` measures
//! `stackscan templates --whole-line --threads 1`.
//!
//! # Snapshots
//!
//! A miner serialises (serde) to its templates, aliases and counters, and deserialises to a miner that goes on
//! exactly as the saved one would have (the caches and indexes are rebuilt): tail mode keeps its miners in its
//! checkpoint, so a restart assigns the next lines as an uninterrupted run does.

pub mod lines;
mod template;
#[cfg(test)]
mod tests;
mod token;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use template::{
    add_example, glob, judge, merge_examples, shape_hash, skeletons, Cluster, Example, Fit, GLOB_BIT, GLOB_SPAN,
    SIBLINGS_ANY, SIBLINGS_LOWER, SIBLING_CONSTANTS,
};
use token::{hash_bytes, push_tok, skeleton_hash, tokenize, Class, Tok, MIX};
/// A template's identity: a stable 64-bit hash (FNV-1a) of its canonical text.
pub type TemplateId = u64;

/// The miner's bounds. The grouping itself has no knobs: one behaviour for every log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Templates kept at most; past it the least recently seen one is evicted (and counted).
    pub max_templates: usize,
    /// Example values kept per variable (the earliest distinct ones).
    pub max_examples: usize,
    /// Bytes of a message that are tokenised (cut at a character boundary).
    pub max_line_bytes: usize,
    /// Tokens of a message that are kept; the rest becomes one trailing variable.
    pub max_tokens: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { max_templates: 1000, max_examples: 3, max_line_bytes: 1024, max_tokens: 64 }
    }
}

/// What the caller keeps per template beside the miner's own counts (first and last seen times, samples, ...).
/// A template that absorbs another (same text, a generalisation, a merge of two miners) absorbs its payload:
/// `absorb` must be commutative and associative for merges to be order-free.
pub trait Payload: Clone + Default {
    /// Folds `other` into `self`.
    fn absorb(&mut self, other: &Self);
}

impl Payload for () {
    fn absorb(&mut self, _: &Self) {}
}

/// A read-only view of one template.
#[derive(Debug, Clone, Copy)]
pub struct Template<'a, P = ()> {
    c: &'a Cluster<P>,
}

impl<'a, P> Template<'a, P> {
    /// The stable id (the FNV-1a hash of [`Template::text`]).
    pub fn id(&self) -> TemplateId {
        self.c.id
    }

    /// The canonical text, variables as `<*>`.
    pub fn text(&self) -> &'a str {
        &self.c.text
    }

    /// Lines assigned to it.
    pub fn count(&self) -> u64 {
        self.c.count
    }

    /// The smallest caller stamp of its lines.
    pub fn first(&self) -> u64 {
        self.c.first
    }

    /// The largest caller stamp of its lines.
    pub fn last(&self) -> u64 {
        self.c.last
    }

    /// Per variable, in order: its earliest distinct example values.
    pub fn examples(&self) -> impl Iterator<Item = Vec<&'a str>> + 'a {
        self.c.examples.iter().map(|v| v.iter().map(|e| &*e.value).collect())
    }

    /// The caller's payload.
    pub fn payload(&self) -> &'a P {
        &self.c.payload
    }
}

/// Counters of what the bounds cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Messages added.
    pub lines: u64,
    /// Templates evicted by the cap.
    pub evicted_templates: u64,
    /// Lines that the evicted templates had.
    pub evicted_lines: u64,
    /// Messages cut at `max_line_bytes` or `max_tokens`.
    pub truncated: u64,
    /// Messages that missed the shape cache and were placed by scanning (a cost figure, not an outcome).
    pub cache_misses: u64,
}

impl Stats {
    /// Adds `o`'s counts.
    pub fn add(&mut self, o: &Stats) {
        self.lines += o.lines;
        self.evicted_templates += o.evicted_templates;
        self.evicted_lines += o.evicted_lines;
        self.truncated += o.truncated;
        self.cache_misses += o.cache_misses;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The miner

/// The templates of one token count, in creation order, with a version bumped on every change.
#[derive(Debug, Clone, Default)]
struct Group {
    slots: Vec<u32>,
    version: u64,
    /// The same templates by their first token, each list in creation order: a message whose first token is a
    /// word, key or punctuation fits only templates that start with a variable or with that very token (a
    /// differing strong token never fits), one that starts with an identifier those and the templates that start
    /// with an identifier. The scans look at those alone: a flood of templates of one length that start with
    /// distinct words costs no more than a few.
    var_first: Vec<u32>,
    ident_first: Vec<u32>,
    by_first: Map<u64, Vec<u32>>,
}

impl Group {
    /// The templates of this group a message starting with `first` may fit (same-length fits), in creation order
    /// (`seq` gives a slot's); all of them when `first` is a variable.
    fn candidates<'a>(&'a self, first: Option<&Tok>, seq: impl Fn(u32) -> u64, out: &'a mut Vec<u32>) -> &'a [u32] {
        let Some(l0) = first.filter(|l| l.class != Class::Var) else { return &self.slots };
        out.clear();
        out.extend_from_slice(&self.var_first);
        out.extend_from_slice(self.by_first.get(&l0.hash).map_or(&[][..], |v| &v[..]));
        if l0.class == Class::Ident {
            out.extend_from_slice(&self.ident_first);
        }
        out.sort_unstable_by_key(|&s| seq(s));
        out.dedup();
        out
    }

    /// The templates of this group a longer message starting with `first` may fit as a glob (their first token
    /// is a variable or equal to it), in any order.
    fn glob_candidates<'a>(&'a self, first: Option<&Tok>, out: &'a mut Vec<u32>) -> &'a [u32] {
        match first {
            None => &self.slots,
            Some(l0) if l0.class == Class::Var => &self.var_first,
            Some(l0) => {
                out.clear();
                out.extend_from_slice(&self.var_first);
                out.extend_from_slice(self.by_first.get(&l0.hash).map_or(&[][..], |v| &v[..]));
                out
            }
        }
    }

    /// Adds a template (creation order `seq`, first token `first`) to the indexes.
    fn insert(&mut self, slot: u32, first: Option<(Class, u64)>, seq: impl Fn(u32) -> u64 + Copy) {
        let put = |v: &mut Vec<u32>| {
            let at = v.partition_point(|&s| seq(s) < seq(slot));
            v.insert(at, slot);
        };
        put(&mut self.slots);
        match first {
            None => {}
            Some((Class::Var, _)) => put(&mut self.var_first),
            Some((class, hash)) => {
                put(self.by_first.entry(hash).or_default());
                if class == Class::Ident {
                    put(&mut self.ident_first);
                }
            }
        }
    }

    /// Takes a template (creation order `seq`, first token `first`) out of the indexes.
    fn remove(&mut self, slot: u32, first: Option<(Class, u64)>, seq: impl Fn(u32) -> u64 + Copy, at: u64) {
        // The lists are in creation order: the template is found by its own, in a few steps.
        let take = |v: &mut Vec<u32>| {
            let k = v.partition_point(|&s| seq(s) < at);
            if v.get(k) == Some(&slot) {
                v.remove(k);
            } else {
                v.retain(|&s| s != slot);
            }
        };
        take(&mut self.slots);
        match first {
            None => {}
            Some((Class::Var, _)) => take(&mut self.var_first),
            Some((class, hash)) => {
                if let Some(v) = self.by_first.get_mut(&hash) {
                    take(v);
                    if v.is_empty() {
                        self.by_first.remove(&hash);
                    }
                }
                if class == Class::Ident {
                    take(&mut self.ident_first);
                }
            }
        }
    }
}

/// The examples and payload of a template offered by another miner (in a merge), `None` for a message.
type Offered<'a, P> = Option<(&'a [Vec<Example>], &'a P)>;

/// A message skeleton the miner placed before: where, under which [`Miner::signature`], for messages of how many
/// tokens (see [`token::skeleton_hash`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Quick {
    slot: u32,
    sig: u64,
    tokens: u32,
}

/// The online template miner. See the module documentation for the algorithm and its guarantees.
#[derive(Debug, Clone)]
pub struct Miner<P = ()> {
    cfg: Config,
    slots: Vec<Option<Cluster<P>>>,
    free: Vec<u32>,
    live: usize,
    /// Templates by token count.
    groups: Vec<Group>,
    /// A message shape → the template the scan picks for it, with the [`Miner::signature`] it depends on. A
    /// pure cache: an entry is used only while the groups it depends on are unchanged.
    shapes: Map<u64, (u32, u64)>,
    /// A message skeleton → what its shape's cache entry said, for messages whose template needs no more
    /// examples: such a message is placed without being tokenised. Valid under the same signature.
    quick: Map<u64, Quick>,
    ids: Map<TemplateId, u32>,
    /// Ids that templates had before they generalised or merged → what they became.
    aliases: Map<TemplateId, TemplateId>,
    /// Templates by skeleton, with the blanked position.
    siblings: Map<u64, Vec<(u32, u32)>>,
    /// Arrival counter (recency).
    tick: u64,
    /// Creation counter.
    seq: u64,
    stats: Stats,
    scratch: Vec<Tok>,
    /// Whether creating a template past the cap evicts (not while merging).
    evict: bool,
}

impl<P: Payload> Default for Miner<P> {
    fn default() -> Self {
        Miner::new(Config::default())
    }
}

impl<P: Payload> Miner<P> {
    /// A miner with these bounds.
    pub fn new(cfg: Config) -> Self {
        Miner {
            cfg,
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            groups: Vec::new(),
            shapes: Map::default(),
            quick: Map::default(),
            ids: Map::default(),
            aliases: Map::default(),
            siblings: Map::default(),
            tick: 0,
            seq: 0,
            stats: Stats::default(),
            scratch: Vec::new(),
            evict: true,
        }
    }

    /// The bounds this miner was built with.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Templates kept now.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no template is kept.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Adds one message seen at `stamp` (any caller-chosen order: a line number, an offset, milliseconds) and
    /// returns the id of the template it was assigned to at arrival. When that template later generalises or
    /// merges, its id changes; [`Miner::resolve`] follows it.
    pub fn add(&mut self, message: &str, stamp: u64) -> TemplateId {
        self.add_with(message, stamp, |_| {})
    }

    /// [`Miner::add`], then `update` on the payload of the template the message went to.
    pub fn add_with(&mut self, message: &str, stamp: u64, update: impl FnOnce(&mut P)) -> TemplateId {
        self.add_weighted(message, (stamp, stamp), 1, update)
    }

    /// Adds `weight` messages equal to `message` but for the values of their variables (records of one log line
    /// but for their numbers, say), seen from stamp `first` to `last`, then `update` on the payload: where adding
    /// them one by one would have put them, with the same counts and stamps; only `message`'s values become
    /// examples.
    pub fn add_weighted(
        &mut self,
        message: &str,
        stamps: (u64, u64),
        weight: u64,
        update: impl FnOnce(&mut P),
    ) -> TemplateId {
        let at = self.tick + 1;
        self.add_weighted_at(message, stamps, weight, at, update)
    }

    /// Lines added so far, as counted for recency (the least recently seen template is the one whose last line
    /// came the fewest arrivals ago).
    pub fn arrivals(&self) -> u64 {
        self.tick
    }

    /// [`Miner::add_weighted`] for a caller that groups lines and adds each group once: its template counts as
    /// seen at arrival `at` (the arrival count of the group's last line, at or past [`Miner::arrivals`] when
    /// the grouping began), so that a group seen often is not the least recently seen for having been added first.
    pub fn add_weighted_at(
        &mut self,
        message: &str,
        (first, last): (u64, u64),
        weight: u64,
        at: u64,
        update: impl FnOnce(&mut P),
    ) -> TemplateId {
        let now = self.tick;
        self.tick = at;
        let id = self.add_counted(message, (first, last), weight, update);
        self.tick = now.max(at);
        id
    }

    /// Adds `weight` messages at the current arrival count.
    fn add_counted(
        &mut self,
        message: &str,
        (first, last): (u64, u64),
        weight: u64,
        update: impl FnOnce(&mut P),
    ) -> TemplateId {
        self.stats.lines += weight;
        let short = message.len() <= self.cfg.max_line_bytes;
        // A skeleton placed before, under the same signature, whose template wants no more examples: the
        // outcome is the one tokenising would give (see `token::skeleton_hash`), without tokenising.
        let skeleton = if short { skeleton_hash(message.as_bytes()) } else { 0 };
        if short {
            if let Some(q) = self.quick.get(&skeleton).copied().filter(|&q| self.quick_holds(q)) {
                let id = self.account(q.slot, "", &[], weight, first, last, None);
                update(&mut self.cluster_mut(q.slot).payload);
                return id;
            }
        }
        self.add_slow(message, (first, last), weight, short, skeleton, update)
    }

    /// Whether a skeleton cache entry still holds (its signature is unchanged) and its template wants no more
    /// examples: a message it names then goes where tokenising it would put it, and adds nothing else.
    fn quick_holds(&self, q: Quick) -> bool {
        let glob = q.sig & GLOB_BIT != 0;
        q.sig == self.signature(q.tokens as usize, glob)
            && (glob || self.cluster(q.slot).examples_full(self.cfg.max_examples))
    }

    /// [`Miner::add_weighted`] by tokenising (`short`: within the byte bound; `skeleton`: its hash then).
    fn add_slow(
        &mut self,
        message: &str,
        (first, last): (u64, u64),
        weight: u64,
        short: bool,
        skeleton: u64,
        update: impl FnOnce(&mut P),
    ) -> TemplateId {
        let mut msg = message;
        if !short {
            msg = crate::frame::cut(msg, self.cfg.max_line_bytes);
        }
        let mut toks = std::mem::take(&mut self.scratch);
        let capped = tokenize(msg, self.cfg.max_tokens.max(2), &mut toks);
        if !short || capped {
            self.stats.truncated += weight;
        }
        if !short {
            // The last token may be cut short: it is a variable.
            if let Some(last) = toks.pop() {
                let var = Tok { class: Class::Var, hash: 0, ..last };
                push_tok(msg.as_bytes(), &mut toks, var);
            }
        }
        let n = toks.len();
        let shape = shape_hash(&toks);
        let cached =
            self.shapes.get(&shape).copied().filter(|&(slot, sig)| {
                sig == self.signature(n, sig & GLOB_BIT != 0) && self.fits_cached(slot, &toks, sig)
            });
        let (id, slot, entry) = match cached {
            Some((slot, sig)) => {
                (self.account(slot, msg, &toks, weight, first, last, None), Some(slot), Some((slot, sig)))
            }
            None => {
                self.stats.cache_misses += 1;
                let (id, found) = self.offer(msg, &toks, weight, first, last, None);
                let slot = found.map(|f| f.0);
                // What a scan picks for this shape now: the offer's own pick when it changed nothing.
                let found = found.or_else(|| match self.scan(&toks) {
                    Some((slot, Fit::Exact, _)) => Some((slot, false)),
                    Some((_, Fit::Close, _)) => None,
                    None => self.glob_candidate(&toks).map(|s| (s, true)),
                });
                let entry = found.map(|(slot, glob)| (slot, self.signature(n, glob)));
                if let Some(e) = entry {
                    if self.shapes.len() >= 4 * self.cfg.max_templates + 256 {
                        self.shapes.clear();
                    }
                    self.shapes.insert(shape, e);
                }
                (id, slot, entry)
            }
        };
        if let (true, false, Some((slot, sig))) = (short, capped, entry) {
            if self.quick.len() >= 4 * self.cfg.max_templates + 256 {
                self.quick.clear();
            }
            self.quick.insert(skeleton, Quick { slot, sig, tokens: n as u32 });
        }
        self.scratch = toks;
        let slot = slot.or_else(|| self.ids.get(&self.resolve(id)).copied());
        if let Some(slot) = slot {
            update(&mut self.cluster_mut(slot).payload);
        }
        id
    }

    /// The current id of the template that `id` was (following generalisations and merges); `id` itself when it
    /// is current or unknown (evicted, or its alias pruned).
    pub fn resolve(&self, id: TemplateId) -> TemplateId {
        let mut id = id;
        for _ in 0..1024 {
            if self.ids.contains_key(&id) {
                return id;
            }
            match self.aliases.get(&id) {
                Some(&next) => id = next,
                None => return id,
            }
        }
        id
    }

    /// The template with this id (resolved first).
    pub fn get(&self, id: TemplateId) -> Option<Template<'_, P>> {
        self.ids.get(&self.resolve(id)).map(|&s| Template { c: self.cluster(s) })
    }

    /// The templates, in order of creation.
    pub fn templates(&self) -> impl Iterator<Item = Template<'_, P>> {
        let mut v: Vec<&Cluster<P>> = self.slots.iter().flatten().collect();
        v.sort_by_key(|c| c.seq);
        v.into_iter().map(|c| Template { c })
    }

    /// Merges another miner (of another chunk, thread or file) into this one. See the module documentation
    /// for the guarantee: the result depends only on the union of both sides, so `a.merge(b)` equals
    /// `b.merge(a)`; less general templates join more general ones; ids from either side resolve; evictions past
    /// the cap go by the last stamp; counters add up.
    pub fn merge(&mut self, other: Miner<P>) {
        let cfg = self.cfg.clone();
        let mine = std::mem::replace(self, Miner::new(cfg.clone()));
        let mut stats = mine.stats;
        stats.add(&other.stats);
        let mut aliases = mine.aliases;
        for (k, v) in other.aliases {
            aliases.entry(k).and_modify(|e| *e = (*e).min(v)).or_insert(v);
        }
        let mut all: Vec<Cluster<P>> = mine.slots.into_iter().chain(other.slots).flatten().collect();
        all.sort_by(|a, b| (a.first, &a.text, a.last, a.count).cmp(&(b.first, &b.text, b.last, b.count)));
        self.evict = false;
        self.aliases = aliases;
        for c in &all {
            let (src, toks) = c.as_message();
            self.tick += 1;
            let (id, _) = self.offer(&src, &toks, c.count, c.first, c.last, Some((&c.examples, &c.payload)));
            self.alias(c.id, id);
        }
        self.evict = true;
        // Recency after a merge is the caller's last stamp.
        let mut order: Vec<(u64, TemplateId, u32)> =
            self.slots.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| (c.last, c.id, i as u32))).collect();
        order.sort_unstable();
        for (tick, &(_, _, slot)) in order.iter().enumerate() {
            self.cluster_mut(slot).tick = tick as u64;
        }
        self.tick = order.len() as u64;
        let before = self.stats;
        self.evict_some(self.live.saturating_sub(cfg.max_templates.max(1)));
        stats.evicted_templates += self.stats.evicted_templates - before.evicted_templates;
        stats.evicted_lines += self.stats.evicted_lines - before.evicted_lines;
        self.stats = stats;
    }

    /// Folds `other` in as if its templates arrived now, each with its counts, stamps, examples and payload, in
    /// the order of their first stamps: what mining `other`'s lines after this miner's would have made, for
    /// inputs whose parts show the same templates. Unlike [`Miner::merge`] it does not rebuild this miner, so its
    /// cost is `other`'s size alone, and it is not commutative: the scanner folds the miners of its work units
    /// with it, in input order, which makes the result the same whatever the number of threads.
    pub fn absorb(&mut self, other: Miner<P>) {
        self.stats.add(&other.stats);
        for (k, v) in other.aliases {
            self.aliases.entry(k).or_insert(v);
        }
        // Templates of a seed that saw no line there add nothing.
        let mut all: Vec<Cluster<P>> = other.slots.into_iter().flatten().filter(|c| c.count > 0).collect();
        // Recency: the other's order of last sight, after everything here.
        let mut recency: Vec<(u64, u64)> = all.iter().map(|c| (c.tick, c.seq)).collect();
        recency.sort_unstable();
        let base = self.tick;
        all.sort_by(|a, b| (a.first, &a.text, a.last, a.count).cmp(&(b.first, &b.text, b.last, b.count)));
        let mut last = base;
        for c in &all {
            let (src, toks) = c.as_message();
            let rank = recency.binary_search(&(c.tick, c.seq)).unwrap_or(0) as u64;
            self.tick = base + 1 + rank;
            last = last.max(self.tick);
            let (id, _) = self.offer(&src, &toks, c.count, c.first, c.last, Some((&c.examples, &c.payload)));
            self.alias(c.id, id);
        }
        self.tick = last;
    }

    /// A miner that goes on from this one's templates, caches and examples but counts none of their lines yet:
    /// lines added to it are placed as they would be here, and [`Miner::absorb`] of it into this miner (or a
    /// later state of it) adds only the templates that saw lines. Mining blocks of one input each from the state
    /// before them learns the input's templates once instead of once per block.
    pub fn seed(&self) -> Miner<P> {
        let mut m = self.clone();
        m.stats = Stats::default();
        for c in m.slots.iter_mut().flatten() {
            c.count = 0;
            c.first = u64::MAX;
            c.last = 0;
            c.payload = P::default();
        }
        m
    }

    /// Renumbers recency: the templates' arrival counts become their ranks (1 for the least recently seen) and
    /// the miner's count the number of templates. Which template is evicted next, and how later lines are
    /// grouped, stay as they were (they depend on the order alone); what changes is that two miners holding the
    /// same templates in the same order of recency become equal, however their lines arrived (one thread, or
    /// work units absorbed in order), and so do their snapshots.
    pub fn renumber(&mut self) {
        let mut order: Vec<(u64, u64, u32)> =
            self.slots.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| (c.tick, c.seq, i as u32))).collect();
        order.sort_unstable();
        for (rank, &(_, _, slot)) in order.iter().enumerate() {
            self.cluster_mut(slot).tick = rank as u64 + 1;
        }
        self.tick = order.len() as u64;
    }

    /// The payload of the template with this id (resolved first).
    pub fn payload_mut(&mut self, id: TemplateId) -> Option<&mut P> {
        let slot = *self.ids.get(&self.resolve(id))?;
        Some(&mut self.cluster_mut(slot).payload)
    }

    /// Applies `f` to every template's payload.
    pub fn payloads_mut(&mut self, mut f: impl FnMut(&mut P)) {
        for c in self.slots.iter_mut().flatten() {
            f(&mut c.payload);
        }
    }

    /// A miner holding exactly what a snapshot held: the templates (with their counts, stamps, recency,
    /// examples and payloads), aliases, counters and arrival and creation counters. Nothing is re-grouped, so
    /// a restored miner assigns the next lines exactly as the miner that was saved would have.
    fn from_snapshot(s: Snapshot<P>) -> Miner<P> {
        let mut m = Miner::new(s.config);
        let mut templates = s.templates;
        templates.sort_by_key(|c| c.seq);
        for mut c in templates {
            c.restore();
            if m.ids.contains_key(&c.id) {
                continue;
            }
            m.put(c);
        }
        m.aliases = s.aliases.into_iter().collect();
        m.tick = s.tick;
        m.seq = s.seq;
        m.stats = s.stats;
        m
    }

    fn cluster(&self, slot: u32) -> &Cluster<P> {
        self.slots[slot as usize].as_ref().expect("a live slot")
    }

    fn cluster_mut(&mut self, slot: u32) -> &mut Cluster<P> {
        self.slots[slot as usize].as_mut().expect("a live slot")
    }

    /// A cached exact fit is checked again (a shape hash could collide); a glob fit is trusted.
    fn fits_cached(&self, slot: u32, toks: &[Tok], sig: u64) -> bool {
        sig & GLOB_BIT != 0 || matches!(judge(&self.cluster(slot).toks, toks), Some((Fit::Exact, _)))
    }

    /// What a cached outcome for an `n`-token message depends on: the version of its group for an exact fit;
    /// for a glob fit, also those of the shorter groups the candidates come from (a sum: versions only grow),
    /// marked with [`GLOB_BIT`].
    fn signature(&self, n: usize, glob: bool) -> u64 {
        let hi = (n + 1).min(self.groups.len());
        let lo = if glob { n.saturating_sub(GLOB_SPAN).min(hi) } else { n.min(hi) };
        let sum: u64 = self.groups[lo..hi].iter().map(|g| g.version).sum();
        if glob {
            sum | GLOB_BIT
        } else {
            sum & !GLOB_BIT
        }
    }

    /// Finds or makes the template of `toks` (spans of `src`), accounts `weight` lines to it and returns its id,
    /// with the slot when nothing changed (and whether it was a glob fit). `offered` (examples and payload) is
    /// given when a template of another miner is offered.
    fn offer(
        &mut self,
        src: &str,
        toks: &[Tok],
        weight: u64,
        first: u64,
        last: u64,
        offered: Offered<'_, P>,
    ) -> (TemplateId, Option<(u32, bool)>) {
        let max_ex = self.cfg.max_examples;
        let id = match self.scan(toks) {
            Some((slot, Fit::Exact, _)) => {
                return (self.account(slot, src, toks, weight, first, last, offered), Some((slot, false)));
            }
            Some((slot, Fit::Close, _)) => {
                let diff: Vec<usize> = self
                    .cluster(slot)
                    .toks
                    .iter()
                    .zip(toks)
                    .enumerate()
                    .filter(|(_, (t, l))| t.class != Class::Var && (l.class == Class::Var || l.hash != t.hash))
                    .map(|(i, _)| i)
                    .collect();
                let mut c = self.uninstall(slot);
                let old = c.id;
                c.generalize(&diff, Some((src, toks, first)), max_ex);
                let id = self.install(c);
                self.alias(old, id);
                id
            }
            None => match self.glob_candidate(toks) {
                Some(slot) => {
                    return (self.account(slot, src, toks, weight, first, last, offered), Some((slot, true)));
                }
                None => self.create(src, toks, first),
            },
        };
        let slot = self.ids[&self.resolve(id)];
        (self.account(slot, src, toks, weight, first, last, offered), None)
    }

    /// The same-length template the message fits best (exact fits first), if any.
    fn scan(&self, toks: &[Tok]) -> Option<(u32, Fit, (u32, u32))> {
        let mut best: Option<(u32, Fit, (u32, u32))> = None;
        let group = self.groups.get(toks.len())?;
        let mut buf = Vec::new();
        for &slot in group.candidates(toks.first(), |s| self.cluster(s).seq, &mut buf) {
            if let Some((fit, score)) = judge(&self.cluster(slot).toks, toks) {
                if best.is_none_or(|b| score > b.2) {
                    best = Some((slot, fit, score));
                }
            }
        }
        best
    }

    /// A shorter template that the message fits as a glob: the one with the most constants, then the oldest.
    fn glob_candidate(&self, toks: &[Tok]) -> Option<u32> {
        let n = toks.len();
        let mut best: Option<(usize, u64, u32)> = None;
        let mut buf = Vec::new();
        for m in n.saturating_sub(GLOB_SPAN).max(1)..n {
            let Some(group) = self.groups.get(m) else { continue };
            for &slot in group.glob_candidates(toks.first(), &mut buf) {
                let c = self.cluster(slot);
                let consts = c.consts;
                if consts == 0 || consts == m || n - m > c.glob_slack() {
                    continue;
                }
                let end_fits =
                    |t: &template::TTok, l: &Tok| t.class == Class::Var || (l.class != Class::Var && l.hash == t.hash);
                if !end_fits(&c.toks[0], &toks[0]) || !end_fits(&c.toks[m - 1], &toks[n - 1]) {
                    continue;
                }
                if glob(&c.toks, toks) && best.is_none_or(|b| (consts, u64::MAX - c.seq) > (b.0, b.1)) {
                    best = Some((consts, u64::MAX - c.seq, slot));
                }
            }
        }
        best.map(|b| b.2)
    }

    /// Accounts `weight` lines of a message (or of an offered template, with its examples and payload) to `slot`.
    #[allow(clippy::too_many_arguments)]
    fn account(
        &mut self,
        slot: u32,
        src: &str,
        toks: &[Tok],
        weight: u64,
        first: u64,
        last: u64,
        offered: Offered<'_, P>,
    ) -> TemplateId {
        let tick = self.tick;
        let max_ex = self.cfg.max_examples;
        let c = self.cluster_mut(slot);
        c.count += weight;
        c.first = c.first.min(first);
        c.last = c.last.max(last);
        c.tick = tick;
        if let Some((_, payload)) = offered {
            c.payload.absorb(payload);
        }
        match offered.map(|o| o.0) {
            None if c.toks.len() == toks.len() => c.record_examples(src, toks, first, max_ex),
            Some(ex) if c.toks.len() == toks.len() => {
                // An offered template: its variables' examples, or its constant where this one has a variable.
                let mut theirs = ex.iter();
                let mut mine = c.examples.iter_mut();
                for (tt, lt) in c.toks.iter().zip(toks) {
                    let their = if lt.class == Class::Var { theirs.next() } else { None };
                    if tt.class != Class::Var {
                        continue;
                    }
                    let Some(list) = mine.next() else { break };
                    match their {
                        Some(t) => merge_examples(list, t, max_ex),
                        None => add_example(list, &src[lt.start as usize..lt.end as usize], first, max_ex),
                    }
                }
            }
            Some(ex) if ex.len() == c.examples.len() => {
                for (mine, theirs) in c.examples.iter_mut().zip(ex) {
                    merge_examples(mine, theirs, max_ex);
                }
            }
            _ => {}
        }
        c.id
    }

    fn create(&mut self, src: &str, toks: &[Tok], stamp: u64) -> TemplateId {
        if self.evict && self.live >= self.cfg.max_templates.max(1) {
            self.evict_some((self.cfg.max_templates / 16).max(1));
        }
        let mut c = Cluster::from_message(src, toks, stamp, self.seq);
        c.tick = self.tick;
        self.seq += 1;
        self.install(c)
    }

    /// Puts a template in a slot and the indexes and returns its id; a template with the same text already there
    /// absorbs it instead. Then merges the siblings that now show enough distinct values at one position.
    fn install(&mut self, c: Cluster<P>) -> TemplateId {
        let id = c.id;
        if let Some(&other) = self.ids.get(&id) {
            let max_ex = self.cfg.max_examples;
            self.cluster_mut(other).absorb(&c, max_ex);
            return id;
        }
        self.aliases.remove(&id);
        let consts = c.consts;
        let (_, skeletons) = self.put(c);
        let slots = &self.slots;
        let mut ripe = None;
        for (_, key) in skeletons {
            let list = self.siblings.get(&key).map_or(&[][..], |l| &l[..]);
            if ripe.is_none() && list.len() >= SIBLINGS_LOWER {
                let lower = consts > SIBLING_CONSTANTS
                    && list.iter().all(|&(s, p)| {
                        let t = &slots[s as usize].as_ref().expect("a live slot").toks[p as usize];
                        !t.text.starts_with(|c: char| c.is_ascii_uppercase())
                    });
                if lower || list.len() >= SIBLINGS_ANY {
                    ripe = Some(key);
                }
            }
        }
        let id = match ripe {
            Some(key) => self.merge_siblings(key, id),
            None => id,
        };
        self.absorb_longer(id)
    }

    /// Puts a template in a free slot and the indexes (ids, its length's group, siblings), as it is; returns
    /// the slot and the template's skeletons.
    fn put(&mut self, c: Cluster<P>) -> (u32, Vec<(usize, u64)>) {
        let id = c.id;
        let n = c.toks.len();
        let seq = c.seq;
        let skeletons = skeletons(&c.toks);
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(c);
                s
            }
            None => {
                self.slots.push(Some(c));
                (self.slots.len() - 1) as u32
            }
        };
        self.live += 1;
        self.ids.insert(id, slot);
        if self.groups.len() <= n {
            self.groups.resize_with(n + 1, Group::default);
        }
        let slots = &self.slots;
        let group = &mut self.groups[n];
        group.version += 1;
        let first = slots[slot as usize].as_ref().and_then(|c| c.toks.first()).map(|t| (t.class, t.hash));
        let seq_of = |s: u32| slots[s as usize].as_ref().map_or(u64::MAX, |c| c.seq);
        debug_assert_eq!(seq_of(slot), seq);
        group.insert(slot, first, seq_of);
        for &(pos, key) in &skeletons {
            self.siblings.entry(key).or_default().push((slot, pos as u32));
        }
        (slot, skeletons)
    }

    /// Longer templates that fit the template `id` as a glob (as a message would) join it: a template made
    /// before a more general one of another length existed does not stay apart.
    fn absorb_longer(&mut self, id: TemplateId) -> TemplateId {
        let Some(&slot) = self.ids.get(&id) else { return id };
        let c = self.cluster(slot);
        let n = c.toks.len();
        if c.consts == 0 || c.consts == n {
            return id;
        }
        let mut longer = Vec::new();
        let mut buf = Vec::new();
        let first =
            c.toks.first().map(|t| Tok { sep: 0, start: 0, end: 0, hash: t.hash, class: t.class, span: t.span });
        for m in n + 1..=(n + c.glob_slack()).min(n + GLOB_SPAN) {
            let Some(group) = self.groups.get(m) else { continue };
            // A template starting with a variable takes any first token; one starting with a constant, the
            // templates that start with it.
            let candidates: &[u32] = match first {
                Some(f) if f.class != Class::Var => group.by_first.get(&f.hash).map_or(&[][..], |v| &v[..]),
                _ => group.glob_candidates(None, &mut buf),
            };
            for &other in candidates {
                let as_message: Vec<Tok> = self
                    .cluster(other)
                    .toks
                    .iter()
                    .map(|t| Tok { sep: 0, start: 0, end: 0, hash: t.hash, class: t.class, span: t.span })
                    .collect();
                if glob(&c.toks, &as_message) {
                    longer.push(other);
                }
            }
        }
        let max_ex = self.cfg.max_examples;
        for other in longer {
            let o = self.uninstall(other);
            self.cluster_mut(slot).absorb(&o, max_ex);
            self.alias(o.id, id);
        }
        id
    }

    /// Merges the templates that share the skeleton `key` into one with a variable at the blanked position.
    /// Returns what `id` became.
    fn merge_siblings(&mut self, key: u64, id: TemplateId) -> TemplateId {
        let mut members = self.siblings.get(&key).cloned().unwrap_or_default();
        members.sort_by_key(|&(s, _)| self.cluster(s).seq);
        let Some(&(_, pos)) = members.first() else { return id };
        let pos = pos as usize;
        let max_ex = self.cfg.max_examples;
        let clusters: Vec<Cluster<P>> = members.iter().map(|&(s, _)| self.uninstall(s)).collect();
        let mut values: Vec<Example> =
            clusters.iter().map(|c| Example { stamp: c.first, value: c.toks[pos].text.clone() }).collect();
        values.sort();
        let mut base = clusters[0].clone();
        let len_before = base.toks.len();
        base.generalize(&[pos], None, max_ex);
        if base.toks.len() == len_before {
            // The new variable's examples: the earliest constants it replaced.
            let vi = base.toks[..pos].iter().filter(|t| t.class == Class::Var).count();
            merge_examples(&mut base.examples[vi], &values, max_ex);
        }
        for c in &clusters[1..] {
            base.count += c.count;
            base.first = base.first.min(c.first);
            base.last = base.last.max(c.last);
            base.tick = base.tick.max(c.tick);
            base.payload.absorb(&c.payload);
        }
        let new_id = self.install(base);
        for c in &clusters {
            self.alias(c.id, new_id);
        }
        self.resolve(id)
    }

    /// Takes a template out of its slot and the indexes.
    fn uninstall(&mut self, slot: u32) -> Cluster<P> {
        let first = self.cluster(slot).toks.first().map(|t| (t.class, t.hash));
        let (n, at) = (self.cluster(slot).toks.len(), self.cluster(slot).seq);
        if let Some(group) = self.groups.get_mut(n) {
            let slots = &self.slots;
            group.remove(slot, first, |s| slots[s as usize].as_ref().map_or(u64::MAX, |c| c.seq), at);
            group.version += 1;
        }
        let c = self.slots[slot as usize].take().expect("a live slot");
        self.live -= 1;
        self.free.push(slot);
        self.ids.remove(&c.id);
        for (_, key) in skeletons(&c.toks) {
            if let Some(list) = self.siblings.get_mut(&key) {
                list.retain(|&(s, _)| s != slot);
                if list.is_empty() {
                    self.siblings.remove(&key);
                }
            }
        }
        c
    }

    /// Records that `old` became `new`; past 16 aliases per template, those of evicted templates are dropped.
    fn alias(&mut self, old: TemplateId, new: TemplateId) {
        if old == new || self.ids.contains_key(&old) {
            return;
        }
        self.aliases.insert(old, new);
        if self.aliases.len() > 4 * self.cfg.max_templates + 64 {
            let dead: Vec<TemplateId> =
                self.aliases.keys().copied().filter(|&k| !self.ids.contains_key(&self.resolve(k))).collect();
            for k in dead {
                self.aliases.remove(&k);
            }
        }
    }

    /// Evicts the `batch` least recently seen templates. Creating a template past the cap evicts one sixteenth of
    /// the cap at a time, so that a flood of new templates costs one partial sort per batch rather than a pass
    /// over every template per line.
    fn evict_some(&mut self, batch: usize) {
        let mut order: Vec<(u64, u64, u32)> =
            self.slots.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| (c.tick, c.seq, i as u32))).collect();
        let batch = batch.min(order.len());
        if batch == 0 {
            return;
        }
        order.select_nth_unstable(batch - 1);
        for &(_, _, slot) in &order[..batch] {
            let c = self.uninstall(slot);
            // A template of a seed that saw no line here is still where the seed came from.
            if c.count > 0 {
                self.stats.evicted_templates += 1;
                self.stats.evicted_lines += c.count;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Snapshots (serde)

/// A miner as saved: enough to restore it exactly (the caches and indexes are rebuilt).
#[derive(Deserialize)]
#[serde(bound = "P: Deserialize<'de>")]
struct Snapshot<P> {
    config: Config,
    templates: Vec<Cluster<P>>,
    #[serde(default)]
    aliases: Vec<(TemplateId, TemplateId)>,
    tick: u64,
    seq: u64,
    #[serde(default)]
    stats: Stats,
}

/// [`Snapshot`] borrowing the miner.
#[derive(Serialize)]
#[serde(bound = "P: Serialize")]
struct SnapshotRef<'a, P> {
    config: &'a Config,
    templates: Vec<&'a Cluster<P>>,
    aliases: Vec<(TemplateId, TemplateId)>,
    tick: u64,
    seq: u64,
    stats: Stats,
}

impl<P: Payload + Serialize> Serialize for Miner<P> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut templates: Vec<&Cluster<P>> = self.slots.iter().flatten().collect();
        templates.sort_by_key(|c| c.seq);
        let mut aliases: Vec<(TemplateId, TemplateId)> = self.aliases.iter().map(|(&a, &b)| (a, b)).collect();
        aliases.sort_unstable();
        SnapshotRef { config: &self.cfg, templates, aliases, tick: self.tick, seq: self.seq, stats: self.stats }
            .serialize(s)
    }
}

impl<'de, P: Payload + Deserialize<'de>> Deserialize<'de> for Miner<P> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Snapshot::deserialize(d).map(Miner::from_snapshot)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Hashing

/// The hasher of the miner's maps: fixed (no per-process seed), fast on keys that are already hashes.
#[derive(Default, Clone, Copy)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(bytes) ^ self.0.rotate_left(23);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(23) ^ n).wrapping_mul(MIX);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<MixHasher>>;
/// FNV-1a (64-bit) of the template text: the stable template id.
fn template_id(text: &str) -> TemplateId {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in text.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
