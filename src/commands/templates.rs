//! `stackscan templates`: mine every line of the inputs into templates and list them (or each line's template).

use super::{usage, warn};
use crate::cli::args::TemplatesArgs;
use crate::cli::config::{Env, TemplatesConfig};
use anyhow::Context;
use serde::Serialize;
use stackscan::frame::sanitize::{clean, redact_examples};
use stackscan::miner::lines::{mine_stream, Blocks, LineMiner, Message};
use stackscan::miner::{Config, Template};
use stackscan::source::walk::BINARY_PROBE;
use stackscan::source::{self, read, Input};
use std::io::Write;
use std::process::ExitCode;

pub fn run(a: &TemplatesArgs, env: &Env) -> anyhow::Result<ExitCode> {
    let c = match TemplatesConfig::new(a, env) {
        Ok(c) => c,
        Err(u) => return Ok(usage(u)),
    };
    let (inputs, skipped, missing) = source::discover(&c.paths, &c.walk);
    if !missing.is_empty() {
        for (p, e) in &missing {
            warn(&format!("{}: {e}", p.display()));
        }
        return Ok(ExitCode::from(2));
    }
    for s in &skipped {
        warn(&format!("{}: {}", s.path, s.reason));
    }
    if c.assign && inputs.len() != 1 {
        warn(&format!("--assign numbers the lines of one input; {} were found", inputs.len()));
        return Ok(ExitCode::from(2));
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(c.threads).build().context("cannot start worker threads")?;
    let cfg = Config { max_templates: c.max_templates, ..Config::default() };
    let message = if c.whole_line { Message::WholeLine } else { Message::AfterHeader };
    let mut all = LineMiner::new(cfg.clone(), message, c.level, 0, c.assign);
    let mut read_any = inputs.is_empty();
    for input in &inputs {
        let proto = LineMiner::new(cfg.clone(), message, c.level, all.lines(), c.assign);
        match mine_input(input, &proto, c.threads, &pool) {
            Ok(Ok(m)) => {
                read_any = true;
                all.absorb(m);
            }
            Ok(Err(why)) => warn(&format!("{}: {why}: skipped", input.display)),
            Err(e) => warn(&format!("{}: {e}", input.display)),
        }
    }
    if !read_any {
        warn("no input could be read");
        return Ok(ExitCode::from(2));
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    if let Some(ids) = all.assignments() {
        for (i, id) in ids.enumerate() {
            match id {
                Some(id) => writeln!(w, "{}\t{id:016x}", i + 1)?,
                None => writeln!(w, "{}\t-", i + 1)?,
            }
        }
    } else if c.json {
        serde_json::to_writer_pretty(&mut w, &Doc::of(&all))?;
        w.write_all(b"\n")?;
    } else {
        text(&mut w, &all)?;
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Mines one input, its lines numbered after `proto`'s (see [`mine_stream`]); a file found by walking that is
/// binary or prose is not mined, as `scan` does not read it (`Err` inside: why).
fn mine_input(
    input: &Input,
    proto: &LineMiner,
    threads: usize,
    pool: &rayon::ThreadPool,
) -> std::io::Result<Result<LineMiner, &'static str>> {
    use std::io::Read;
    let mut r = read::open_stream(input)?;
    let mut head = Vec::with_capacity(BINARY_PROBE);
    (&mut *r).take(BINARY_PROBE as u64).read_to_end(&mut head)?;
    // UTF-16 (its NUL bytes are no sign of a binary file) is decoded first, as `scan` decodes it.
    let encoding = read::Encoding::detect(&head);
    if encoding != read::Encoding::Utf8 {
        r = read::decode(Box::new(std::io::Cursor::new(std::mem::take(&mut head)).chain(r)), encoding);
        (&mut *r).take(BINARY_PROBE as u64).read_to_end(&mut head)?;
    }
    if let Some(why) = input.binary.refuses(input.file_name(), &head) {
        return Ok(Err(why));
    }
    let mut whole = std::io::Cursor::new(head).chain(r);
    mine_stream(proto, &mut whole, Blocks::default(), threads, pool).map(Ok)
}

/// The templates by count (largest first), then text.
fn ranked(m: &LineMiner) -> Vec<Template<'_>> {
    let mut v: Vec<Template<'_>> = m.miner().templates().collect();
    v.sort_by(|a, b| b.count().cmp(&a.count()).then_with(|| a.text().cmp(b.text())));
    v
}

fn text(w: &mut dyn Write, m: &LineMiner) -> std::io::Result<()> {
    let s = m.miner().stats();
    let evicted = if s.evicted_templates > 0 {
        format!(" ({} more evicted by the cap, {} lines)", s.evicted_templates, s.evicted_lines)
    } else {
        String::new()
    };
    writeln!(w, "stackscan: {} templates{evicted} from {} lines mined of {}", m.miner().len(), s.lines, m.lines())?;
    writeln!(w, "{:>9}  {:<16}  TEMPLATE", "COUNT", "ID")?;
    for t in ranked(m) {
        writeln!(w, "{:>9}  {:016x}  {}", t.count(), t.id(), clean(t.text().as_bytes()))?;
    }
    Ok(())
}

/// `--format json`.
#[derive(Serialize)]
struct Doc {
    /// Lines read.
    lines: u64,
    /// Lines mined (all, or those at `--level`).
    mined: u64,
    /// Templates evicted by the cap, and their lines.
    evicted_templates: u64,
    evicted_lines: u64,
    templates: Vec<DocTemplate>,
}

#[derive(Serialize)]
struct DocTemplate {
    id: String,
    template: String,
    count: u64,
    /// Per variable, its earliest distinct values.
    examples: Vec<Vec<String>>,
}

impl Doc {
    fn of(m: &LineMiner) -> Doc {
        let s = m.miner().stats();
        Doc {
            lines: m.lines(),
            mined: s.lines,
            evicted_templates: s.evicted_templates,
            evicted_lines: s.evicted_lines,
            templates: ranked(m)
                .into_iter()
                .map(|t| DocTemplate {
                    id: format!("{:016x}", t.id()),
                    template: clean(t.text().as_bytes()).into_owned(),
                    count: t.count(),
                    examples: redact_examples(
                        t.text(),
                        t.examples().map(|e| e.iter().map(|v| clean(v.as_bytes()).into_owned()).collect()),
                    ),
                })
                .collect(),
        }
    }
}
