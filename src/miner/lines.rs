//! Mining every line of a text (`stackscan templates`): each line's message, or the whole line, goes to one
//! miner, optionally only the lines whose header says WARN or ERROR and above, and optionally remembering
//! which template each line went to (for scoring the miner on labelled data).
//!
//! Blocks of lines can be mined apart (on several threads) and joined in order with [`LineMiner::absorb`]: the
//! arrival ids remembered resolve, through the joined miner, to each line's final template.

use super::{Config, Miner, TemplateId};
use crate::frame::prefix::{self, Mode};
use crate::frame::{header, sanitize};
use crate::model::Level;
use crate::time::Zone;
use std::io::{self, Read};

/// What of a line is mined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// The line as it is.
    WholeLine,
    /// The message after the line's capture prefix and header ([`header::split`]).
    AfterHeader,
}

/// A miner fed lines.
#[derive(Debug, Clone)]
pub struct LineMiner {
    miner: Miner,
    message: Message,
    /// Only lines whose header level is at least this.
    level: Option<Level>,
    /// Capture prefixes (stern's need the input's first lines to be told).
    mode: Mode,
    /// The stamp of the next line: lines counted so far (the blocks before this one's included).
    next: u64,
    /// Per line, the id its template had when it arrived (0: not mined), when assignments are kept.
    assigned: Option<Vec<TemplateId>>,
}

impl LineMiner {
    /// A miner of lines, numbered from `first_line` (0-based), keeping each line's template when `assign`.
    pub fn new(cfg: Config, message: Message, level: Option<Level>, first_line: u64, assign: bool) -> Self {
        LineMiner {
            miner: Miner::new(cfg),
            message,
            level,
            mode: Mode::Auto,
            next: first_line,
            assigned: assign.then(Vec::new),
        }
    }

    /// A miner of the lines numbered from `first_line` that goes on from this one's templates (see
    /// [`Miner::seed`]): [`LineMiner::absorb`] of it adds only what its lines added.
    pub fn seed(&self, first_line: u64) -> Self {
        LineMiner {
            miner: self.miner.seed(),
            message: self.message,
            level: self.level,
            mode: self.mode,
            next: first_line,
            assigned: self.assigned.as_ref().map(|_| Vec::new()),
        }
    }

    /// Reads capture prefixes as `mode` says (see [`prefix::detect`]).
    pub fn mode(&mut self, mode: Mode) -> &mut Self {
        self.mode = mode;
        self
    }

    /// Mines the lines of `buf` (a final line without `\n` counts as a line).
    pub fn block(&mut self, buf: &[u8]) {
        let mut start = 0;
        while start < buf.len() {
            let end = memchr::memchr(b'\n', &buf[start..]).map_or(buf.len(), |i| start + i);
            self.line(&buf[start..end]);
            start = end + 1;
        }
    }

    /// Mines one line (without its `\n`).
    pub fn line(&mut self, raw: &[u8]) {
        let stamp = self.next;
        self.next += 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = String::from_utf8_lossy(raw);
        // What is mined is cleaned first, as the scan's section mines cleaned text: its escape sequences and control
        // characters dropped (mined raw, `ESC[2J` made a variable of `2J` and a template whose printing ate the text
        // after it) and its secrets hidden (a template's examples are the values of its variables, and a password's
        // value would be one). A line not mined (below `--level`) is not read for them.
        let id = match self.message {
            Message::WholeLine if self.level.is_none() => {
                Some(self.miner.add(&sanitize::redact(&sanitize::strip_controls(&text)), stamp))
            }
            _ => {
                let st = prefix::strip(text.as_bytes(), self.mode);
                let content = String::from_utf8_lossy(&st.content);
                let split = header::split(&content);
                let wanted = self.level.is_none_or(|l| split.level.is_some_and(|x| x >= l));
                let message = if self.message == Message::WholeLine { &text[..] } else { split.message };
                wanted.then(|| self.miner.add(&sanitize::redact(&sanitize::strip_controls(message)), stamp))
            }
        };
        if let Some(a) = &mut self.assigned {
            a.push(id.unwrap_or(0));
        }
    }

    /// Joins the miner of the lines that follow this one's (see [`Miner::absorb`]).
    pub fn absorb(&mut self, other: LineMiner) {
        self.miner.absorb(other.miner);
        self.next = self.next.max(other.next);
        if let (Some(a), Some(b)) = (&mut self.assigned, other.assigned) {
            a.extend(b);
        }
    }

    /// Lines read so far (the blocks before this one's included).
    pub fn lines(&self) -> u64 {
        self.next
    }

    /// The miner.
    pub fn miner(&self) -> &Miner {
        &self.miner
    }

    /// Per line, the final template it is in (`None`: not mined, or its template was evicted), when kept.
    pub fn assignments(&self) -> Option<impl Iterator<Item = Option<TemplateId>> + '_> {
        let a = self.assigned.as_ref()?;
        Some(a.iter().map(|&id| {
            if id == 0 {
                return None;
            }
            let r = self.miner.resolve(id);
            self.miner.get(r).map(|t| t.id())
        }))
    }
}

/// How [`mine_stream`] cuts its input: newline-aligned blocks of `size` bytes, mined on several threads in rounds
/// of `round` blocks. Each block of a round is mined from a seed of the round before's last block (see
/// [`LineMiner::seed`]: its templates and warm caches), so an input's templates are learnt in its first round
/// and reused after it; the blocks and rounds depend on the input alone, so the result is the same whatever the
/// number of threads (which a round bounds: at most `round` blocks are mined at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocks {
    /// Bytes read per block (a block ends at the last line end within them).
    pub size: usize,
    /// Blocks per round.
    pub round: usize,
}

impl Default for Blocks {
    fn default() -> Self {
        Blocks { size: 4 << 20, round: 4 }
    }
}

/// Mines the lines of `r`, numbered from `proto`'s count, into a miner configured as `proto` (an empty one):
/// blocks of a round `threads` at a time on `pool`, joined in input order. Capture prefixes are read as the first
/// block's lines show ([`prefix::detect`]).
pub fn mine_stream(
    proto: &LineMiner,
    r: &mut dyn Read,
    cut: Blocks,
    threads: usize,
    pool: &rayon::ThreadPool,
) -> io::Result<LineMiner> {
    let (size, round) = (cut.size.max(1), cut.round.max(1));
    let mut joined = proto.seed(proto.lines());
    let mut buf: Vec<u8> = Vec::new();
    let mut mode = None;
    let mut eof = false;
    // What the blocks of the current round start from, and how many of its blocks are mined.
    let mut seed: Option<LineMiner> = None;
    let mut in_round = 0;
    while !eof {
        // Up to `threads` blocks of the round, each ending at a line end.
        let batch = threads.clamp(1, round - in_round);
        let mut blocks: Vec<Vec<u8>> = Vec::with_capacity(batch);
        while blocks.len() < batch && !eof {
            let had = buf.len();
            r.take(size as u64).read_to_end(&mut buf)?;
            eof = buf.len() - had < size;
            let cut = if eof { buf.len() } else { memchr::memrchr(b'\n', &buf).map_or(buf.len(), |i| i + 1) };
            let rest = buf.split_off(cut);
            if !buf.is_empty() {
                blocks.push(std::mem::replace(&mut buf, rest));
            } else {
                buf = rest;
            }
        }
        let mode = *mode.get_or_insert_with(|| {
            blocks.first().map_or(Mode::Auto, |b| prefix::detect(&b[..b.len().min(16 * 1024)], Zone::UTC))
        });
        // The line numbers of each block: the lines of those before it.
        let mut starts = Vec::with_capacity(blocks.len());
        let mut next = joined.lines();
        for b in &blocks {
            starts.push(next);
            next += memchr::memchr_iter(b'\n', b).count() as u64 + u64::from(b.last().is_some_and(|&x| x != b'\n'));
        }
        let mine = |(b, start): (&Vec<u8>, u64)| {
            let mut m = seed.as_ref().unwrap_or(proto).seed(start);
            m.mode(mode);
            m.block(b);
            m
        };
        let mined: Vec<LineMiner> = if blocks.len() == 1 {
            vec![mine((&blocks[0], starts[0]))]
        } else {
            use rayon::prelude::*;
            pool.install(|| blocks.par_iter().zip(starts).map(mine).collect())
        };
        in_round += blocks.len();
        if in_round == round {
            // The next round starts from the round's last block, whose caches are warm (the joined miner is
            // never fed lines, so its caches are cold); what the round's other blocks learnt is in the joined
            // miner, which places the lines they send it.
            in_round = 0;
            seed = mined.last().map(|m| m.seed(0));
        }
        for m in mined {
            joined.absorb(m);
        }
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` lines of a logback log, of the first `kinds` of four templates in turn (ERROR, INFO, WARN, INFO).
    fn log(n: usize, kinds: usize) -> String {
        (0..n)
            .map(|i| {
                let (m, k) = (i % 60, i % kinds);
                match k {
                    0 => format!("2024-03-12 10:{m:02}:00,000 [main] ERROR a.B - job {i} failed on host-{}\n", i % 7),
                    1 => format!("2024-03-12 10:{m:02}:01,000 [main] INFO  a.B - job {i} done in {} ms\n", i * 3),
                    2 => format!(
                        "2024-03-12 10:{m:02}:02,000 [main] WARN  a.B - queue q{} is {}% full\n",
                        i % 5,
                        i % 100
                    ),
                    _ => {
                        format!("2024-03-12 10:{m:02}:03,000 [worker-{}] INFO  c.D - took {i} ms for {i} rows\n", i % 3)
                    }
                }
            })
            .collect()
    }

    #[test]
    fn blocks_joined_in_order_assign_like_one_pass() {
        let text = log(600, 3);
        let mut one = LineMiner::new(Config::default(), Message::AfterHeader, None, 0, true);
        one.block(text.as_bytes());
        let cut = text.match_indices('\n').nth(250).map(|(i, _)| i + 1).unwrap_or(0);
        let mut a = LineMiner::new(Config::default(), Message::AfterHeader, None, 0, true);
        a.block(&text.as_bytes()[..cut]);
        let mut b = LineMiner::new(Config::default(), Message::AfterHeader, None, a.lines(), true);
        b.block(&text.as_bytes()[cut..]);
        a.absorb(b);
        let ids = |m: &LineMiner| m.assignments().map(|v| v.collect::<Vec<_>>()).unwrap_or_default();
        assert_eq!(ids(&a), ids(&one));
        assert_eq!(one.miner().len(), 3);
        assert_eq!(a.lines(), 600);
        let mut errors = LineMiner::new(Config::default(), Message::AfterHeader, Some(Level::Error), 0, true);
        errors.block(text.as_bytes());
        assert_eq!(errors.miner().len(), 1);
        assert_eq!(ids(&errors).iter().filter(|x| x.is_some()).count(), 200);
        let mut whole = LineMiner::new(Config::default(), Message::WholeLine, None, 0, false);
        whole.block(text.as_bytes());
        assert!(whole.miner().templates().all(|t| t.text().starts_with("<*>")), "the header stays in");
    }

    /// A stream cut into small blocks and rounds: the same templates, counts and line assignments whatever the
    /// threads, every line assigned to a template that counts it, and one pass's templates and counts.
    #[test]
    fn streams_mine_alike_whatever_the_threads() {
        let text = log(3000, 4);
        let proto = LineMiner::new(Config::default(), Message::AfterHeader, None, 0, true);
        let cut = Blocks { size: 4096, round: 3 };
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
            mine_stream(&proto, &mut text.as_bytes(), cut, threads, &pool).expect("read from memory")
        };
        let view = |m: &LineMiner| {
            let mut t: Vec<(String, u64)> = m.miner().templates().map(|t| (t.text().to_string(), t.count())).collect();
            t.sort();
            let ids: Vec<Option<TemplateId>> = m.assignments().map(|a| a.collect()).unwrap_or_default();
            (t, ids)
        };
        let one = view(&run(1));
        assert!(text.len() > 20 * cut.size, "several rounds");
        assert_eq!(one.1.len(), 3000);
        for threads in [2, 3, 5] {
            assert_eq!(view(&run(threads)), one, "{threads} threads");
        }
        let mut per_id = std::collections::HashMap::new();
        for id in one.1.iter().flatten() {
            *per_id.entry(*id).or_insert(0u64) += 1;
        }
        let m = run(2);
        for t in m.miner().templates() {
            assert_eq!(per_id.get(&t.id()).copied().unwrap_or(0), t.count(), "{}", t.text());
        }
        let mut single = proto.seed(0);
        single.block(text.as_bytes());
        assert_eq!(view(&single).0, one.0);
    }
}
