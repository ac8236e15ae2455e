//! One self-contained HTML page (`--format html`): readable offline, printable, light and dark.
//!
//! On top, what was read (statistics, skipped inputs) and the whole scan on one time axis, a bar per incident;
//! then per incident its facts, a timeline picture (a lane per component or process, a bar per episode numbered
//! in chain order with the root cause marked, records per minute; drawn by `chart`), the episodes, the details, the
//! evidence with `file:line`, and the next steps.
//!
//! Self-contained and closed: the style sheet, the one small script (which opens the folded evidence for
//! printing) and the pictures (SVG) are inline; there is no link, font or image to fetch, and a
//! Content-Security-Policy allows nothing but that style sheet and that script, by their hashes. Every string
//! from the logs or the file system is first made safe as everywhere ([`crate::frame::escape::escape`]: control
//! characters shown, secrets redacted) and then escaped for HTML, so no log line can add markup, and the page's
//! size follows the samples the report keeps, not the logs.
//!
//! Built from a [`Report`], nothing scan-specific (a merged report prints the same way); [`super::Whole`] collects
//! the report's items and has the page written when they are all known.

mod chart;

use super::digest::{self, Clock};
use super::human::{self, count, thousands};
use super::{Document, Report, Style, Summary};
use crate::correlate::{Incident, UnexplainedView};
use crate::model::Level;
use std::fmt::Write as _;
use std::io::{self, Write};

include!(concat!(env!("OUT_DIR"), "/html_assets.rs"));

/// Skipped inputs listed before `… and N more`.
const SKIPPED_SHOWN: usize = 200;
/// Episodes whose evidence is unfolded; the evidence of later ones is folded (printing unfolds it).
const EPISODES_OPEN: usize = 6;

/// The HTML page of a report.
pub struct Html {
    style: Style,
}

impl Html {
    /// The page in `style` (its quiet fields are left out of the details).
    pub fn new(style: Style) -> Self {
        Html { style }
    }
}

impl Document for Html {
    fn write(&mut self, report: &Report, w: &mut dyn Write) -> io::Result<()> {
        w.write_all(page(report, &self.style.quiet_fields).as_bytes())
    }
}

/// Text from the logs, the file system or the pack, safe inside an HTML element or a quoted attribute: control
/// characters made visible and secrets redacted, then `& < > " '` escaped.
pub fn esc(s: &str) -> String {
    let s = crate::frame::escape::escape(s);
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The pack's wording, which marks commands as `code`: the code spans become `<code>`, all of it escaped. An odd
/// number of backticks leaves it all text.
fn pack_text(s: &str) -> String {
    match digest::code_spans(s) {
        Some(pieces) => {
            pieces.iter().map(|&(code, p)| if code { format!("<code>{}</code>", esc(p)) } else { esc(p) }).collect()
        }
        None => esc(s),
    }
}

/// The whole page.
fn page(report: &Report, quiet: &[String]) -> String {
    let (s, incidents) = (&report.summary, &report.incidents[..]);
    let total: usize = s.incidents.iter().sum();
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src {CSS_SOURCE}; script-src {JS_SOURCE}; img-src 'none'; font-src 'none'; connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="stackscan {}">
<title>stackscan: {}</title>
<style>{CSS}</style>
</head>
<body>
"#,
        env!("CARGO_PKG_VERSION"),
        esc(&count(total as u64, "incident"))
    );
    header(&mut out, s);
    overview(&mut out, incidents);
    skipped(&mut out, s);
    out.push_str("<section id=\"incidents\">\n");
    if incidents.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(&digest::none_found(digest::inputs_read(s), &s.unexplained)));
    }
    for (i, inc) in incidents.iter().enumerate() {
        incident(&mut out, i + 1, inc, (quiet, digest::several_hosts(s)));
    }
    out.push_str("</section>\n");
    unexplained(&mut out, s, &report.unexplained);
    let _ = write!(
        out,
        "<footer>stackscan {}. Times are UTC. Log text is shown as read, with control characters made visible and \
         secrets redacted.</footer>\n<script>{JS}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// Title, totals and the table of contents.
fn header(out: &mut String, s: &Summary) {
    let st = &s.stats;
    let total: usize = s.incidents.iter().sum();
    let by_sev: Vec<String> =
        digest::by_severity(s).iter().map(|(sev, n)| format!(r#"<span class="sev {sev}">{n} {sev}</span>"#)).collect();
    let _ = writeln!(
        out,
        "<header>\n<h1>stackscan: {}</h1>\n<p class=\"muted\">{}</p>",
        esc(&count(total as u64, "incident")),
        by_sev.join(" ")
    );
    let stats = [
        ("files", thousands(st.files)),
        ("read", human::bytes(st.bytes)),
        ("lines", thousands(st.lines)),
        ("matching records", thousands(st.matches)),
        ("time", format!("{:.2}s", st.elapsed_ms as f64 / 1000.0)),
        ("rate", human::rate(st.bytes, st.elapsed_ms)),
        ("skipped inputs", thousands(s.skipped.len() as u64)),
    ];
    out.push_str("<dl class=\"stats\">");
    for (k, v) in stats {
        let _ = write!(out, "<div><dt>{k}</dt><dd>{}</dd></div>", esc(&v));
    }
    out.push_str("</dl>\n");
    for note in digest::notes(s) {
        let _ = writeln!(out, "<p class=\"muted\">Note: {}.</p>", esc(&note));
    }
    out.push_str("<nav class=\"toc\"><a href=\"#overview\">overview</a>");
    if !s.skipped.is_empty() {
        out.push_str("<a href=\"#skipped\">skipped inputs</a>");
    }
    out.push_str("<a href=\"#incidents\">incidents</a>");
    if s.unexplained.templates > 0 {
        out.push_str("<a href=\"#unexplained\">unexplained errors</a>");
    }
    out.push_str("</nav>\n</header>\n");
}

/// The whole scan on one axis, and the table of incidents.
fn overview(out: &mut String, incidents: &[Incident]) {
    out.push_str("<section id=\"overview\">\n<h2>Overview</h2>\n");
    if let Some(svg) = chart::overview(incidents) {
        let _ = write!(
            out,
            "<figure>\n{svg}<figcaption>Every incident's time span on one axis (UTC).</figcaption>\n</figure>\n"
        );
    }
    if incidents.is_empty() {
        out.push_str("</section>\n");
        return;
    }
    out.push_str(
        "<table class=\"incidents\"><thead><tr><th class=\"num\">#</th><th>severity</th><th>incident</th>\
         <th>root cause</th><th>first seen</th><th class=\"num\">duration</th><th class=\"num\">records</th></tr></thead><tbody>\n",
    );
    for (i, inc) in incidents.iter().enumerate() {
        let n = i + 1;
        let sev = inc.severity.as_str();
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{n}</td><td><span class=\"sev {sev}\">{sev}</span></td><td><a href=\"#incident-{n}\">{}</a></td>\
             <td>{} <code>{}</code></td><td class=\"mono\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&inc.title),
            esc(digest::root_component(inc)),
            esc(&inc.root_cause.rule),
            esc(&human::when(inc.first_seen)),
            digest::duration(inc),
            thousands(inc.count)
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

/// What was not read, or not completely.
fn skipped(out: &mut String, s: &Summary) {
    if s.skipped.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"skipped\">\n<h2>Skipped inputs</h2>\n<p class=\"muted\">{} not scanned, or not completely.</p>",
        esc(&count(s.skipped.len() as u64, "input"))
    );
    out.push_str("<table><thead><tr><th>input</th><th>why</th></tr></thead><tbody>\n");
    for k in s.skipped.iter().take(SKIPPED_SHOWN) {
        let _ = writeln!(out, "<tr><td class=\"mono\">{}</td><td>{}</td></tr>", esc(&k.path), esc(&k.reason));
    }
    if s.skipped.len() > SKIPPED_SHOWN {
        let _ = writeln!(
            out,
            "<tr><td colspan=\"2\">… and {} more</td></tr>",
            thousands((s.skipped.len() - SKIPPED_SHOWN) as u64)
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

/// The section "Unexplained errors and warnings": a row per template (level, template, component, records, first
/// and last seen, files, rate), its samples folded below the template. Left out when there is none (a scan that
/// mined nothing, or found nothing unexplained).
fn unexplained(out: &mut String, s: &Summary, list: &[UnexplainedView]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"unexplained\">\n<h2>Unexplained errors and warnings</h2>\n<p class=\"muted\">{}.</p>",
        esc(&digest::unexplained_totals(&s.unexplained))
    );
    out.push_str(
        "<table class=\"unexplained\"><thead><tr><th>level</th><th>template</th><th>component</th>\
         <th class=\"num\">records</th><th>first seen</th><th>last seen</th><th class=\"num\">files</th><th>rate</th>\
         </tr></thead><tbody>\n",
    );
    let hosts = digest::several_hosts(s);
    for u in list {
        let sev = match u.level {
            Some(Level::Fatal) => "critical",
            Some(Level::Warn) => "warning",
            Some(l) if l < Level::Warn => "info",
            _ => "error",
        };
        let _ = write!(
            out,
            "<tr id=\"unexplained-{}\"><td><span class=\"sev {sev}\">{}</span></td><td><code>{}</code>",
            esc(&u.id),
            digest::unexplained_level(u),
            esc(&u.template)
        );
        if !u.samples.is_empty() {
            let _ = write!(out, "<details><summary>{}</summary>", esc(&count(u.samples.len() as u64, "sample")));
            for x in &u.samples {
                let pod =
                    x.pod.as_deref().map_or(String::new(), |p| format!(" <span class=\"muted\">pod {}</span>", esc(p)));
                let _ = write!(
                    out,
                    "<div class=\"sample\"><div class=\"loc mono\">{}{pod}</div><pre>{}</pre></div>",
                    esc(&digest::location(x, hosts)),
                    esc(&x.text)
                );
            }
            out.push_str("</details>");
        }
        let _ = writeln!(
            out,
            "</td><td>{}</td><td class=\"num\">{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            esc(u.component.map_or("unknown", |c| c.as_str())),
            thousands(u.count),
            esc(&human::when(u.first_seen)),
            esc(&human::when(u.last_seen)),
            esc(&digest::unexplained_files(u)),
            esc(&digest::unexplained_rate(u).unwrap_or_default())
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

/// One incident: facts, timeline, episodes, details, evidence, next steps.
fn incident(out: &mut String, n: usize, inc: &Incident, (quiet, hosts): (&[String], bool)) {
    let sev = inc.severity.as_str();
    let _ = writeln!(
        out,
        "<article class=\"incident {sev}\" id=\"incident-{n}\" data-episodes=\"{}\">\n<h2><a class=\"num\" href=\"#incident-{n}\">{n}</a> \
         <span class=\"sev {sev}\">{sev}</span> <span class=\"title\">{}</span></h2>",
        inc.episodes.len(),
        esc(&inc.title)
    );
    out.push_str("<dl class=\"facts\">");
    let mut fact = |k: &str, v: String| {
        let _ = write!(out, "<dt>{k}</dt><dd>{v}</dd>");
    };
    fact("when", esc(&format!("{}, {}", digest::span(inc), count(inc.count, "record"))));
    fact(
        "root cause",
        format!(
            "<strong>{}</strong> — {} <code>{}</code>",
            esc(digest::root_component(inc)),
            pack_text(&inc.root_cause.summary),
            esc(&inc.root_cause.rule)
        ),
    );
    fact("components", esc(&digest::components(inc).join(", ")));
    fact("scope", esc(&digest::scope(inc)));
    if let Some(c) = &inc.chain {
        fact("chain", format!("<code>{}</code>", esc(c)));
    }
    fact("id", format!("<code>{}</code>", esc(&inc.id)));
    out.push_str("</dl>\n");

    match chart::timeline(n, inc) {
        Some(svg) => {
            let _ = write!(
                out,
                "<figure class=\"timeline\">\n{svg}<figcaption>A lane per component (★: the root cause's); a bar per episode, \
                 numbered in chain order, 1 outlined: the {}. Below: records per minute. Times in UTC.</figcaption>\n</figure>\n",
                digest::first_episode_role(inc)
            );
        }
        None => out.push_str("<p class=\"muted\">No line of this incident had a timestamp: no timeline.</p>\n"),
    }

    let clock = Clock::of(inc);
    out.push_str(
        "<table class=\"episodes\"><thead><tr><th class=\"num\">#</th><th>component</th><th>rule</th>\
         <th class=\"num\">records</th><th>from</th><th>until</th></tr></thead><tbody>\n",
    );
    for (i, e) in inc.episodes.iter().enumerate() {
        let k = i + 1;
        let _ = writeln!(
            out,
            "<tr><td class=\"num\"><a href=\"#incident-{n}-episode-{k}\">{k}</a></td><td>{}{}</td><td><code>{}</code>{}</td>\
             <td class=\"num\">{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
            esc(&digest::lane(e)),
            if i == 0 { format!(" <strong>({})</strong>", digest::first_episode_role(inc)) } else { String::new() },
            esc(&e.rule_id),
            esc(&digest::other_keys(e)),
            thousands(e.count),
            esc(&clock.at(e.first_seen)),
            esc(&clock.at(e.last_seen)),
        );
    }
    out.push_str("</tbody></table>\n");

    let details = digest::details(inc, quiet);
    if !details.is_empty() {
        out.push_str("<h3>Details</h3>\n<dl class=\"facts\">");
        for d in &details {
            let values: Vec<String> = d.values.iter().map(|v| format!("<code>{}</code>", esc(v))).collect();
            let _ = write!(
                out,
                "<dt>{}</dt><dd>{}{}</dd>",
                esc(d.name),
                values.join(", "),
                if d.truncated { ", …" } else { "" }
            );
        }
        out.push_str("</dl>\n");
    }

    out.push_str("<h3>Evidence</h3>\n<div class=\"evidence\">\n");
    for (i, e) in inc.episodes.iter().enumerate() {
        let k = i + 1;
        let _ = writeln!(
            out,
            "<details id=\"incident-{n}-episode-{k}\"{}><summary>{k}. <code>{}</code> on {} — {}</summary>",
            if i < EPISODES_OPEN { " open" } else { "" },
            esc(&e.rule_id),
            esc(&digest::lane(e)),
            esc(&count(e.count, "record"))
        );
        for s in &e.samples {
            let pod =
                s.pod.as_deref().map_or(String::new(), |p| format!(" <span class=\"muted\">pod {}</span>", esc(p)));
            let _ = writeln!(
                out,
                "<div class=\"sample\"><div class=\"loc mono\">{}{pod}</div><pre>{}</pre>",
                esc(&digest::location(s, hosts)),
                esc(&s.text)
            );
            if let Some((line, text)) = &s.matched {
                let _ = writeln!(out, "<div class=\"matched\">↳ matched at line {line}:</div><pre>{}</pre>", esc(text));
            }
            out.push_str("</div>\n");
        }
        out.push_str("</details>\n");
    }
    out.push_str("</div>\n<h3>Next steps</h3>\n<ol class=\"steps\">\n");
    for s in &inc.next_steps {
        let _ = writeln!(out, "<li>{}</li>", pack_text(s));
    }
    out.push_str("</ol>\n</article>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_cannot_become_markup() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("red\x1b[31m"), "red\\x1b[31m", "control characters shown, not obeyed");
        assert_eq!(pack_text("run `curl '<x>'` now"), "run <code>curl &#39;&lt;x&gt;&#39;</code> now");
    }

    #[test]
    fn the_policy_names_the_inline_assets() {
        assert!(CSS_SOURCE.starts_with("'sha256-") && JS_SOURCE.starts_with("'sha256-"));
        let page = page(&Report::default(), &[]);
        assert!(page.contains(&format!("<style>{CSS}</style>")), "the hashed text, byte for byte");
        assert!(page.contains(&format!("<script>{JS}</script>")));
        assert!(
            !page.contains("http://")
                || page.matches("http://").count() == page.matches("http://www.w3.org/2000/svg").count()
        );
    }
}
