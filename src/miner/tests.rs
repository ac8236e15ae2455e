//! The miner's unit tests: tokens, grouping, siblings, variable length, determinism, aliases, the caches'
//! transparency, examples, caps and eviction, long lines, merges, snapshots.

use super::token::tokenize;
use super::*;

type M = Miner<()>;

/// A deterministic log in the style of real ones: several templates, numbers, addresses, user names that
/// vary, a value of varying length.
fn synthetic(n: usize, seed: u64) -> Vec<String> {
    let mut x = seed;
    let mut next = move |m: u64| {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % m
    };
    let users = ["root", "admin", "guest", "oracle", "test", "ftp", "git"];
    let progs = ["chrome.exe", "firefox.exe", "Dropbox.exe", "git.exe"];
    (0..n)
        .map(|_| {
            let ip = format!("10.{}.{}.{}", next(255), next(255), next(255));
            let user = users[next(users.len() as u64) as usize];
            match next(8) {
                0 => format!("Accepted password for {user} from {ip} port {} ssh2", 1024 + next(60000)),
                1 => format!("Failed password for {user} from {ip} port {} ssh2", 1024 + next(60000)),
                2 => format!("Connection closed by {ip} [preauth]"),
                3 => format!("session opened for user {user} by (uid={})", next(1000)),
                4 => format!("Received block blk_{} of size {} from /{ip}", next(1 << 40), next(1 << 26)),
                5 => {
                    let prog = progs[next(progs.len() as u64) as usize];
                    let bytes = next(100_000);
                    let kb = if bytes > 1024 { format!(" ({:.2} KB)", bytes as f64 / 1024.0) } else { String::new() };
                    format!("{prog} - {ip}:443 close, {bytes} bytes{kb} sent, lifetime 00:0{}", next(10))
                }
                6 => format!("Job {} finished in {} ms", next(100_000), next(5000)),
                _ => format!("Worker {} state changed to {}", next(16), ["RUNNING", "STOPPED"][next(2) as usize]),
            }
        })
        .collect()
}

fn mine(lines: &[String], cfg: Config, stamp0: u64) -> (Miner, Vec<TemplateId>) {
    let mut m = M::new(cfg);
    let ids = lines.iter().enumerate().map(|(i, l)| m.add(l, stamp0 + i as u64)).collect();
    (m, ids)
}

/// Text, id, count, first, last and examples of a template.
type Row = (String, TemplateId, u64, u64, u64, Vec<Vec<String>>);

/// Everything a report shows, per template, sorted by text.
fn state(m: &Miner) -> Vec<Row> {
    let mut v: Vec<_> = m
        .templates()
        .map(|t| {
            let ex = t.examples().map(|e| e.into_iter().map(String::from).collect()).collect();
            (t.text().to_string(), t.id(), t.count(), t.first(), t.last(), ex)
        })
        .collect();
    v.sort();
    v
}

fn texts(m: &Miner) -> Vec<String> {
    state(m).into_iter().map(|t| t.0).collect()
}

fn classes(s: &str) -> Vec<(String, Class)> {
    let mut toks = Vec::new();
    tokenize(s, 64, &mut toks);
    toks.iter().map(|t| (s[t.start as usize..t.end as usize].to_string(), t.class)).collect()
}

#[test]
fn tokens_and_classes() {
    use Class::*;
    let got = classes("Failed password for root from 1.2.3.4 port 22 ssh2");
    let want = [("Failed", Word), ("password", Word), ("for", Word), ("root", Word), ("from", Word)];
    assert_eq!(&got[..5], &want.map(|(s, c)| (s.to_string(), c)));
    assert_eq!(got[5], ("1.2.3.4".to_string(), Var));
    // `port 22 ssh2`: the number and the digit-bearing word are one variable.
    assert_eq!(got[7], ("22 ssh2".to_string(), Var));
    let got = classes("close, 1190 bytes (1.16 KB) sent, lifetime <1 sec");
    assert_eq!(got[1], ("1190 bytes (1.16 KB)".to_string(), Var));
    assert_eq!(got[2].0, "sent");
    let got = classes(
        "onExtend:1514038530000 14 uid=0 Kind: YARN, setLightsOn(true) com.apple.x: at Wed Jun 15 02:04:59 2005",
    );
    let cls: Vec<Class> = got.iter().map(|t| t.1).collect();
    assert_eq!(cls, [Key, Var, Key, Var, Key, Word, Ident, Var, Ident, Word, Var]);
    assert_eq!(
        classes("don't 'quoted' FAIL_TASK_CLEANUP /usr/lib http://x")[..3].iter().map(|t| t.1).collect::<Vec<_>>(),
        [Word, Word, Word]
    );
}

#[test]
fn groups_values_and_keeps_events_apart() {
    let lines = [
        "Failed password for root from 1.2.3.4 port 22 ssh2",
        "Failed password for root from 5.6.7.8 port 2222 ssh2",
        "Failed none for root from 5.6.7.8 port 2222 ssh2",
        "Transitioned from NEW to RUNNING",
        "Transitioned from RUNNING to DONE",
        "Session: 1_2 initialized by client SPP.",
        "Session: 3_4 initialized by client WindowsUpdateAgent.",
        "Session: 5_6 initialized by client WindowsUpdateAgent.",
    ];
    let mut m = M::default();
    let ids: Vec<_> = lines.iter().enumerate().map(|(i, l)| m.add(l, i as u64)).collect();
    let ids: Vec<_> = ids.into_iter().map(|i| m.resolve(i)).collect();
    assert_eq!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    assert_ne!(ids[3], ids[4]);
    assert_ne!(ids[5], ids[6]);
    assert_eq!(ids[6], ids[7]);
    assert_eq!(m.get(ids[0]).map(|t| t.text()), Some("Failed password for root from <*> port <*>"));
}

#[test]
fn user_names_merge_by_diversity() {
    let mut m = M::default();
    let mut ids = Vec::new();
    for (i, u) in ["root", "news", "root", "cyrus", "test"].iter().enumerate() {
        ids.push(m.add(&format!("session opened for user {u} by (uid=0)"), i as u64));
    }
    let t = m.get(ids[0]).expect("a template");
    assert_eq!(t.text(), "session opened for user <*> by (uid=<*>)");
    assert_eq!(t.count(), 5);
    assert!(ids.iter().all(|&i| m.resolve(i) == t.id()));
    assert_eq!(t.examples().next(), Some(vec!["root", "news", "cyrus"]));
    // Capitalised states need more evidence.
    let mut m = M::default();
    for (i, s) in ["Started", "Stopped", "Paused", "Resumed"].iter().enumerate() {
        m.add(&format!("[instance: {i}] VM {s} (Lifecycle Event)"), i as u64);
    }
    assert_eq!(m.len(), 4);
}

#[test]
fn variable_length_values_share_a_template() {
    let lines = [
        "chrome.exe - a.b.com:443 close, 0 bytes sent, 0 bytes received, lifetime <1 sec",
        "chrome.exe *64 - a.b.com:443 close, 1190 bytes (1.16 KB) sent, 1671 bytes (1.63 KB) received, lifetime 00:02",
        "Dropbox.exe - c.d.com:443 close, 403 bytes sent, 426 bytes received, lifetime 00:01",
        "QQ.exe *64 - e.f.com:80 close, 5 bytes sent, 9 bytes received, lifetime 00:01",
    ];
    let mut m = M::default();
    let ids: Vec<_> = lines.iter().enumerate().map(|(i, l)| m.add(l, i as u64)).collect();
    let first = m.resolve(ids[0]);
    assert!(ids.iter().all(|&i| m.resolve(i) == first), "{:?}", texts(&m));
    assert_eq!(m.len(), 1);
}

#[test]
fn deterministic() {
    let lines = synthetic(3000, 7);
    let (a, ia) = mine(&lines, Config::default(), 0);
    let (b, ib) = mine(&lines, Config::default(), 0);
    assert_eq!(state(&a), state(&b));
    assert_eq!(ia, ib);
    assert_eq!(a.stats(), b.stats());
    // Ids are the hashes of the texts, the same in any miner.
    for t in a.templates() {
        assert_eq!(t.id(), template_id(t.text()));
    }
}

#[test]
fn every_arrival_id_resolves_to_its_final_template() {
    let lines = synthetic(2000, 11);
    let (m, ids) = mine(&lines, Config::default(), 0);
    let mut count: HashMap<TemplateId, u64> = HashMap::new();
    for id in ids {
        let r = m.resolve(id);
        assert!(m.get(r).is_some());
        *count.entry(r).or_default() += 1;
    }
    for t in m.templates() {
        assert_eq!(count.get(&t.id()).copied().unwrap_or(0), t.count(), "{}", t.text());
    }
}

#[test]
fn the_shape_cache_never_changes_an_outcome() {
    let lines = synthetic(3000, 3);
    let (a, ia) = mine(&lines, Config::default(), 0);
    let mut b = M::default();
    let ib: Vec<_> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            b.shapes.clear();
            b.quick.clear();
            b.add(l, i as u64)
        })
        .collect();
    assert_eq!(ia, ib);
    assert_eq!(state(&a), state(&b));
    assert!(a.stats().cache_misses < 500, "{:?}", a.stats());
}

#[test]
fn examples_are_the_earliest_distinct_values() {
    let mut m = M::default();
    for (i, n) in [5, 5, 7, 9, 11, 13].iter().enumerate() {
        m.add(&format!("Job {n} finished"), 100 + i as u64);
    }
    let t = m.templates().next().expect("a template");
    assert_eq!(t.text(), "Job <*> finished");
    assert_eq!(t.examples().collect::<Vec<_>>(), [vec!["5", "7", "9"]]);
    assert_eq!((t.first(), t.last(), t.count()), (100, 105, 6));
    let cfg = Config { max_examples: 1, ..Config::default() };
    let mut m = M::new(cfg);
    m.add("Job 5 finished", 1);
    m.add("Job 6 finished", 2);
    assert_eq!(m.templates().next().map(|t| t.examples().collect::<Vec<_>>()), Some(vec![vec!["5"]]));
}

#[test]
fn cap_evicts_the_least_recently_seen() {
    let cfg = Config { max_templates: 3, ..Config::default() };
    let mut m = M::new(cfg);
    let events = ["alpha started", "beta stopped", "gamma failed", "delta restarted"];
    m.add(events[0], 0);
    m.add(events[1], 1);
    m.add(events[2], 2);
    m.add(events[0], 3); // alpha is now more recent than beta
    m.add(events[3], 4); // evicts beta
    assert_eq!(m.len(), 3);
    assert_eq!(texts(&m), ["alpha started", "delta restarted", "gamma failed"]);
    let s = m.stats();
    assert_eq!((s.evicted_templates, s.evicted_lines, s.lines), (1, 1, 5));
    // Bounded under a flood of distinct templates.
    for i in 0..1000 {
        m.add(
            &format!("event{} happened", ["a", "b", "c", "d", "e", "f", "g", "h"][i % 8].repeat(i / 8 + 1)),
            i as u64,
        );
    }
    assert!(m.len() <= 3);
}

#[test]
fn long_messages_are_cut() {
    let mut m = M::new(Config { max_line_bytes: 40, max_tokens: 5, ..Config::default() });
    let long = format!("alpha beta gamma delta epsilon {}", "x".repeat(100));
    m.add(&long, 0);
    m.add("alpha beta gamma delta zeta eta theta", 1);
    let t = m.templates().next().expect("a template");
    assert_eq!(t.text(), "alpha beta gamma delta <*>");
    assert_eq!(m.len(), 1);
    assert_eq!(m.stats().truncated, 2);
    // A multi-byte character at the cut does not panic.
    m.add(&"é".repeat(100), 2);
}

#[test]
fn merge_canonicalises_less_general_templates() {
    let mut a = M::default();
    a.add("open file alpha.txt now", 1);
    a.add("open file beta.txt now", 2);
    let mut b = M::default();
    let bid = b.add("open file gamma.txt now", 3);
    assert_eq!(b.templates().next().map(|t| t.text().to_string()), Some("open file gamma.txt now".into()));
    let mut ab = a.clone();
    ab.merge(b.clone());
    let mut ba = b;
    ba.merge(a);
    assert_eq!(state(&ab), state(&ba));
    let t = ab.templates().next().expect("a template");
    assert_eq!((t.text(), t.count(), t.first(), t.last()), ("open file <*> now", 3, 1, 3));
    assert_eq!(ab.resolve(bid), t.id());
    assert_eq!(t.examples().next(), Some(vec!["alpha.txt", "beta.txt", "gamma.txt"]));
}

/// Mines `lines` cut at `cuts`, merging the chunks in `order`.
fn chunked(lines: &[String], cuts: &[usize], order: &[usize]) -> (Miner, Vec<TemplateId>) {
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(lines.len());
    let parts: Vec<(Miner, Vec<TemplateId>)> =
        bounds.windows(2).map(|w| mine(&lines[w[0]..w[1]], Config::default(), w[0] as u64)).collect();
    let mut ids = Vec::new();
    for (_, i) in &parts {
        ids.extend_from_slice(i);
    }
    let mut acc: Option<Miner> = None;
    for &k in order {
        let m = parts[k].0.clone();
        acc = Some(match acc {
            None => m,
            Some(mut a) => {
                a.merge(m);
                a
            }
        });
    }
    (acc.expect("a chunk"), ids)
}

#[test]
fn merge_is_order_independent_over_shuffled_chunkings() {
    let lines = synthetic(4000, 42);
    let (single, single_ids) = mine(&lines, Config::default(), 0);
    let summary =
        |m: &Miner| -> Vec<(String, u64, u64, u64)> { state(m).into_iter().map(|t| (t.0, t.2, t.3, t.4)).collect() };
    let want = summary(&single);
    let chunkings: [&[usize]; 4] = [&[2000], &[517, 3001], &[1000, 2000, 3000], &[101, 900, 2222, 3999]];
    for cuts in chunkings {
        let k = cuts.len() + 1;
        let orders: Vec<Vec<usize>> =
            vec![(0..k).collect(), (0..k).rev().collect(), (0..k).map(|i| (i + 1) % k).collect()];
        let mut first: Option<Vec<_>> = None;
        for order in orders {
            let (m, ids) = chunked(&lines, cuts, &order);
            let s = state(&m);
            match &first {
                None => first = Some(s),
                Some(f) => assert_eq!(f, &s, "cuts {cuts:?} order {order:?}"),
            }
            // The same templates and counts as one pass, and every line resolves to its template there.
            assert_eq!(summary(&m), want, "cuts {cuts:?}");
            for (a, b) in ids.iter().zip(&single_ids) {
                assert_eq!(m.resolve(*a), single.resolve(*b));
            }
        }
    }
}

#[test]
fn merge_respects_the_cap_and_adds_counters() {
    let cfg = Config { max_templates: 2, ..Config::default() };
    let mut a = M::new(cfg.clone());
    a.add("alpha started", 1);
    a.add("beta stopped", 2);
    let mut b = M::new(cfg);
    b.add("gamma failed", 3);
    b.add("alpha started", 9);
    a.merge(b);
    assert_eq!(texts(&a), ["alpha started", "gamma failed"]);
    let s = a.stats();
    assert_eq!((s.lines, s.evicted_templates, s.evicted_lines), (4, 1, 1));
}

/// A payload that counts its lines and keeps the smallest stamp: absorption must add them up.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Lines {
    n: u64,
    first: Option<u64>,
}

impl Payload for Lines {
    fn absorb(&mut self, other: &Self) {
        self.n += other.n;
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

fn mine_lines(lines: &[String], cfg: Config) -> (Miner<Lines>, Vec<TemplateId>) {
    let mut m = Miner::<Lines>::new(cfg);
    let ids = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            m.add_with(l, i as u64, |p| {
                p.n += 1;
                p.first = Some(p.first.map_or(i as u64, |f| f.min(i as u64)));
            })
        })
        .collect();
    (m, ids)
}

#[test]
fn payloads_follow_generalisations_siblings_and_merges() {
    let lines = synthetic(3000, 5);
    let (m, _) = mine_lines(&lines, Config::default());
    for t in m.templates() {
        assert_eq!(t.payload().n, t.count(), "{}", t.text());
        assert_eq!(t.payload().first, Some(t.first()), "{}", t.text());
    }
    let (mut a, _) = mine_lines(&lines[..1400], Config::default());
    let (b, _) = mine_lines(&lines[1400..], Config::default());
    a.merge(b);
    assert_eq!(a.templates().map(|t| t.payload().n).sum::<u64>(), 3000);
    for t in a.templates() {
        assert_eq!(t.payload().n, t.count(), "{}", t.text());
    }
}

/// The skeleton cache places a message where tokenising it would: mining with it, and with every cache cleared
/// before each line, gives the same ids, templates, examples and payloads.
#[test]
fn the_skeleton_cache_never_changes_an_outcome() {
    let mut lines = synthetic(4000, 9);
    // Digit runs of every length in the same skeleton, and long messages past the byte bound.
    for i in 0..300u64 {
        lines.push(format!("retry {} of {} for job{} after {}ms", i, i * 1_000_003, i % 7, i * i));
        lines.push(format!("{} {}", "word ".repeat(300), i));
    }
    let (a, ia) = mine_lines(&lines, Config::default());
    let mut b = Miner::<Lines>::default();
    let ib: Vec<_> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            b.quick.clear();
            b.shapes.clear();
            b.add_with(l, i as u64, |p| {
                p.n += 1;
                p.first = Some(p.first.map_or(i as u64, |f| f.min(i as u64)));
            })
        })
        .collect();
    assert_eq!(ia, ib);
    let full = |m: &Miner<Lines>| -> Vec<(Row, Lines)> {
        let mut v: Vec<_> = m
            .templates()
            .map(|t| {
                let ex = t.examples().map(|e| e.into_iter().map(String::from).collect()).collect();
                ((t.text().to_string(), t.id(), t.count(), t.first(), t.last(), ex), t.payload().clone())
            })
            .collect();
        v.sort_by(|x, y| x.0.cmp(&y.0));
        v
    };
    assert_eq!(full(&a), full(&b));
    assert_eq!(a.stats().lines, b.stats().lines);
    assert_eq!(a.stats().truncated, b.stats().truncated);
}

#[test]
fn skeletons_ignore_digit_runs_only() {
    use super::token::skeleton_hash as h;
    assert_eq!(h(b"job 7 took 15 ms on node-3"), h(b"job 71234 took 1 ms on node-30000"));
    assert_eq!(h(b"abcdefghij1klmnopqrstuvwxyz"), h(b"abcdefghij12345klmnopqrstuvwxyz"));
    assert_ne!(h(b"job 7 took 15 ms"), h(b"job 7 took 15 s"));
    assert_ne!(h(b"job 7 took"), h(b"job took 7"));
    assert_ne!(h(b"a1b"), h(b"a1 b"));
}

/// A restored snapshot holds exactly what was saved and goes on exactly as the saved miner would have.
#[test]
fn snapshots_restore_exactly() {
    let lines = synthetic(4000, 13);
    let (whole, whole_ids) = mine_lines(&lines, Config::default());
    let (half, _) = mine_lines(&lines[..2000], Config::default());
    let json = serde_json::to_string(&half).expect("serialise");
    let mut back: Miner<Lines> = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(serde_json::to_string(&back).expect("serialise again"), json, "a round trip changes nothing");
    let ids: Vec<_> = lines[2000..]
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let s = (2000 + i) as u64;
            back.add_with(l, s, |p| {
                p.n += 1;
                p.first = Some(p.first.map_or(s, |f| f.min(s)));
            })
        })
        .collect();
    assert_eq!(ids, whole_ids[2000..]);
    // Everything but the caches' cost counter (a restored miner starts with empty caches).
    let value = |m: &Miner<Lines>| {
        let mut v = serde_json::to_value(m).expect("serialise");
        v["stats"]["cache_misses"] = 0.into();
        v
    };
    assert!(value(&back) == value(&whole), "the restored miner went on differently");
}

/// However many distinct templates arrive, at most the cap is kept; evictions are counted exactly.
#[test]
fn the_cap_holds_under_a_flood_of_distinct_templates() {
    let cfg = Config { max_templates: 64, ..Config::default() };
    let mut m = M::new(cfg);
    let mut x = 1u64;
    let mut word = || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let n = 3 + (x >> 60) as usize;
        (0..n).map(|k| (b'A' + (x.rotate_right(5 * k as u32) % 26) as u8) as char).collect::<String>()
    };
    for i in 0..20_000u64 {
        let line = format!("{} {} failed: {} {}", word(), word(), word().to_lowercase(), "x".repeat((i % 9) as usize));
        m.add(&line, i);
        assert!(m.len() <= 64, "{} templates after {i} lines", m.len());
    }
    let s = m.stats();
    let kept: u64 = m.templates().map(|t| t.count()).sum();
    assert_eq!(kept + s.evicted_lines, 20_000, "every line is kept or counted as evicted");
    assert!(s.evicted_templates > 1000, "{s:?}");
    assert!(m.aliases.len() <= 4 * 64 + 64);
    assert!(m.shapes.len() <= 4 * 64 + 256 && m.quick.len() <= 4 * 64 + 256);
}

/// Folding the miners of consecutive parts in order gives the templates and counts of one pass.
#[test]
fn absorbing_parts_in_order_equals_one_pass() {
    let lines = synthetic(4000, 21);
    let (single, single_ids) = mine(&lines, Config::default(), 0);
    for cuts in [&[2000][..], &[517, 3001], &[101, 900, 2222, 3999]] {
        let mut bounds = vec![0];
        bounds.extend_from_slice(cuts);
        bounds.push(lines.len());
        let mut acc: Option<M> = None;
        let mut ids = Vec::new();
        for w in bounds.windows(2) {
            let (m, i) = mine(&lines[w[0]..w[1]], Config::default(), w[0] as u64);
            ids.extend(i);
            match &mut acc {
                None => acc = Some(m),
                Some(a) => a.absorb(m),
            }
        }
        let acc = acc.expect("parts");
        let summary =
            |m: &M| -> Vec<(String, u64, u64, u64)> { state(m).into_iter().map(|t| (t.0, t.2, t.3, t.4)).collect() };
        assert_eq!(summary(&acc), summary(&single), "cuts {cuts:?}");
        assert_eq!(acc.stats().lines, 4000);
        for (a, b) in ids.iter().zip(&single_ids) {
            assert_eq!(acc.resolve(*a), single.resolve(*b));
        }
    }
}

/// Parts mined each from a seed of the state before them and absorbed in order give one pass's templates,
/// counts and stamps; a seed counts none of its templates' lines, and evicting its untouched templates is no
/// eviction of the state it came from.
#[test]
fn parts_mined_from_seeds_equal_one_pass() {
    let lines = synthetic(4000, 33);
    let (single, single_ids) = mine(&lines, Config::default(), 0);
    let mut acc = M::new(Config::default());
    let mut ids = Vec::new();
    for w in [0, 700, 1500, 2600, 4000].windows(2) {
        let mut part = acc.seed();
        assert_eq!((part.stats().lines, part.len()), (0, acc.len()));
        assert!(part.templates().all(|t| t.count() == 0));
        ids.extend((w[0]..w[1]).map(|i| part.add(&lines[i], i as u64)));
        assert_eq!(part.stats().lines, (w[1] - w[0]) as u64);
        acc.absorb(part);
    }
    let summary =
        |m: &M| -> Vec<(String, u64, u64, u64)> { state(m).into_iter().map(|t| (t.0, t.2, t.3, t.4)).collect() };
    assert_eq!(summary(&acc), summary(&single));
    assert_eq!(acc.stats().lines, 4000);
    for (a, b) in ids.iter().zip(&single_ids) {
        assert_eq!(acc.resolve(*a), single.resolve(*b));
    }

    // A seed at the cap: new templates evict untouched ones, which stay in the state it came from.
    let cfg = Config { max_templates: 3, ..Config::default() };
    let mut m = M::new(cfg);
    for (i, e) in ["alpha started", "beta stopped", "gamma failed"].iter().enumerate() {
        m.add(e, i as u64);
    }
    let mut part = m.seed();
    part.add("delta restarted", 3);
    assert_eq!((part.stats().evicted_templates, part.stats().evicted_lines), (0, 0));
    m.absorb(part);
    assert_eq!(texts(&m), ["beta stopped", "delta restarted", "gamma failed"]);
    assert_eq!((m.stats().evicted_templates, m.stats().evicted_lines, m.stats().lines), (1, 1, 4));
}

/// Adding a message with a weight equals adding it that many times (but for examples).
#[test]
fn weighted_adds_count_like_repeated_ones() {
    let lines = synthetic(3000, 23);
    let (one, _) = mine(&lines, Config::default(), 0);
    let mut w = M::default();
    let mut i = 0;
    while i < lines.len() {
        // Runs of equal lines: once, with their number.
        let n = lines[i..].iter().take_while(|l| **l == lines[i]).count();
        w.add_weighted(&lines[i], (i as u64, (i + n - 1) as u64), n as u64, |_| {});
        i += n;
    }
    let mut doubled = M::default();
    for (k, l) in lines.iter().enumerate() {
        doubled.add_weighted(l, (k as u64, k as u64 + 1), 2, |_| {});
    }
    let summary = |m: &M| -> Vec<(String, u64, u64)> { state(m).into_iter().map(|t| (t.0, t.2, t.3)).collect() };
    assert_eq!(summary(&w), summary(&one));
    let twice: Vec<(String, u64, u64)> = summary(&one).into_iter().map(|(t, c, f)| (t, 2 * c, f)).collect();
    assert_eq!(summary(&doubled), twice);
    assert_eq!(doubled.stats().lines, 6000);
}
