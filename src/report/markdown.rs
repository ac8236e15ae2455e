//! Markdown for a ticket or a GitHub issue (`--format markdown`): GitHub-flavoured, a summary table of the
//! incidents, then per incident a short block (when, root cause, components, scope, id) with its timeline,
//! details, evidence and next steps folded in a `<details>` element.
//!
//! Safe to paste: log text (samples, field values, paths, keys) only ever appears inside code spans and fenced
//! code blocks whose delimiters are longer than any backtick run in it, so it cannot open a link, an image, an
//! HTML tag or a table cell; titles and the pack's wording are escaped character by character, and the pack's own
//! `code` spans are kept as code. Sized for GitHub: an issue or comment body holds at most 65,536 characters, so
//! the output never exceeds [`GITHUB_LIMIT`] (counted as GitHub does, in UTF-16 units): the most severe
//! incidents come first and keep their evidence; when it does not fit, later incidents lose their evidence and
//! then their block, and a closing note says exactly what was cut.
//!
//! Written from a whole [`Report`] (its header needs every incident): [`super::Whole`] collects the items.

use super::digest::{self, Clock};
use super::human::{self, count, thousands};
use super::{Document, Report, Style, Summary};
use crate::correlate::{Incident, UnexplainedView};
use crate::frame::escape::escape;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The most characters GitHub accepts in an issue or comment body.
pub const GITHUB_LIMIT: usize = 65_536;
/// Skipped inputs listed before `… and N more`.
const SKIPPED_SHOWN: usize = 50;

/// The Markdown document of a report.
pub struct Markdown {
    style: Style,
    limit: usize,
}

impl Markdown {
    /// The document in `style`, within GitHub's limit.
    pub fn new(style: Style) -> Self {
        Self::with_limit(style, GITHUB_LIMIT)
    }

    /// The document within `limit` characters (UTF-16 units); the header and a closing note are always written.
    pub fn with_limit(style: Style, limit: usize) -> Self {
        Markdown { style, limit }
    }
}

impl Document for Markdown {
    fn write(&mut self, report: &Report, w: &mut dyn Write) -> io::Result<()> {
        let doc = document(report, &self.style.quiet_fields, self.limit);
        w.write_all(doc.as_bytes())
    }
}

/// Length as GitHub counts it (UTF-16 code units, as JavaScript's `length`).
fn len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The whole document, within `limit`.
fn document(report: &Report, quiet: &[String], limit: usize) -> String {
    let (s, incidents) = (&report.summary, &report.incidents[..]);
    let mut out = header(s);
    // Room kept for the closing note, whatever it has to say.
    let reserve = 600;
    let budget = limit.saturating_sub(reserve);

    let mut table = String::from("| # | severity | incident | root cause | first seen (UTC) | duration | records |\n");
    table.push_str("|--:|---|---|---|---|--:|--:|\n");
    let mut listed = 0;
    for (n, inc) in incidents.iter().enumerate() {
        let row = table_row(n + 1, inc);
        // The table takes at most half of the budget; the blocks below need the rest.
        if len(&out) + len(&table) + len(&row) > budget / 2 {
            break;
        }
        table.push_str(&row);
        listed += 1;
    }
    if listed < incidents.len() {
        let _ = writeln!(table, "| … | | {} more, not listed | | | | |", thousands((incidents.len() - listed) as u64));
    }
    if !incidents.is_empty() {
        out.push_str(&table);
        out.push('\n');
    }

    let mut without_evidence: Vec<usize> = Vec::new();
    let mut shown = 0;
    for (n, inc) in incidents.iter().enumerate() {
        let short = short_block(n + 1, inc);
        let full = format!("{short}{}", folded(inc, (quiet, digest::several_hosts(s))));
        if without_evidence.is_empty() && len(&out) + len(&full) <= budget {
            out.push_str(&full);
        } else if len(&out) + len(&short) + len(COMPACT_NOTE) <= budget {
            out.push_str(&short);
            out.push_str(COMPACT_NOTE);
            without_evidence.push(n + 1);
        } else {
            break;
        }
        shown += 1;
    }
    if incidents.is_empty() {
        let _ = writeln!(out, "{}\n", digest::none_found(digest::inputs_read(s), &s.unexplained));
    }
    let room = budget.saturating_sub(len(&out));
    out.push_str(&unexplained(s, &report.unexplained, room));
    out.push_str(&closing(incidents.len(), shown, &without_evidence, limit));
    out
}

/// The section "Unexplained errors and warnings", after the incidents (which have the room first), in at most
/// `room` characters: a table of the templates (level, template, component, records, first and last seen, files,
/// rate), then the earliest sample of each, folded. What does not fit is left out, the samples first, then the
/// table's last rows, with a line saying so.
fn unexplained(s: &Summary, list: &[UnexplainedView], room: usize) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut section =
        format!("### Unexplained errors and warnings\n\n{}.\n\n", text(&digest::unexplained_totals(&s.unexplained)));
    section.push_str(
        "| level | template | component | records | first seen (UTC) | last seen (UTC) | files | rate |\n\
         |---|---|---|--:|---|---|--:|---|\n",
    );
    let mut rows = 0;
    for u in list {
        let row = format!(
            "| **{}** | {} | {} | {} | {} | {} | {} | {} |\n",
            digest::unexplained_level(u),
            cell(&code(&u.template)),
            u.component.map_or("unknown", |c| c.as_str()),
            thousands(u.count),
            human::when(u.first_seen),
            human::when(u.last_seen),
            digest::unexplained_files(u),
            text(&digest::unexplained_rate(u).unwrap_or_default())
        );
        // Room for the line saying what was left out.
        if len(&section) + len(&row) + 100 > room {
            break;
        }
        section.push_str(&row);
        rows += 1;
    }
    if rows == 0 {
        return format!(
            "_Unexplained errors and warnings ({}) left out to fit the size limit._\n\n",
            count(list.len() as u64, "template")
        );
    }
    section.push('\n');
    if rows < list.len() {
        let left = count((list.len() - rows) as u64, "more template");
        let _ = writeln!(section, "_{left} left out to fit the size limit._\n");
    }
    let hosts = digest::several_hosts(s);
    let mut samples = String::from("<details><summary>Samples (the earliest record of each)</summary>\n\n");
    for u in &list[..rows] {
        if let Some(x) = u.samples.first() {
            let _ = writeln!(samples, "{} at {}\n", code(&u.template), code(&digest::location(x, hosts)));
            let mut lines = vec![x.text.clone()];
            if let Some((line, m)) = &x.matched {
                lines.push(format!("↳ line {line}: {m}"));
            }
            samples.push_str(&code_block(&lines));
        }
    }
    samples.push_str("</details>\n\n");
    if len(&section) + len(&samples) + 50 <= room {
        section.push_str(&samples);
    } else {
        section.push_str("_Samples left out to fit the size limit._\n\n");
    }
    section
}

const COMPACT_NOTE: &str =
    "_Timeline, evidence and next steps left out to fit the size limit (see the note at the end)._\n\n";

/// The title, the totals, and what was not read.
fn header(s: &Summary) -> String {
    let st = &s.stats;
    let total: usize = s.incidents.iter().sum();
    let by_sev: Vec<String> = digest::by_severity(s).iter().map(|(sev, n)| format!("{n} {sev}")).collect();
    let mut out = format!(
        "## stackscan: {}{}\n\n",
        count(total as u64, "incident"),
        if by_sev.is_empty() { String::new() } else { format!(" ({})", by_sev.join(", ")) }
    );
    let _ = writeln!(
        out,
        "{}, {}, {} read in {:.2}s ({}): {}.\n",
        count(st.files, "file"),
        human::bytes(st.bytes),
        count(st.lines, "line"),
        st.elapsed_ms as f64 / 1000.0,
        human::rate(st.bytes, st.elapsed_ms),
        count(st.matches, "matching record")
    );
    for note in digest::notes(s) {
        let _ = writeln!(out, "Note: {}.\n", text(&note));
    }
    if !s.skipped.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} not scanned, or not completely</summary>\n",
            count(s.skipped.len() as u64, "input")
        );
        for k in s.skipped.iter().take(SKIPPED_SHOWN) {
            let _ = writeln!(out, "- {}: {}", code(&escape(&k.path)), text(&k.reason));
        }
        if s.skipped.len() > SKIPPED_SHOWN {
            let _ = writeln!(out, "- … and {} more", thousands((s.skipped.len() - SKIPPED_SHOWN) as u64));
        }
        out.push_str("\n</details>\n\n");
    }
    out
}

fn table_row(n: usize, inc: &Incident) -> String {
    format!(
        "| {n} | **{}** | {} | {} · {} | {} | {} | {} |\n",
        inc.severity,
        cell(&text(&inc.title)),
        cell(&code(digest::root_component(inc))),
        cell(&code(&inc.root_cause.rule)),
        inc.first_seen.map_or_else(|| "(no time)".to_string(), |t| human::when(Some(t))),
        digest::duration(inc),
        thousands(inc.count)
    )
}

/// The heading and the few lines an operator reads first.
fn short_block(n: usize, inc: &Incident) -> String {
    let mut out = format!("### {n}. {}: {}\n\n", inc.severity.as_str().to_uppercase(), text(&inc.title));
    let _ = writeln!(out, "- **when** {}, {}", digest::span(inc), count(inc.count, "record"));
    let _ = writeln!(
        out,
        "- **root cause** {}: {} ({})",
        code(digest::root_component(inc)),
        pack_text(&inc.root_cause.summary),
        code(&inc.root_cause.rule)
    );
    let comps = digest::components(inc);
    if !comps.is_empty() {
        let _ = writeln!(out, "- **components** {}", text(&comps.join(", ")));
    }
    let _ = writeln!(out, "- **scope** {}", text(&digest::scope(inc)));
    let _ = writeln!(out, "- **id** {}\n", code(&inc.id));
    out
}

/// The timeline, details, evidence and next steps, folded.
fn folded(inc: &Incident, (quiet, hosts): (&[String], bool)) -> String {
    let mut out = String::from("<details><summary>Timeline, details, evidence and next steps</summary>\n\n");
    if inc.episodes.len() > 1 {
        let clock = Clock::of(inc);
        out.push_str("| # | from | until | component | rule | key | records |\n|--:|---|---|---|---|---|--:|\n");
        for (i, e) in inc.episodes.iter().enumerate() {
            let key = digest::key(e);
            let _ = writeln!(
                out,
                "| {}{} | {} | {} | {} | {}{} | {} | {} |",
                i + 1,
                if i == 0 { format!(" ({})", digest::first_episode_role(inc)) } else { String::new() },
                clock.at(e.first_seen),
                e.last_seen.map_or_else(String::new, |l| clock.at(Some(l))),
                cell(&code(&digest::lane(e))),
                cell(&code(&e.rule_id)),
                text(&digest::other_keys(e)),
                if key.is_empty() { String::new() } else { cell(&code(&key)) },
                thousands(e.count)
            );
        }
        out.push('\n');
    }
    let details = digest::details(inc, quiet);
    if !details.is_empty() {
        out.push_str("**Details**\n\n");
        for d in &details {
            let (shown, more) = d.shown();
            let values: Vec<String> = shown.iter().map(|v| code(v)).collect();
            let _ = writeln!(out, "- {}: {}{}", code(d.name), values.join(", "), if more { ", …" } else { "" });
        }
        out.push('\n');
    }
    out.push_str("**Evidence**\n\n");
    for (_, s) in digest::evidence(inc) {
        let pod = s.pod.as_deref().map_or(String::new(), |p| format!(" (pod {})", code(&escape(p))));
        let _ = writeln!(out, "{}{pod}\n", code(&digest::location(s, hosts)));
        let mut lines = vec![s.text.clone()];
        if let Some((line, t)) = &s.matched {
            lines.push(format!("↳ line {line}: {t}"));
        }
        out.push_str(&code_block(&lines));
    }
    out.push_str("**Next steps**\n\n");
    for (i, s) in inc.next_steps.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, pack_text(s));
    }
    out.push_str("\n</details>\n\n");
    out
}

/// The closing note: what was left out, if anything, and where the rest is.
fn closing(total: usize, shown: usize, without_evidence: &[usize], limit: usize) -> String {
    let mut out = String::new();
    if shown < total || !without_evidence.is_empty() {
        let _ = write!(
            out,
            "> **Cut to fit {} characters** (GitHub's limit for an issue or comment):",
            thousands(limit as u64)
        );
        if !without_evidence.is_empty() {
            let _ = write!(
                out,
                " the timeline, evidence and next steps of {} {} left out;",
                if without_evidence.len() == 1 { "incident" } else { "incidents" },
                ranges(without_evidence)
            );
        }
        if shown < total {
            let _ = write!(
                out,
                " {} ({}–{}) {} not shown;",
                count((total - shown) as u64, "incident"),
                shown + 1,
                total,
                if total - shown == 1 { "is" } else { "are" }
            );
        }
        out.push_str(" the whole report: `stackscan scan --format html … > report.html`, attached as a file.\n\n");
    }
    let _ = writeln!(out, "<sub>stackscan {}; times are UTC.</sub>", env!("CARGO_PKG_VERSION"));
    out
}

/// `3, 5–9, 12`: incident numbers as ranges.
fn ranges(ns: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ns.len() {
        let mut j = i;
        while j + 1 < ns.len() && ns[j + 1] == ns[j] + 1 {
            j += 1;
        }
        parts.push(if i == j { ns[i].to_string() } else { format!("{}–{}", ns[i], ns[j]) });
        i = j + 1;
    }
    parts.join(", ")
}

/// Plain text that must not become markup: every character CommonMark or GitHub could read as syntax is
/// escaped with a backslash (control characters were made visible first), and what GitHub would turn into a link
/// or a notification (`@user` and `@org/team` mentions, e-mail addresses, `http://`, `https://` and `www.` autolinks)
/// is broken by an empty HTML comment, which renders as nothing: a title holding a logged URL or address must not
/// ping anyone or send a reader to a host named by a log line.
pub fn text(s: &str) -> String {
    const BREAK: &str = "<!-- -->";
    let s = escape(s);
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '!' | '~' | '|' | '$' | '#') {
            out.push('\\');
        }
        out.push(c);
        let rest = &s[i + c.len_utf8()..];
        let breaks = match c {
            '@' => true,
            ':' => rest.starts_with("//"),
            'w' | 'W' => rest.len() >= 3 && rest[..3].eq_ignore_ascii_case("ww.") && !s[..i].ends_with(['w', 'W']),
            _ => false,
        };
        if breaks {
            if c == 'w' || c == 'W' {
                // `www` itself goes out whole, the comment before its dot.
                for _ in 0..2 {
                    if let Some((_, w)) = chars.next() {
                        out.push(w);
                    }
                }
            }
            out.push_str(BREAK);
        }
    }
    out
}

/// A code span holding `s` literally: delimited by one more backtick than its longest run of backticks, padded
/// with spaces when it starts or ends with a backtick or a space.
pub fn code(s: &str) -> String {
    let s = escape(s);
    if s.is_empty() {
        return "(empty)".into();
    }
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    let pad = s.starts_with(['`', ' ']) || s.ends_with(['`', ' ']);
    if pad {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// A fenced code block of lines, its fence longer than any backtick run in them.
fn code_block(lines: &[String]) -> String {
    let lines: Vec<String> = lines.iter().map(|l| escape(l).into_owned()).collect();
    let longest = lines.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}text\n{}\n{fence}\n\n", lines.join("\n"))
}

/// Text in a table cell: `|` ends a cell even inside a code span unless escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The pack's wording, which marks commands as `code`: code spans kept (rebuilt safely), the rest escaped. An odd
/// number of backticks makes it all text.
fn pack_text(s: &str) -> String {
    match digest::code_spans(s) {
        Some(pieces) => pieces.iter().map(|&(is_code, p)| if is_code { code(p) } else { text(p) }).collect(),
        None => text(s),
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a `tick` here"), "``a `tick` here``");
        assert_eq!(code("`edge"), "`` `edge ``");
        assert_eq!(code("x\x1b[31my"), "`x\\x1b[31my`", "control characters are shown, not obeyed");
        assert_eq!(code(""), "(empty)");
    }

    #[test]
    fn text_escapes_markup() {
        assert_eq!(text("<script>alert(1)</script>"), "\\<script\\>alert(1)\\</script\\>");
        assert_eq!(text("a|b [x](y) *z*"), "a\\|b \\[x\\](y) \\*z\\*");
        assert_eq!(pack_text("run `kubectl get pods` now"), "run `kubectl get pods` now");
        assert_eq!(pack_text("odd ` tick"), "odd \\` tick");
    }

    /// Nothing GitHub links or notifies on survives in text: mentions, addresses, URLs and `www.` hosts are
    /// broken by an empty comment (rendered as nothing); code spans need none of it.
    #[test]
    fn text_neither_links_nor_mentions() {
        assert_eq!(text("ask @octocat and @org/team"), "ask @<!-- -->octocat and @<!-- -->org/team");
        assert_eq!(text("mail ops@example.com"), "mail ops@<!-- -->example.com");
        assert_eq!(text("POST http://h:7077/x"), "POST http:<!-- -->//h:7077/x");
        assert_eq!(text("HTTPS://h/ and Www.example.org"), "HTTPS:<!-- -->//h/ and Www<!-- -->.example.org");
        assert_eq!(text("kafka-0/10.20.0.7:9092"), "kafka-0/10.20.0.7:9092");
        assert_eq!(text("awww.x wwww.y"), "awww<!-- -->.x wwww.y");
        assert_eq!(code("@octocat http://h"), "`@octocat http://h`");
    }

    #[test]
    fn blocks_outfence_their_content() {
        assert_eq!(code_block(&["x ``` y".into()]), "````text\nx ``` y\n````\n\n");
        assert_eq!(ranges(&[3, 5, 6, 7, 9]), "3, 5–7, 9");
    }
}
