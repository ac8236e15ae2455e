//! The pictures of the HTML report, as inline SVG: the whole scan on one time axis (a bar per incident), and per
//! incident a timeline with one lane per component or process, a bar per episode numbered in chain order (the
//! root cause first and marked), dashed arrows from one step to the next, and a strip of records per minute.
//!
//! Geometry only: every string drawn comes in already escaped for HTML, colours come from the style sheet's
//! classes (no inline style, which the page's Content-Security-Policy forbids), and the size of a picture is
//! bounded whatever the logs (the strip has at most [`MAX_COLUMNS`] columns).

use super::esc;
use crate::correlate::Incident;
use crate::report::{digest, human};
use crate::time::{format_rfc3339, Millis};
use std::fmt::Write as _;

/// Width of every picture, in SVG units (it scales to the page).
const WIDTH: f64 = 1000.0;
/// Where the plot starts: the lane labels are to its left.
const PLOT_X0: f64 = 200.0;
/// Where the plot ends.
const PLOT_X1: f64 = 985.0;
/// Height of one row of bars.
const ROW: f64 = 22.0;
/// Height of the records-per-minute strip.
const STRIP: f64 = 44.0;
/// Height of the time axis labels.
const AXIS: f64 = 20.0;
/// Columns of the strip at most: minutes are grouped when an incident spans more than this many.
pub const MAX_COLUMNS: i64 = 240;
/// Radius of a step number's circle.
const STEP_R: f64 = 7.5;

const MINUTE: Millis = 60_000;
const HOUR: Millis = 60 * MINUTE;
const DAY: Millis = 24 * HOUR;

/// A linear time axis over the plot.
#[derive(Debug, Clone, Copy)]
struct Axis {
    t0: Millis,
    t1: Millis,
}

impl Axis {
    /// The axis over `[first, last]`, widened to at least a minute and padded by 2% each side.
    fn over(first: Millis, last: Millis) -> Axis {
        let (mut a, mut b) = (first, last.max(first));
        if b - a < MINUTE {
            let mid = a + (b - a) / 2;
            (a, b) = (mid - MINUTE / 2, mid + MINUTE / 2);
        }
        let pad = (b - a) / 50;
        Axis { t0: a - pad, t1: b + pad }
    }

    fn x(&self, t: Millis) -> f64 {
        let f = (t - self.t0) as f64 / (self.t1 - self.t0).max(1) as f64;
        PLOT_X0 + f.clamp(0.0, 1.0) * (PLOT_X1 - PLOT_X0)
    }

    /// Tick times at a round step giving at most 8 ticks, and how to label them.
    fn ticks(&self) -> (Vec<Millis>, Millis) {
        const STEPS: [Millis; 20] = [
            1000,
            2000,
            5000,
            10_000,
            15_000,
            30_000,
            MINUTE,
            2 * MINUTE,
            5 * MINUTE,
            10 * MINUTE,
            15 * MINUTE,
            30 * MINUTE,
            HOUR,
            2 * HOUR,
            3 * HOUR,
            6 * HOUR,
            12 * HOUR,
            DAY,
            2 * DAY,
            7 * DAY,
        ];
        let span = self.t1 - self.t0;
        let step = STEPS.iter().copied().find(|s| span / s <= 8).unwrap_or_else(|| (span / 8 / DAY + 1) * DAY);
        let mut t = self.t0.div_euclid(step) * step;
        if t < self.t0 {
            t += step;
        }
        let mut out = Vec::new();
        while t <= self.t1 && out.len() < 16 {
            out.push(t);
            t += step;
        }
        (out, step)
    }

    /// A tick's label: `11:40`, `11:40:30`, or `03-12 11:40` on an axis longer than a day.
    fn label(&self, t: Millis, step: Millis) -> String {
        let s = format_rfc3339(t);
        let (date, time) = s.split_once('T').unwrap_or((&s, ""));
        let hm = time.get(..5).unwrap_or(time);
        if step < MINUTE {
            time.get(..8).unwrap_or(time).to_string()
        } else if self.t1 - self.t0 > DAY {
            format!("{} {hm}", date.get(5..).unwrap_or(date))
        } else {
            hm.to_string()
        }
    }

    /// Grid lines from `top` to `bottom` and tick labels below `bottom`.
    fn draw(&self, out: &mut String, top: f64, bottom: f64) {
        let (ticks, step) = self.ticks();
        let _ = writeln!(
            out,
            r#"<line class="axis" x1="{PLOT_X0:.1}" y1="{bottom:.1}" x2="{PLOT_X1:.1}" y2="{bottom:.1}"/>"#
        );
        for t in ticks {
            let x = self.x(t);
            let _ = writeln!(
                out,
                r#"<line class="grid" x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}"/><text class="muted" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                bottom + 14.0,
                self.label(t, step)
            );
        }
    }
}

/// The whole scan on one axis: a row per incident with a time span, its bar in the incident's colour and a link
/// to it. `None` when no incident has a time.
pub fn overview(incidents: &[Incident]) -> Option<String> {
    let timed: Vec<(usize, &Incident, Millis, Millis)> = incidents
        .iter()
        .enumerate()
        .filter_map(|(i, inc)| Some((i + 1, inc, inc.first_seen?, inc.last_seen?)))
        .collect();
    let first = timed.iter().map(|t| t.2).min()?;
    let last = timed.iter().map(|t| t.3).max()?;
    let axis = Axis::over(first, last);
    let height = 6.0 + timed.len() as f64 * ROW + AXIS + 4.0;
    let mut out =
        svg_open(height, &format!("All incidents from {} to {}", human::when(Some(first)), human::when(Some(last))));
    let bottom = 6.0 + timed.len() as f64 * ROW;
    axis.draw(&mut out, 0.0, bottom);
    for (row, (n, inc, a, b)) in timed.iter().enumerate() {
        let y = 6.0 + row as f64 * ROW;
        let (x, w) = bar_extent(&axis, *a, *b);
        let sev = inc.severity.as_str();
        let title = esc(&inc.title);
        let _ = writeln!(
            out,
            r##"<a href="#incident-{n}"><text x="8" y="{:.1}">{n}</text><text class="muted" x="30" y="{:.1}">{sev}</text><rect class="bar {sev}" x="{x:.1}" y="{:.1}" width="{w:.1}" height="12" rx="2"><title>{n}. {title} — {}</title></rect></a>"##,
            y + 14.0,
            y + 14.0,
            y + 4.0,
            esc(&digest::span(inc)),
        );
    }
    out.push_str("</svg>\n");
    Some(out)
}

/// An episode placed in the picture.
struct Placed {
    index: usize,
    lane: usize,
    row: usize,
    first: Millis,
    last: Millis,
}

/// The timeline of incident number `n`: lanes (one per component or process, in the order the episodes name
/// them), a bar per timed episode (overlapping episodes of one lane on rows of their own), the chain order, the
/// records per minute. `None` when no episode has a time.
pub fn timeline(n: usize, inc: &Incident) -> Option<String> {
    let axis = Axis::over(inc.first_seen?, inc.last_seen?);
    // Lanes in order of first mention, the root cause's component first even when it logged nothing itself;
    // within a lane, each episode on the first row where it overlaps nothing.
    let mut lanes: Vec<(String, Vec<Millis>)> = Vec::new();
    // The root cause's lane: the first episode's, when it is from the root cause's component; else the
    // component's own (empty) lane.
    let root = match (inc.root_cause.component, inc.episodes.first()) {
        (Some(c), Some(e)) if e.component == Some(c) => Some(digest::lane(e)),
        (c, _) => c.map(|c| c.to_string()),
    };
    if let Some(c) = inc.root_cause.component.filter(|c| inc.episodes.iter().all(|e| e.component != Some(*c))) {
        lanes.push((c.to_string(), Vec::new()));
    }
    let mut placed: Vec<Placed> = Vec::new();
    for (index, e) in inc.episodes.iter().enumerate() {
        let (Some(first), Some(last)) = (e.first_seen, e.last_seen) else { continue };
        let name = digest::lane(e);
        let lane = match lanes.iter().position(|(l, _)| *l == name) {
            Some(l) => l,
            None => {
                lanes.push((name, Vec::new()));
                lanes.len() - 1
            }
        };
        // Rows end where their last bar ends (in pixels, so that bars that merely touch do not hide each other).
        let rows = &mut lanes[lane].1;
        let gap = ((axis.t1 - axis.t0) / 200).max(1);
        let row = match rows.iter().position(|end| first > *end + gap) {
            Some(r) => r,
            None => {
                rows.push(Millis::MIN);
                rows.len() - 1
            }
        };
        rows[row] = rows[row].max(last);
        placed.push(Placed { index, lane, row, first, last });
    }
    // Each lane's top, and the total height of the lanes.
    let mut tops = Vec::with_capacity(lanes.len());
    let mut y = 4.0;
    for (_, rows) in &lanes {
        tops.push(y);
        y += rows.len().max(1) as f64 * ROW + 6.0;
    }
    let lanes_bottom = y;
    let strip_top = lanes_bottom + 8.0;
    let height = strip_top + STRIP + AXIS + 6.0;
    let mut out = svg_open(height, &format!("Timeline of incident {n}: {} lanes", lanes.len()));
    // One marker per chart, each with its own id: ids are unique in the document.
    out.push_str(&ARROW_DEFS.replace("\"arrow\"", &format!("\"arrow-{n}\"")));
    for (l, (name, rows)) in lanes.iter().enumerate() {
        let top = tops[l];
        let h = rows.len().max(1) as f64 * ROW;
        let is_root = root.as_deref() == Some(name.as_str());
        let _ = writeln!(
            out,
            r#"<rect class="lane" x="{PLOT_X0:.1}" y="{top:.1}" width="{:.1}" height="{h:.1}"/><text{} x="8" y="{:.1}">{}{}</text>"#,
            PLOT_X1 - PLOT_X0,
            if is_root { r#" class="root""# } else { "" },
            top + 15.0,
            if is_root { "★ " } else { "" },
            esc(&human::cut(name, 26)),
        );
        if rows.is_empty() {
            let _ = writeln!(
                out,
                r#"<text class="muted" x="{:.1}" y="{:.1}">root cause; no lines from its own log</text>"#,
                PLOT_X0 + 8.0,
                top + 15.0
            );
        }
    }
    axis.draw(&mut out, 0.0, strip_top + STRIP);
    // Bars, with a numbered step at the start of each.
    let mut steps: Vec<(usize, f64, f64)> = Vec::new();
    for p in &placed {
        let e = &inc.episodes[p.index];
        let y = tops[p.lane] + p.row as f64 * ROW + 4.0;
        let (x, w) = bar_extent(&axis, p.first, p.last);
        let root_class = if p.index == 0 { " root" } else { "" };
        let k = p.index + 1;
        let _ = writeln!(
            out,
            r##"<a href="#incident-{n}-episode-{k}"><rect class="bar {}{root_class}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="14" rx="2"><title>{k}{}. {} on {}: {} from {} to {}</title></rect></a>"##,
            inc.severity.as_str(),
            if p.index == 0 { format!(" ({})", digest::first_episode_role(inc)) } else { String::new() },
            esc(&e.rule_id),
            esc(&digest::lane(e)),
            esc(&human::count(e.count, "record")),
            esc(&human::when(Some(p.first))),
            esc(&human::when(Some(p.last))),
        );
        steps.push((k, x, y + 7.0));
    }
    // Arrows from each step to the next, in chain order, under the step circles.
    steps.sort_by_key(|s| s.0);
    for pair in steps.windows(2) {
        let ((_, x1, y1), (_, x2, y2)) = (pair[0], pair[1]);
        let (dx, dy) = (x2 - x1, y2 - y1);
        let d = (dx * dx + dy * dy).sqrt();
        if d < 2.5 * STEP_R {
            continue;
        }
        let (ux, uy) = (dx / d, dy / d);
        let _ = writeln!(
            out,
            r#"<line class="chain" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" marker-end="url(#arrow-{})"/>"#,
            x1 + ux * STEP_R,
            y1 + uy * STEP_R,
            x2 - ux * (STEP_R + 1.5),
            y2 - uy * (STEP_R + 1.5),
            n
        );
    }
    for (k, x, y) in &steps {
        let root = if *k == 1 { " root" } else { "" };
        let _ = writeln!(
            out,
            r#"<circle class="step{root}" cx="{x:.1}" cy="{y:.1}" r="{STEP_R}"/><text class="step-num" x="{x:.1}" y="{y:.1}">{k}</text>"#
        );
    }
    strip(&mut out, &axis, inc, strip_top);
    out.push_str("</svg>\n");
    Some(out)
}

const ARROW_DEFS: &str = r#"<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path class="arrow" d="M0,0 L8,4 L0,8 z"/></marker></defs>
"#;

/// The records-per-minute strip (minutes grouped into wider columns when the incident spans more than
/// [`MAX_COLUMNS`] of them), summed over the incident's episodes.
fn strip(out: &mut String, axis: &Axis, inc: &Incident, top: f64) {
    let minutes = ((axis.t1 - axis.t0) / MINUTE + 1).max(1);
    let per = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440]
        .into_iter()
        .find(|k| minutes / k < MAX_COLUMNS)
        .unwrap_or_else(|| minutes / MAX_COLUMNS + 1);
    let width = per * MINUTE;
    let start = axis.t0.div_euclid(width);
    let columns = (axis.t1.div_euclid(width) - start + 1) as usize;
    let mut counts = vec![0u64; columns];
    for e in &inc.episodes {
        for (t, c) in &e.per_minute {
            let i = t.div_euclid(width) - start;
            if let Some(slot) = usize::try_from(i).ok().and_then(|i| counts.get_mut(i)) {
                *slot += *c as u64;
            }
        }
    }
    let max = counts.iter().copied().max().unwrap_or(0);
    let unit = if per == 1 { "min".to_string() } else { format!("{per} min") };
    let _ = writeln!(
        out,
        r#"<text x="8" y="{:.1}">records / {unit}</text><text class="muted" x="8" y="{:.1}">max {}</text><line class="axis" x1="{PLOT_X0:.1}" y1="{top:.1}" x2="{PLOT_X1:.1}" y2="{top:.1}"/>"#,
        top + 16.0,
        top + 31.0,
        human::thousands(max)
    );
    if max == 0 {
        return;
    }
    for (i, &c) in counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let t = (start + i as i64) * width;
        let (x0, x1) = (axis.x(t), axis.x(t + width));
        let h = (c as f64 / max as f64 * (STRIP - 4.0)).max(1.5);
        let _ = writeln!(
            out,
            r#"<rect class="col" x="{x0:.1}" y="{:.1}" width="{:.1}" height="{h:.1}"><title>{}: {}</title></rect>"#,
            top + STRIP - h,
            (x1 - x0 - 0.4).max(0.8),
            esc(&human::when(Some(t))),
            esc(&human::count(c, "record"))
        );
    }
}

/// Where a bar from `a` to `b` lies: at least 3 units wide, so that an instant shows.
fn bar_extent(axis: &Axis, a: Millis, b: Millis) -> (f64, f64) {
    let x = axis.x(a);
    let w = (axis.x(b) - x).max(3.0);
    (x.min(PLOT_X1 - 3.0), w)
}

fn svg_open(height: f64, label: &str) -> String {
    format!(
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0}" role="img" aria-label="{}">
"#,
        esc(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_few() {
        let axis = Axis { t0: 1_710_241_212_349, t1: 1_710_241_212_349 + 72 * MINUTE };
        let (ticks, step) = axis.ticks();
        assert_eq!(step, 10 * MINUTE);
        assert!(ticks.len() <= 8 && !ticks.is_empty());
        assert!(ticks.iter().all(|t| t % step == 0 && *t >= axis.t0 && *t <= axis.t1));
        assert_eq!(axis.label(ticks[0], step), "11:10");
        let days = Axis { t0: 0, t1: 3 * DAY };
        assert_eq!(days.label(DAY, days.ticks().1), "01-02 00:00");
    }

    #[test]
    fn an_instant_gets_a_minute() {
        let a = Axis::over(1000, 1000);
        assert!(a.t1 - a.t0 >= MINUTE);
        let (x, w) = bar_extent(&a, 1000, 1000);
        assert!(w >= 3.0 && x > PLOT_X0 && x < PLOT_X1);
    }
}
