//! Work units: planning newline-aligned chunks of large files, and running one unit (a chunk read with
//! positioned reads through a buffer that slides along it, or a whole stream read block by block) through the
//! hot path.

use super::search::{scan_region, FileCtx, Region, RegionScan};
use super::{is_stream, Config, Scratch, UnitResult, UnitTotals, LOOK_BEHIND, MAX_LINE};
use crate::aggregate::episode::Aggregates;
use crate::aggregate::unexplained::Unexplained;
use crate::frame::prefix::{self, Mode};
use crate::rules::Pack;
use crate::source::read::Encoding;
use crate::source::walk::BINARY_PROBE;
use crate::source::{read, span, Input, Location, Skipped};
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One unit of work.
#[derive(Debug, Clone)]
pub(crate) enum Unit {
    /// Bytes `[start, end)` (before alignment) of a plain file of `size` bytes in `chunks` chunks, read through
    /// `handle`, the one descriptor opened for the file at planning: every chunk reads the same file, even when
    /// its path is renamed over or the file is replaced while the scan runs.
    /// `klog`: its first bytes are klog lines (`E0312 10:00:00.000000 ...`).
    Chunk {
        file: u32,
        index: u32,
        chunks: u32,
        start: u64,
        end: u64,
        size: u64,
        mode: Mode,
        klog: bool,
        handle: Arc<File>,
    },
    /// A whole input read sequentially.
    Stream { file: u32 },
    /// Not read: its whole time span lies outside `--since`/`--until`.
    OutOfRange { file: u32 },
    /// Not read: an Elasticsearch JSON log whose plain twin is read (`walk::es_twins`).
    Twin { file: u32 },
    /// Nothing to read (the file could not be opened at planning time).
    Failed { file: u32, skipped: Skipped },
}

impl Unit {
    /// The input it belongs to.
    pub(crate) fn file(&self) -> u32 {
        match *self {
            Unit::Chunk { file, .. }
            | Unit::Stream { file }
            | Unit::OutOfRange { file }
            | Unit::Twin { file }
            | Unit::Failed { file, .. } => file,
        }
    }
}

/// Cuts the inputs into units for `threads` workers.
pub(crate) fn plan(inputs: &[Input], config: &Config, threads: usize) -> Vec<Unit> {
    let (chunk, zone) = (config.chunk, config.zone);
    let windowed = config.since.is_some() || config.until.is_some();
    let paths: Vec<&std::path::Path> = inputs
        .iter()
        .map(|i| match &i.location {
            Location::File(p) => p.as_path(),
            _ => std::path::Path::new(""),
        })
        .collect();
    let twins = crate::source::walk::es_twins(&paths);
    let mut units = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let file = i as u32;
        if twins[i] {
            units.push(Unit::Twin { file });
            continue;
        }
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
            let (mode, klog) = (prefix::detect(&head, zone), crate::frame::header::looks_like_klog(&head));
            Ok((size, input.binary.refuses(input.file_name(), &head), mode, Arc::new(f), klog, Encoding::detect(&head)))
        });
        match probe {
            // UTF-16 is read as a stream, decoded to UTF-8 (see `run_stream`).
            Ok((.., enc)) if enc != Encoding::Utf8 => units.push(Unit::Stream { file }),
            Err(e) => units.push(Unit::Failed {
                file,
                skipped: Skipped { path: input.display.clone(), reason: format!("cannot read: {e}") },
            }),
            Ok((_, Some(why), ..)) => {
                units.push(Unit::Failed { file, skipped: Skipped { path: input.display.clone(), reason: why.into() } })
            }
            Ok((size, _, mode, handle, klog, _)) => {
                let n = size.div_ceil(chunk as u64).max(1);
                for k in 0..n {
                    let start = k * chunk as u64;
                    let end = ((k + 1) * chunk as u64).min(size);
                    let (index, chunks, handle) = (k as u32, n as u32, handle.clone());
                    units.push(Unit::Chunk { file, index, chunks, start, end, size, mode, klog, handle });
                }
            }
        }
    }
    finer_tail(units, threads as u64 * chunk as u64, (chunk / TAIL_SPLIT).max(1) as u64)
}

/// The chunks of the plan's last `threads × chunk` bytes are cut in this many pieces each.
const TAIL_SPLIT: usize = 4;

/// Cuts the chunks that hold the last `tail` bytes of the plan into pieces of `piece` bytes. Workers take units
/// in order, so the last ones decide when the scan ends: with whole chunks there, one core sat idle for most of
/// a chunk's time while the other finished (a scan of the benchmark corpus: about 7 ms of a 0.2 s run). What a
/// scan reports does not depend on where chunks are cut.
fn finer_tail(units: Vec<Unit>, tail: u64, piece: u64) -> Vec<Unit> {
    // The first unit of the tail: the units after it hold fewer than `tail` bytes.
    let (mut left, mut first) = (tail, units.len());
    while left > 0 && first > 0 {
        first -= 1;
        if let Unit::Chunk { start, end, .. } = units[first] {
            left = left.saturating_sub(end - start);
        }
    }
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    for (k, u) in units.into_iter().enumerate() {
        match u {
            Unit::Chunk { file, start, end, size, mode, klog, handle, .. } if k >= first && end - start > piece => {
                for a in (start..end).step_by(piece as usize) {
                    let (index, chunks, end, handle) = (0, 0, (a + piece).min(end), handle.clone());
                    out.push(Unit::Chunk { file, index, chunks, start: a, end, size, mode, klog, handle });
                }
            }
            u => out.push(u),
        }
    }
    // Each file's chunks numbered again.
    let mut k = 0;
    while k < out.len() {
        let file = out[k].file();
        let n = out[k..].iter().take_while(|u| matches!(u, Unit::Chunk { file: f, .. } if *f == file)).count();
        for (i, u) in out[k..k + n].iter_mut().enumerate() {
            if let Unit::Chunk { index, chunks, .. } = u {
                (*index, *chunks) = (i as u32, n as u32);
            }
        }
        k += n.max(1);
    }
    out
}

/// Runs one unit.
pub(crate) fn run(unit: &Unit, inputs: &[Input], pack: &Pack, config: &Config, scratch: &mut Scratch) -> UnitResult {
    match *unit {
        Unit::OutOfRange { file } => UnitResult::with(UnitTotals { out_of_range: true, ..UnitTotals::empty(file, 0) }),
        Unit::Twin { file } => UnitResult::with(UnitTotals { twin: true, ..UnitTotals::empty(file, 0) }),
        Unit::Failed { file, ref skipped } => {
            UnitResult::with(UnitTotals { skipped: Some(skipped.clone()), ..UnitTotals::empty(file, 0) })
        }
        Unit::Chunk { file, index, chunks, start, end, size, mode, klog, ref handle } => {
            let input = &inputs[file as usize];
            let mut r = run_chunk(input, handle, file, index, (start, end, size), (mode, klog), pack, config, scratch);
            if index + 1 == chunks && r.totals.skipped.is_none() {
                r.totals.skipped = replaced(input, handle, size);
            }
            r
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

/// A note when the file a scan read through its handle is no longer the one at its path (renamed over, as a
/// rotation does, or deleted) or is shorter than planned: the report shows the content the handle had.
fn replaced(input: &Input, handle: &File, planned: u64) -> Option<Skipped> {
    use std::os::unix::fs::MetadataExt;
    let Location::File(path) = &input.location else { return None };
    let ours = handle.metadata().ok()?;
    let reason = match std::fs::metadata(path) {
        Ok(now) if (now.dev(), now.ino()) != (ours.dev(), ours.ino()) => {
            "replaced while it was read (renamed over, as a rotation does): the report shows the file that was opened"
                .to_string()
        }
        Err(_) => "deleted while it was read: the report shows what the open file held".to_string(),
        Ok(_) if ours.len() < planned => format!(
            "shrank while it was read ({planned} bytes when the scan began, {} now): the report holds the lines read",
            ours.len()
        ),
        Ok(_) => return None,
    };
    Some(Skipped { path: input.display.clone(), reason })
}

/// Reads up to `buf.len()` bytes at `offset` (positioned reads: the handle is shared by the chunks of a file, on
/// several threads). Fewer only at the end of the file or on an error, returned with the bytes read before it.
fn read_at_full(f: &File, buf: &mut [u8], offset: u64) -> (usize, Option<io::Error>) {
    let mut n = 0;
    while n < buf.len() {
        match f.read_at(&mut buf[n..], offset + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}

#[allow(clippy::too_many_arguments)]
fn run_chunk(
    input: &Input,
    f: &File,
    file: u32,
    index: u32,
    (start, end, size): (u64, u64, u64),
    (mode, klog): (Mode, bool),
    pack: &Pack,
    config: &Config,
    s: &mut Scratch,
) -> UnitResult {
    let mut out = UnitResult::empty(file, index);
    let fail = |e: io::Error| Some(Skipped { path: input.display.clone(), reason: format!("read error: {e}") });
    let (a, b) = match (align(f, start, size), align(f, end, size)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            out.totals.skipped = fail(e);
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
    // The window's bytes are `buf[..len]`; the vector stays as long as it once grew (its bytes initialised once,
    // not zeroed for every piece), and kept bytes are moved to its front.
    let mut buf = std::mem::take(&mut s.buf);
    let mut len = 0usize;
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
        buf: &buf[..0],
        start: start0,
        end: end0,
        base_offset: base,
        chunk: index,
        first_line: 0,
        more: b < size,
        seen_before: 0,
    });
    // Bytes of [a, b) read so far, for the progress counters.
    let mut counted = a;
    loop {
        let read_to = base + len as u64;
        let want = ((ahead - read_to).min(piece as u64)) as usize;
        if buf.len() < len + want {
            buf.resize(len + want, 0);
        }
        let (got, err) = read_at_full(f, &mut buf[len..len + want], read_to);
        len += got;
        if let Some(p) = &config.progress {
            let now = (base + len as u64).min(b);
            if now > counted {
                p.read(now - counted);
                counted = now;
            }
        }
        if let Some(e) = err {
            out.totals.skipped = fail(e);
        }
        // The file may have shrunk since it was planned, or a read failed: search what is there.
        let last = got < want || base + len as u64 >= ahead;
        let window = &buf[..len];
        let (start, end) = region(window, base);
        let upto = if last {
            end
        } else {
            match memchr::memrchr(b'\n', &window[..window.len().saturating_sub(margin).min(end)]) {
                Some(i) if i + 1 > start => i + 1,
                _ => start,
            }
        };
        // The chunk before read as far as this chunk's start and its look-ahead.
        let seen_before = if index == 0 { 0 } else { ((a + margin as u64).min(size).saturating_sub(base)) as usize };
        let r = Region {
            buf: window,
            start,
            end,
            base_offset: base,
            chunk: index,
            first_line: 0,
            more: base + (len as u64) < size,
            seen_before,
        };
        scan.step(&fctx, s, &r, upto, &mut agg, mine.as_mut());
        if last {
            let counts = scan.finish(&r);
            out.totals.bytes = (base + end as u64).saturating_sub(a);
            out.totals.newlines = counts.newlines;
            out.totals.matches = counts.matches;
            out.totals.cut = counts.cut;
            let unterminated = b == size && base + end as u64 > a && end > 0 && window[end - 1] != b'\n';
            out.totals.lines = counts.newlines + unterminated as u64;
            break;
        }
        let drop = upto.saturating_sub(LOOK_BEHIND);
        if drop > 0 {
            buf.copy_within(drop..len, 0);
            len -= drop;
            base += drop as u64;
            scan.rebase(drop);
        }
    }
    s.buf = buf;
    s.agg = agg;
    out.unexplained = mine;
    out
}

/// A block in flight: counted out when its task ends, however it ends.
struct Leaves<'a>(&'a AtomicUsize);

impl Drop for Leaves<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
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
            out.totals.skipped = Some(Skipped { path: input.display.clone(), reason: format!("cannot read: {e}") });
            return out;
        }
    };
    // Smaller blocks than file chunks: up to `threads + 1` of them are in flight per stream, and a directory of
    // archives runs one stream per thread (4 MiB blocks took a directory of .gz files to 98 MiB peak RSS).
    let block = (config.chunk / 8).max(64 * 1024);
    let max_in_flight = rayon::current_num_threads().max(1) + 1;
    let max_keys = config.max_keys;
    // Aggregates, matches, cut records, and the newlines of each block (by block index).
    let merged: Mutex<(Aggregates, u64, u64, Vec<u64>)> =
        Mutex::new((Aggregates::with_max_keys(config.max_keys), 0, 0, Vec::new()));
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
    let mut first_read = read::read_append(&mut *reader, &mut buf, block);
    // UTF-16 (with or without a byte order mark) is decoded to UTF-8 from its first byte on.
    let encoding = Encoding::detect(&buf[..buf.len().min(BINARY_PROBE)]);
    if encoding != Encoding::Utf8 {
        let head = std::io::Cursor::new(std::mem::take(&mut buf));
        reader = read::decode(Box::new(head.chain(reader)), encoding);
        first_read = read::read_append(&mut *reader, &mut buf, block);
    }
    if let Some(why) = input.binary.refuses(input.file_name(), &buf) {
        out.totals.skipped = Some(Skipped { path: input.display.clone(), reason: why.into() });
        buf.clear();
        s.buf = buf;
        return out;
    }
    let mut fctx = ctx(pack, input, file, config, (Mode::Auto, false));
    fctx.mode = prefix::detect(&buf[..buf.len().min(BINARY_PROBE)], config.zone);
    fctx.klog = crate::frame::header::looks_like_klog(&buf[..buf.len().min(BINARY_PROBE)]);
    let fctx = fctx;
    let mut pending = Some(first_read);
    // What the block before saw of the next block's buffer (see `Region::seen_before`).
    let mut seen_before = 0usize;
    let margin = config.bounds.max_bytes;
    rayon::scope(|scope| loop {
        let (n, err) = match pending.take() {
            Some(r) => r,
            None => read::read_append(&mut *reader, &mut buf, block),
        };
        if let Some(p) = &config.progress {
            p.read(n as u64);
        }
        let eof = n < block || err.is_some();
        // A block ends at the last line that has the record look-ahead after it (a stack trace's lines below a
        // header at the block's end, as a file's chunk has them); the bytes after it go on to the next block.
        let end = if eof {
            buf.len()
        } else {
            let ahead = buf.len().saturating_sub(margin).max(region_start);
            let whole = match memchr::memrchr(b'\n', &buf[region_start..ahead]) {
                Some(i) => region_start + i + 1,
                None if buf.len() - region_start >= MAX_LINE => buf.len(),
                None => region_start,
            };
            // Nor inside a CRI line split in parts: the next block could not see its first parts past its
            // look-behind. The block ends before the split line, or, when nothing comes before it, waits for its
            // last part (as a line waits for its newline, up to `MAX_LINE`).
            match fctx.mode {
                Mode::Cri if whole > region_start && buf.len() - region_start < MAX_LINE => {
                    prefix::unfinished_split(&buf, region_start, whole)
                }
                _ => whole,
            }
        };
        if let Some(e) = err {
            out.totals.skipped = Some(Skipped {
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
            out.totals.bytes += (end - region_start) as u64;
            last_byte = buf[end - 1];
            // The next buffer starts with this one's look-behind and unfinished last line.
            let keep_from = end.saturating_sub(LOOK_BEHIND);
            let mut next = spare_bufs.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
            next.clear();
            next.extend_from_slice(&buf[keep_from..]);
            let task_buf = std::mem::replace(&mut buf, next);
            let (start, base, seen) = (region_start, buf_offset, seen_before);
            // What this block's task sees, in the next block's buffer.
            seen_before = task_buf.len() - keep_from;
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
                // Leaves the flight when the task ends, also by a panic: the loop above must not wait for it
                // forever (the scope then passes the panic on).
                let _leaves = Leaves(in_flight);
                let popped = spare_scratch.lock().unwrap_or_else(|e| e.into_inner()).pop();
                let mut sc = popped.unwrap_or_else(|| Scratch::with_max_keys(pack, max_keys));
                // Lines are numbered from the block's start; the block's newline count places it in the stream.
                let region = Region {
                    buf: &task_buf,
                    start,
                    end,
                    base_offset: base,
                    chunk: index,
                    first_line: 0,
                    more: !eof,
                    seen_before: seen,
                };
                let mut agg = Aggregates::with_max_keys(max_keys);
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
            });
        }
        if eof {
            break;
        }
    });
    let (aggregates, matches, cut, blocks) = merged.into_inner().unwrap_or_else(|e| e.into_inner());
    out.unexplained = mined.into_inner().unwrap_or_else(|e| e.into_inner()).finish();
    out.aggregates = aggregates;
    out.totals.matches = matches;
    out.totals.cut = cut;
    out.totals.newlines = blocks.iter().sum();
    out.totals.blocks = blocks;
    out.totals.lines = out.totals.newlines + (out.totals.bytes > 0 && last_byte != b'\n') as u64;
    buf.clear();
    s.buf = buf;
    out
}

impl UnitResult {
    fn empty(file: u32, chunk: u32) -> UnitResult {
        UnitResult::with(UnitTotals::empty(file, chunk))
    }

    fn with(totals: UnitTotals) -> UnitResult {
        UnitResult { totals, aggregates: Aggregates::default(), unexplained: None }
    }
}

impl UnitTotals {
    fn empty(file: u32, chunk: u32) -> UnitTotals {
        UnitTotals {
            file,
            chunk,
            bytes: 0,
            lines: 0,
            newlines: 0,
            blocks: Vec::new(),
            matches: 0,
            cut: 0,
            out_of_range: false,
            twin: false,
            skipped: None,
        }
    }
}

fn millis_of(t: std::time::SystemTime) -> Option<crate::time::Millis> {
    t.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_millis() as crate::time::Millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{BinaryDetection, Compression, Origin};

    const LINE: &str = "2024-03-12 14:28:42,526 [kafka-producer-network-thread | producer-1] WARN  \
                        org.apache.kafka.clients.NetworkClient - [Producer clientId=producer-1] Connection to node -1 \
                        (kafka-0.stackstate.local/10.20.0.7:9092) could not be established. Broker may not be available.\n";

    /// Every chunk reads through the handle opened at planning: a file renamed over the path after planning (as
    /// a rotation does) is not read, the one opened is, whole, and the report says the path changed.
    #[test]
    fn chunks_read_the_file_opened_at_planning() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("stackstate-receiver.log");
        std::fs::write(&path, LINE.repeat(200)).expect("write");
        let input = Input {
            location: Location::File(path.clone()),
            display: path.display().to_string(),
            origin: Origin::of(crate::model::Component::Receiver),
            binary: BinaryDetection::Skip,
            compression: Compression::None,
        };
        let pack = Pack::embedded().expect("pack");
        let mut builder = super::super::ScannerBuilder::new();
        builder.chunk_size(4096);
        let config = builder.config.clone();
        let units = plan(std::slice::from_ref(&input), &config, 2);
        assert!(units.len() > 5, "several chunks");
        // The path now leads to another file, shorter and without the error.
        let other = dir.path().join("new.log");
        std::fs::write(&other, "2024-03-12 15:00:00,000 INFO all well\n").expect("write");
        std::fs::rename(&other, &path).expect("rename over");
        let mut scratch = Scratch::new(&pack);
        let results: Vec<UnitResult> =
            units.iter().map(|u| run(u, std::slice::from_ref(&input), &pack, &config, &mut scratch)).collect();
        let bytes: u64 = results.iter().map(|r| r.totals.bytes).sum();
        assert_eq!(bytes, LINE.len() as u64 * 200, "the opened file, whole");
        let matches: u64 = results.iter().map(|r| r.totals.matches).sum::<u64>();
        assert_eq!(matches, 200);
        let notes: Vec<&Skipped> = results.iter().filter_map(|r| r.totals.skipped.as_ref()).collect();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].reason.contains("replaced while it was read"), "{notes:?}");
    }

    /// The plan's last `threads × chunk` bytes come in quarter chunks, the rest in whole ones; every file is
    /// still cut into consecutive chunks numbered from 0, covering it exactly, an empty one into one.
    #[test]
    fn the_last_chunks_of_a_plan_are_cut_finer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let inputs: Vec<Input> = [("a.log", 10 * 4096 + 100), ("b.log", 4096 + 50), ("empty.log", 0)]
            .into_iter()
            .map(|(name, size)| {
                let path = dir.path().join(name);
                std::fs::write(&path, if size > 0 { "x".repeat(size - 1) + "\n" } else { String::new() })
                    .expect("write");
                Input {
                    location: Location::File(path.clone()),
                    display: path.display().to_string(),
                    origin: Origin::of(crate::model::Component::Receiver),
                    binary: BinaryDetection::Skip,
                    compression: Compression::None,
                }
            })
            .collect();
        let mut builder = super::super::ScannerBuilder::new();
        builder.chunk_size(4096);
        let config = builder.config.clone();
        let spans = |threads| -> Vec<(u32, u32, u32, u64, u64)> {
            plan(&inputs, &config, threads)
                .into_iter()
                .map(|u| match u {
                    Unit::Chunk { file, index, chunks, start, end, .. } => (file, index, chunks, start, end),
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        let units = spans(2);
        // File b (4,146 bytes) and file a's last 4,196 bytes make the last 8,192 bytes or more.
        let sizes: Vec<u64> = units.iter().map(|u| u.4 - u.3).collect();
        assert_eq!(sizes[..9], [4096; 9], "whole chunks before the tail");
        assert_eq!(
            sizes[9..],
            [1024, 1024, 1024, 1024, 100, 1024, 1024, 1024, 1024, 50, 0],
            "an empty file keeps its unit"
        );
        for file in 0..3 {
            let own: Vec<_> = units.iter().filter(|u| u.0 == file).collect();
            for (i, u) in own.iter().enumerate() {
                assert_eq!((u.1, u.2), (i as u32, own.len() as u32), "numbered in order");
                assert_eq!(u.3, if i == 0 { 0 } else { own[i - 1].4 }, "consecutive");
            }
        }
        let whole = |threads| spans(threads).iter().filter(|u| u.4 - u.3 == 4096).count();
        assert_eq!((whole(1), whole(8)), (10, 3), "fewer workers, a shorter tail; more, a longer one");
    }
}
