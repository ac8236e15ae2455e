//! Work units: planning newline-aligned chunks of large files, and running one unit (a chunk read with
//! positioned reads through a buffer that slides along it, or a whole stream read block by block) through the
//! hot path.

use super::search::{scan_region, FileCtx, Region, RegionScan};
use super::{is_stream, Config, Scratch, UnitResult, LOOK_BEHIND, MAX_LINE};
use crate::aggregate::episode::Aggregates;
use crate::aggregate::unexplained::Unexplained;
use crate::frame::prefix::{self, Mode};
use crate::rules::Pack;
use crate::source::walk::BINARY_PROBE;
use crate::source::{read, span, Input, Location, Skipped};
use std::fs::File;
use std::io::{self, Seek};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One unit of work.
#[derive(Debug, Clone)]
pub(crate) enum Unit {
    /// Bytes `[start, end)` (before alignment) of a plain file of `size` bytes.
    Chunk { file: u32, index: u32, start: u64, end: u64, size: u64, mode: Mode, klog: bool },
    /// A whole input read sequentially.
    Stream { file: u32 },
    /// Not read: its whole time span lies outside `--since`/`--until`.
    OutOfRange { file: u32 },
    /// Nothing to read (the file could not be opened at planning time).
    Failed { file: u32, skipped: Skipped },
}

/// Cuts the inputs into units.
pub(crate) fn plan(inputs: &[Input], config: &Config) -> Vec<Unit> {
    let (chunk, zone) = (config.chunk, config.zone);
    let windowed = config.since.is_some() || config.until.is_some();
    let mut units = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let file = i as u32;
        if is_stream(input) {
            // An archive is not opened when its name and mtime prove it lies outside the window.
            if let (true, Location::File(path)) = (windowed, &input.location) {
                let mtime = std::fs::metadata(path).ok().and_then(|m| m.modified().ok()).and_then(millis_of);
                if span::of_archive(path, mtime).outside(config.since, config.until) {
                    units.push(Unit::OutOfRange { file });
                    continue;
                }
            }
            units.push(Unit::Stream { file });
            continue;
        }
        let Location::File(path) = &input.location else { continue };
        if windowed {
            let span = File::open(path).and_then(|f| {
                let size = f.metadata()?.len();
                span::of_plain(&f, size, zone)
            });
            if span.is_ok_and(|s| s.outside(config.since, config.until)) {
                units.push(Unit::OutOfRange { file });
                continue;
            }
        }
        let probe = File::open(path).and_then(|f| {
            let size = f.metadata()?.len();
            let mut head = vec![0u8; BINARY_PROBE.min(size as usize)];
            let n = f.read_at(&mut head, 0)?;
            head.truncate(n);
            let klog = crate::frame::header::looks_like_klog(&head);
            Ok((size, input.binary.refuses(&head), prefix::detect(&head, zone), klog))
        });
        match probe {
            Err(e) => units.push(Unit::Failed {
                file,
                skipped: Skipped { path: input.display.clone(), reason: format!("cannot read: {e}") },
            }),
            Ok((_, Some(why), _, _)) => {
                units.push(Unit::Failed { file, skipped: Skipped { path: input.display.clone(), reason: why.into() } })
            }
            Ok((size, _, mode, klog)) => {
                let n = size.div_ceil(chunk as u64).max(1);
                for k in 0..n {
                    let start = k * chunk as u64;
                    let end = ((k + 1) * chunk as u64).min(size);
                    units.push(Unit::Chunk { file, index: k as u32, start, end, size, mode, klog });
                }
            }
        }
    }
    units
}

/// Runs one unit.
pub(crate) fn run(unit: &Unit, inputs: &[Input], pack: &Pack, config: &Config, scratch: &mut Scratch) -> UnitResult {
    match *unit {
        Unit::OutOfRange { file } => UnitResult { out_of_range: true, ..UnitResult::empty(file, 0) },
        Unit::Failed { file, ref skipped } => {
            UnitResult { skipped: Some(skipped.clone()), ..UnitResult::empty(file, 0) }
        }
        Unit::Chunk { file, index, start, end, size, mode, klog } => {
            let input = &inputs[file as usize];
            run_chunk(input, file, index, (start, end, size), (mode, klog), pack, config, scratch)
        }
        Unit::Stream { file } => run_stream(&inputs[file as usize], file, pack, config, scratch),
    }
}

fn ctx<'a>(pack: &'a Pack, input: &'a Input, file: u32, config: &Config, (mode, klog): (Mode, bool)) -> FileCtx<'a> {
    FileCtx {
        klog,
        pack,
        file,
        origin: &input.origin,
        zone: config.zone,
        since: config.since,
        until: config.until,
        bounds: config.bounds,
        mode,
    }
}

/// The first line start at or after `x`: just after the first `\n` at or after `x - 1`. A line longer than
/// [`MAX_LINE`] is cut at `x` itself. Both neighbouring chunks compute the same value for their shared boundary.
fn align(f: &File, x: u64, size: u64) -> io::Result<u64> {
    if x == 0 || x >= size {
        return Ok(x.min(size));
    }
    let mut probe = [0u8; 16 * 1024];
    let mut at = x - 1;
    while at < size && at - (x - 1) < MAX_LINE as u64 {
        let want = probe.len().min((size - at) as usize);
        let n = f.read_at(&mut probe[..want], at)?;
        if n == 0 {
            break;
        }
        if let Some(i) = memchr::memchr(b'\n', &probe[..n]) {
            return Ok(at + i as u64 + 1);
        }
        at += n as u64;
    }
    Ok(if at >= size { size } else { x })
}

#[allow(clippy::too_many_arguments)]
fn run_chunk(
    input: &Input,
    file: u32,
    index: u32,
    (start, end, size): (u64, u64, u64),
    (mode, klog): (Mode, bool),
    pack: &Pack,
    config: &Config,
    s: &mut Scratch,
) -> UnitResult {
    let mut out = UnitResult::empty(file, index);
    let Location::File(path) = &input.location else { return out };
    let fail = |e: io::Error| Some(Skipped { path: input.display.clone(), reason: format!("read error: {e}") });
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            out.skipped = Some(Skipped { path: input.display.clone(), reason: format!("cannot read: {e}") });
            return out;
        }
    };
    let (a, b) = match (align(&f, start, size), align(&f, end, size)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            out.skipped = fail(e);
            return out;
        }
    };
    if b <= a {
        return out;
    }
    let fctx = ctx(pack, input, file, config, (mode, klog));
    // Look-ahead past the chunk: the rest of a stack trace whose header is in this chunk, so that a generic
    // fallback on the header still gives way to a specific rule matched below it in the next chunk.
    let margin = config.bounds.max_bytes;
    let ahead = (b + margin as u64).min(size);
    // The buffer slides along the chunk (see `DEFAULT_READ_PIECE`): a piece is read after what is kept (the
    // look-behind and the look-ahead of the last step), searched up to the last line with the look-ahead after
    // it, and what lies before the look-behind is dropped. CRI files are read whole: a partial line may go on
    // past any piece.
    let piece = if mode == Mode::Cri { usize::MAX } else { config.piece };
    let mut base = a.saturating_sub(LOOK_BEHIND as u64);
    let mut buf = std::mem::take(&mut s.buf);
    buf.clear();
    let region = |buf: &'_ [u8], base: u64| -> (usize, usize) {
        let end = ((b - base) as usize).min(buf.len());
        (((a - base.min(a)) as usize).min(end), end)
    };
    let (start0, end0) = ((a - base) as usize, (b - base) as usize);
    // Events go to this thread's aggregates (see `Scratch::agg`), not to the chunk's; unexplained records to the
    // chunk's own miners (joined in input order, see `Scanner::scan`).
    let mut agg = std::mem::take(&mut s.agg);
    let mut mine = config.mine.map(Unexplained::new);
    let mut scan = RegionScan::new(&Region {
        buf: &buf,
        start: start0,
        end: end0,
        base_offset: base,
        chunk: index,
        first_line: 0,
        more: b < size,
    });
    loop {
        let read_to = base + buf.len() as u64;
        let want = ((ahead - read_to).min(piece as u64)) as usize;
        let (got, err) = match f.seek(io::SeekFrom::Start(read_to)) {
            Ok(_) => read::read_append(&mut f, &mut buf, want),
            Err(e) => (0, Some(e)),
        };
        if let Some(e) = err {
            out.skipped = fail(e);
        }
        // The file may have shrunk since it was planned, or a read failed: search what is there.
        let last = got < want || base + buf.len() as u64 >= ahead;
        let (start, end) = region(&buf, base);
        let upto = if last {
            end
        } else {
            match memchr::memrchr(b'\n', &buf[..buf.len().saturating_sub(margin).min(end)]) {
                Some(i) if i + 1 > start => i + 1,
                _ => start,
            }
        };
        let r = Region { buf: &buf, start, end, base_offset: base, chunk: index, first_line: 0, more: b < size };
        scan.step(&fctx, s, &r, upto, &mut agg, mine.as_mut());
        if last {
            let counts = scan.finish(&r);
            out.bytes = (base + end as u64).saturating_sub(a);
            out.newlines = counts.newlines;
            out.matches = counts.matches;
            out.cut = counts.cut;
            let unterminated = b == size && base + end as u64 > a && end > 0 && buf[end - 1] != b'\n';
            out.lines = counts.newlines + unterminated as u64;
            break;
        }
        let drop = upto.saturating_sub(LOOK_BEHIND);
        if drop > 0 {
            buf.drain(..drop);
            base += drop as u64;
            scan.rebase(drop);
        }
    }
    s.buf = buf;
    s.agg = agg;
    out.unexplained = mine;
    out
}

/// Reads a stream (stdin, a decompressed archive) on this thread and scans its blocks on the pool: each
/// newline-aligned block, with the look-behind before it, is handed to a rayon task while the next one is read,
/// so reading (and decompressing) overlaps searching and a single stream keeps every core busy. At most
/// `threads + 1` blocks are in flight, so memory stays bounded whatever the stream's length. A block's lines
/// are counted by the task that scans it and numbered from the block's start, as a file's chunks are: samples
/// resolve once every block's count is known, exactly as when blocks were scanned in order, and this thread
/// (which shares the cores with the one writing the pipe) only reads. Aggregates merge the same whatever order
/// the blocks finish in.
fn run_stream(input: &Input, file: u32, pack: &Pack, config: &Config, s: &mut Scratch) -> UnitResult {
    let mut out = UnitResult::empty(file, 0);
    let mut reader = match read::open_stream(input) {
        Ok(r) => r,
        Err(e) => {
            out.skipped = Some(Skipped { path: input.display.clone(), reason: format!("cannot read: {e}") });
            return out;
        }
    };
    // Smaller blocks than file chunks: up to `threads + 1` of them are in flight per stream, and a directory of
    // archives runs one stream per thread (4 MiB blocks took a directory of .gz files to 98 MiB peak RSS).
    let block = (config.chunk / 8).max(64 * 1024);
    let max_in_flight = rayon::current_num_threads().max(1) + 1;
    // Aggregates, matches, cut records, and the newlines of each block (by block index).
    let merged: Mutex<(Aggregates, u64, u64, Vec<u64>)> = Mutex::new((Aggregates::default(), 0, 0, Vec::new()));
    // The blocks' miners, joined in block order.
    let mined = Mutex::new(super::InOrder::new(config.mine));
    let spare_scratch: Mutex<Vec<Scratch>> = Mutex::new(Vec::new());
    let spare_bufs: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let in_flight = AtomicUsize::new(0);
    let mut buf = std::mem::take(&mut s.buf);
    buf.clear();
    let mut region_start = 0usize;
    let mut buf_offset = 0u64;
    let mut block_index = 0u32;
    let mut last_byte = b'\n';
    // The first block decides, before any block is handed out, whether the input is binary and which capture
    // format (kubectl, stern, CRI, Docker) its lines carry.
    let first_read = read::read_append(&mut *reader, &mut buf, block);
    if let Some(why) = input.binary.refuses(&buf) {
        out.skipped = Some(Skipped { path: input.display.clone(), reason: why.into() });
        buf.clear();
        s.buf = buf;
        return out;
    }
    let mut fctx = ctx(pack, input, file, config, (Mode::Auto, false));
    fctx.mode = prefix::detect(&buf[..buf.len().min(BINARY_PROBE)], config.zone);
    fctx.klog = crate::frame::header::looks_like_klog(&buf[..buf.len().min(BINARY_PROBE)]);
    let fctx = fctx;
    let mut pending = Some(first_read);
    rayon::scope(|scope| loop {
        let (n, err) = match pending.take() {
            Some(r) => r,
            None => read::read_append(&mut *reader, &mut buf, block),
        };
        let eof = n < block || err.is_some();
        let end = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf[region_start..]) {
                Some(i) => region_start + i + 1,
                None if buf.len() - region_start >= MAX_LINE => buf.len(),
                None => region_start,
            }
        };
        if let Some(e) = err {
            out.skipped = Some(Skipped {
                path: input.display.clone(),
                reason: format!(
                    "read stopped after {} bytes, the rest was not scanned: {e}",
                    buf_offset + buf.len() as u64
                ),
            });
        }
        if end > region_start {
            let index = block_index;
            block_index += 1;
            out.bytes += (end - region_start) as u64;
            last_byte = buf[end - 1];
            // The next buffer starts with this one's look-behind and unfinished last line.
            let keep_from = end.saturating_sub(LOOK_BEHIND);
            let mut next = spare_bufs.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
            next.clear();
            next.extend_from_slice(&buf[keep_from..]);
            let task_buf = std::mem::replace(&mut buf, next);
            let (start, base) = (region_start, buf_offset);
            buf_offset += keep_from as u64;
            region_start = end - keep_from;
            while in_flight.load(Ordering::Acquire) >= max_in_flight {
                // Run a queued block here rather than wait idle (with one thread, nobody else would).
                if rayon::yield_now() != Some(rayon::Yield::Executed) {
                    std::thread::sleep(std::time::Duration::from_micros(50));
                }
            }
            in_flight.fetch_add(1, Ordering::AcqRel);
            let (fctx, merged, mined, spare_scratch, spare_bufs, in_flight) =
                (&fctx, &merged, &mined, &spare_scratch, &spare_bufs, &in_flight);
            let cap = config.mine;
            scope.spawn(move |_| {
                let popped = spare_scratch.lock().unwrap_or_else(|e| e.into_inner()).pop();
                let mut sc = popped.unwrap_or_else(|| Scratch::new(pack));
                // Lines are numbered from the block's start; the block's newline count places it in the stream.
                let region =
                    Region { buf: &task_buf, start, end, base_offset: base, chunk: index, first_line: 0, more: !eof };
                let mut agg = Aggregates::default();
                let mut mine = cap.map(Unexplained::new);
                let counts = scan_region(fctx, &mut sc, &region, &mut agg, mine.as_mut());
                if let Some(u) = mine {
                    mined.lock().unwrap_or_else(|e| e.into_inner()).put(index as usize, u);
                }
                {
                    let mut m = merged.lock().unwrap_or_else(|e| e.into_inner());
                    m.0.merge(agg);
                    m.1 += counts.matches;
                    m.2 += counts.cut;
                    let i = index as usize;
                    if m.3.len() <= i {
                        m.3.resize(i + 1, 0);
                    }
                    m.3[i] = counts.newlines;
                }
                spare_scratch.lock().unwrap_or_else(|e| e.into_inner()).push(sc);
                spare_bufs.lock().unwrap_or_else(|e| e.into_inner()).push(task_buf);
                in_flight.fetch_sub(1, Ordering::AcqRel);
            });
        }
        if eof {
            break;
        }
    });
    let (aggregates, matches, cut, blocks) = merged.into_inner().unwrap_or_else(|e| e.into_inner());
    out.unexplained = mined.into_inner().unwrap_or_else(|e| e.into_inner()).finish();
    out.aggregates = aggregates;
    out.matches = matches;
    out.cut = cut;
    out.newlines = blocks.iter().sum();
    out.blocks = blocks;
    out.lines = out.newlines + (out.bytes > 0 && last_byte != b'\n') as u64;
    buf.clear();
    s.buf = buf;
    out
}

impl UnitResult {
    fn empty(file: u32, chunk: u32) -> UnitResult {
        UnitResult {
            file,
            chunk,
            bytes: 0,
            lines: 0,
            newlines: 0,
            blocks: Vec::new(),
            matches: 0,
            cut: 0,
            out_of_range: false,
            skipped: None,
            aggregates: Aggregates::default(),
            unexplained: None,
        }
    }
}

fn millis_of(t: std::time::SystemTime) -> Option<crate::time::Millis> {
    t.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_millis() as crate::time::Millis)
}
