//! What the aggregates remember of the field values they were given, as read: in a storm the thousandth event of
//! a bucket brings the same few values as the first, and one comparison of their raw bytes tells that adding them
//! again would change nothing, without cleaning (escaping, redacting) them or looking their field up.
//!
//! Why a repeat changes nothing: once [`Bucket::add_value`](super::episode::Bucket::add_value) has taken a value
//! `v` of a field at order `o1`, the field either holds `v` at an order at most `o1`, or holds [`MAX_VALUES`]
//! values that all sort before `v` and is marked truncated. Later adds and merges only lower orders or push
//! values out from the end (marking the field truncated), so both stay true. Adding `v` again at an order after
//! `o1` then finds it with an earlier order, or finds the field full of earlier values: a no-op either way. The
//! order must be strictly later: two values of one field at one order (one record) are not ordered by time.
//!
//! The same goes for the key: an event whose raw key values (and component, process and time bucket) are those
//! of one of its rule's last few events goes to the same entry, found without cleaning its key or building it.
//!
//! The values are remembered direct-mapped by (entry, capture group, the value's length and last byte),
//! forgotten on a collision; keys, a few per rule. Entries that move ([`Aggregates`](super::episode::Aggregates)
//! folding a key past its cap) void both. Bounded by the slot count and the rule count times [`Seen::MAX_RAW`].
//!
//! [`MAX_VALUES`]: super::episode::MAX_VALUES

use super::episode::{Bucket, Order};
use crate::model::Component;
use std::borrow::Cow;

/// Raw field values last added, per (aggregate entry, capture group), and per rule the raw keys of its last few
/// events.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    slots: Vec<Slot>,
    /// Per rule, [`Seen::KEYS`] keys and the one replaced next.
    keys: Vec<([LastKey; Seen::KEYS], usize)>,
}

/// An event's key as read: what decides its entry, before its values are cleaned (see [`Seen::entry_of`]).
pub struct RawKey<'a> {
    pub rule: u32,
    pub component: Option<Component>,
    /// kafka-to-es process, when known.
    pub process: Option<&'a str>,
    /// How many key captures the rule has.
    pub parts: usize,
    /// The raw value of key capture `i` (empty when it did not take part).
    pub part: &'a dyn Fn(usize) -> &'a [u8],
}

/// A rule's recent event: its raw key, time bucket and the entry the cleaned key went to.
#[derive(Debug, Clone, Default)]
struct LastKey {
    /// `None` when nothing is remembered.
    entry: Option<usize>,
    bucket: i64,
    component: Option<Component>,
    process: Option<Box<str>>,
    /// The parts, one after the other, and where each ends.
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Slot {
    /// The entry (index in the aggregates), `usize::MAX` when empty.
    entry: usize,
    group: usize,
    /// The order the value was added at.
    order: Order,
    raw: Vec<u8>,
}

impl Seen {
    /// Slots kept.
    const SLOTS: usize = 64;
    /// The longest value remembered.
    pub const MAX_RAW: usize = 128;
    /// Keys remembered per rule: a few nodes or hosts taking turns in a storm each find theirs.
    const KEYS: usize = 4;

    /// A bucket's groups take neighbouring slots, the few buckets of a storm spread by 7 apart, and the values
    /// a field takes in turn (`/intake/`, `/api/v1/series`) apart by their length and last byte.
    fn slot(entry: usize, group: usize, raw: &[u8]) -> usize {
        let shape = raw.len().wrapping_mul(11) ^ usize::from(raw.last().copied().unwrap_or(0)).wrapping_mul(5);
        entry.wrapping_mul(7).wrapping_add(group).wrapping_add(shape) % Self::SLOTS
    }

    /// Whether the raw value `raw` of capture group `group` was added to entry `entry`'s field at an order before
    /// `order` (so adding it again changes nothing).
    fn added(&self, entry: usize, group: usize, raw: &[u8], order: Order) -> bool {
        self.slots
            .get(Self::slot(entry, group, raw))
            .is_some_and(|s| s.entry == entry && s.group == group && s.order < order && s.raw == raw)
    }

    /// Notes that the raw value `raw` of capture group `group` was added to entry `entry`'s field at `order`.
    fn note(&mut self, entry: usize, group: usize, raw: &[u8], order: Order) {
        if raw.len() > Self::MAX_RAW {
            return;
        }
        if self.slots.is_empty() {
            self.slots.resize_with(Self::SLOTS, || Slot {
                entry: usize::MAX,
                group: 0,
                order: Order::CONSTANT,
                raw: Vec::new(),
            });
        }
        let s = &mut self.slots[Self::slot(entry, group, raw)];
        s.entry = entry;
        s.group = group;
        s.order = order;
        s.raw.clear();
        s.raw.extend_from_slice(raw);
    }

    /// The entry a recent event of `key`'s rule went to, when it had the same raw key in time bucket `bucket`:
    /// equal raw values clean to equal values, so the entry is the one the cleaned key finds.
    pub fn entry_of(&self, key: &RawKey<'_>, bucket: i64) -> Option<usize> {
        let (recent, _) = self.keys.get(key.rule as usize)?;
        recent.iter().find_map(|last| {
            let entry = last.entry?;
            let same = last.bucket == bucket
                && last.component == key.component
                && last.process.as_deref() == key.process
                && last.ends.len() == key.parts
                && (0..key.parts).all(|i| {
                    let start = if i == 0 { 0 } else { last.ends[i - 1] };
                    last.bytes[start..last.ends[i]] == *(key.part)(i)
                });
            same.then_some(entry)
        })
    }

    /// Notes that `key` in time bucket `bucket` went to `entry`, in place of its rule's oldest key. Keys longer
    /// than [`Seen::MAX_RAW`] in all are not remembered.
    pub fn note_key(&mut self, key: &RawKey<'_>, bucket: i64, entry: usize) {
        // A key too long to remember leaves the remembered ones in place.
        if (0..key.parts).map(|i| (key.part)(i).len()).sum::<usize>() > Self::MAX_RAW {
            return;
        }
        let rule = key.rule as usize;
        if self.keys.len() <= rule {
            self.keys.resize_with(rule + 1, Default::default);
        }
        let (recent, next) = &mut self.keys[rule];
        let last = &mut recent[*next];
        *next = (*next + 1) % Self::KEYS;
        last.bytes.clear();
        last.ends.clear();
        for i in 0..key.parts {
            last.bytes.extend_from_slice((key.part)(i));
            last.ends.push(last.bytes.len());
        }
        last.entry = Some(entry);
        last.bucket = bucket;
        last.component = key.component;
        if last.process.as_deref() != key.process {
            last.process = key.process.map(Into::into);
        }
    }

    /// Forgets everything (the entries moved).
    pub fn clear(&mut self) {
        for s in &mut self.slots {
            s.entry = usize::MAX;
        }
        for k in self.keys.iter_mut().flat_map(|(recent, _)| recent) {
            k.entry = None;
        }
    }
}

/// The bucket an event goes to, with what [`Seen`] remembers of the raw values added to it.
#[derive(Debug)]
pub struct EventBucket<'a> {
    pub bucket: &'a mut Bucket,
    pub(super) seen: &'a mut Seen,
    pub(super) entry: usize,
}

impl EventBucket<'_> {
    /// Adds the value of capture group `group` (field `name`), read as `raw`, at `order`: cleaned by `clean` and
    /// added unless the same raw value was added before `order` (then adding it changes nothing).
    pub fn add_raw<'r>(
        &mut self,
        group: usize,
        name: &str,
        raw: &'r [u8],
        order: Order,
        clean: impl FnOnce(&'r [u8]) -> Cow<'r, str>,
    ) {
        if self.seen.added(self.entry, group, raw, order) || !self.bucket.takes_value(name, order) {
            return;
        }
        self.bucket.add_value(name, &clean(raw), order);
        self.seen.note(self.entry, group, raw, order);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(offset: u64) -> Order {
        Order { time: 1_000, file: 0, offset }
    }

    #[test]
    fn a_value_is_known_only_for_its_entry_and_group_and_after_its_order() {
        let mut seen = Seen::default();
        assert!(!seen.added(3, 1, b"master-0", at(10)));
        seen.note(3, 1, b"master-0", at(10));
        assert!(seen.added(3, 1, b"master-0", at(11)));
        // The same order (one record) and an earlier one are not known.
        assert!(!seen.added(3, 1, b"master-0", at(10)));
        assert!(!seen.added(3, 1, b"master-0", at(9)));
        assert!(!seen.added(3, 1, b"master-1", at(11)));
        assert!(!seen.added(3, 2, b"master-0", at(11)));
        assert!(!seen.added(4, 1, b"master-0", at(11)));
        seen.clear();
        assert!(!seen.added(3, 1, b"master-0", at(11)));
    }

    #[test]
    fn recent_keys_are_known_by_their_parts_component_process_and_time_bucket() {
        type Part = &'static dyn Fn(usize) -> &'static [u8];
        let key = |parts: usize, process: Option<&'static str>, part: Part| RawKey {
            rule: 5,
            component: Some(Component::Agent),
            process,
            parts,
            part,
        };
        let ab_c: Part = &|i| [b"ab".as_slice(), b"c"][i];
        let a_bc: Part = &|i| [b"a".as_slice(), b"bc"][i];
        let mut seen = Seen::default();
        assert_eq!(seen.entry_of(&key(2, None, ab_c), 7), None);
        seen.note_key(&key(2, None, ab_c), 7, 42);
        assert_eq!(seen.entry_of(&key(2, None, ab_c), 7), Some(42));
        // The same bytes split otherwise, another time bucket, process, component or rule are other keys.
        assert_eq!(seen.entry_of(&key(2, None, a_bc), 7), None);
        assert_eq!(seen.entry_of(&key(2, None, ab_c), 8), None);
        assert_eq!(seen.entry_of(&key(2, Some("mm2es"), ab_c), 7), None);
        assert_eq!(seen.entry_of(&RawKey { component: Some(Component::Receiver), ..key(2, None, ab_c) }, 7), None);
        assert_eq!(seen.entry_of(&RawKey { rule: 6, ..key(2, None, ab_c) }, 7), None);
        seen.clear();
        assert_eq!(seen.entry_of(&key(2, None, ab_c), 7), None);
        // A few keys taking turns each find theirs; one more pushes out the oldest.
        let nodes: [Part; 5] = [&|_| b"es-0", &|_| b"es-1", &|_| b"es-2", &|_| b"es-3", &|_| b"es-4"];
        for (i, node) in nodes.iter().take(Seen::KEYS).enumerate() {
            seen.note_key(&key(1, None, *node), 7, i);
        }
        for (i, node) in nodes.iter().take(Seen::KEYS).enumerate().rev() {
            assert_eq!(seen.entry_of(&key(1, None, *node), 7), Some(i));
        }
        seen.note_key(&key(1, None, nodes[4]), 7, 4);
        assert_eq!(seen.entry_of(&key(1, None, nodes[0]), 7), None);
        assert_eq!(seen.entry_of(&key(1, None, nodes[4]), 7), Some(4));
        assert_eq!(seen.entry_of(&key(1, None, nodes[1]), 7), Some(1));
        // A key longer than what is remembered is not remembered, and pushes out none that is.
        let long: Part = &|_| &[b'x'; Seen::MAX_RAW + 1];
        seen.note_key(&key(1, None, long), 7, 9);
        assert_eq!(seen.entry_of(&key(1, None, long), 7), None);
        for (i, node) in nodes.iter().enumerate().skip(1) {
            assert_eq!(seen.entry_of(&key(1, None, *node), 7), Some(i));
        }
    }

    #[test]
    fn long_values_are_not_remembered() {
        let mut seen = Seen::default();
        let long = vec![b'x'; Seen::MAX_RAW + 1];
        seen.note(0, 0, &long, at(1));
        assert!(!seen.added(0, 0, &long, at(2)));
    }
}
