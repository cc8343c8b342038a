//! The event queue: a 4-ary min-heap ordered by (time, insertion sequence),
//! so events at the same instant come out first in, first out. Time is
//! `f64` minutes, always >= 0 and finite, whose bit pattern then orders
//! like the number. The heap keeps its allocation, so a replication in
//! steady state allocates nothing per event.
//!
//! Why 4-ary (issue 18): a pop is a common operation and moves an entry
//! down the heap; with four children a level the heap is half as deep as a
//! binary one, and the four keys compared at a level sit in one or two
//! cache lines. Entries move through a "hole" (each level copies one entry,
//! no swaps).
//!
//! Slots (issue 18): an event that recurs one at a time per source (a
//! region's next arrival) can be kept in that source's slot instead of the
//! heap. Slots are the leaves of a tournament tree: setting or taking one
//! replays only its path to the root (nothing with one slot), and a slot
//! taken and set again replays it once. Slot events take their sequence
//! from the same counter as heap events, so the order of (time, sequence)
//! is the same wherever an event is kept.

/// One entry: ordered by its key, the time's bits above the sequence
/// (unique), so one integer comparison orders (time, sequence).
#[derive(Debug, Clone, Copy)]
struct Entry<T> {
    key: u128,
    payload: T,
}

impl<T> Entry<T> {
    #[inline(always)]
    fn before(&self, other: &Self) -> bool {
        self.key < other.key
    }

    #[inline(always)]
    fn time(&self) -> f64 {
        f64::from_bits((self.key >> 64) as u64)
    }
}

/// Children per node.
const ARITY: usize = 4;

/// The key of an empty slot: after every event.
const EMPTY: u128 = u128::MAX;

/// Bits of a key below the sequence number: a slot event's slot (0 for
/// heap events), so the slot tree keeps keys alone.
const SLOT_BITS: u32 = 16;

/// The most slots a queue may have.
pub const MAX_SLOTS: usize = 1 << SLOT_BITS;

/// A priority queue of events with payload `T`: a heap for any number of
/// events, and slots that each hold at most one.
#[derive(Debug, Clone)]
pub struct EventQueue<T> {
    /// The heap's `n` entries, then empty ones (key [`EMPTY`]).
    heap: Vec<Entry<T>>,
    n: usize,
    seq: u64,
    /// Number of slots, rounded up to a power of two (at least 1).
    leaves: usize,
    /// The slots' tournament: node `leaves + i` holds slot `i`'s key
    /// ([`EMPTY`] when it holds nothing), node `k < leaves` the least key
    /// of its children `2k` and `2k + 1`; the root is node 1.
    tree: Vec<u128>,
    slot_payload: Vec<Option<T>>,
    /// A slot taken by `pop` whose path to the root is not replayed yet
    /// (issue 18: the next arrival usually goes back into the same slot,
    /// and one replay then does for both).
    stale: Option<usize>,
    /// Slots holding an event.
    in_slots: usize,
}

impl<T: Copy> EventQueue<T> {
    /// An empty queue with room for `n` events in its heap, and no slots.
    pub fn with_capacity(n: usize) -> Self {
        Self::with_slots(0, n)
    }

    /// An empty queue with `slots` slots (at most 65,536) and room for `n`
    /// events in its heap.
    pub fn with_slots(slots: usize, n: usize) -> Self {
        assert!(slots <= MAX_SLOTS, "{slots} slots, at most {MAX_SLOTS}");
        let leaves = slots.next_power_of_two();
        EventQueue {
            heap: Vec::with_capacity(n + ARITY),
            n: 0,
            seq: 0,
            leaves,
            tree: vec![EMPTY; 2 * leaves],
            slot_payload: vec![None; leaves],
            stale: None,
            in_slots: 0,
        }
    }

    /// The next key at `time` (for slot `slot`, 0 for the heap): the time's
    /// bits, a new sequence number, the slot.
    #[inline(always)]
    fn key(&mut self, time: f64, slot: usize) -> u128 {
        debug_assert!(time >= 0.0 && time.is_finite(), "event time {time}");
        self.seq += 1;
        debug_assert!(self.seq < 1 << (64 - SLOT_BITS), "sequence numbers run out");
        u128::from(time.to_bits()) << 64 | u128::from(self.seq << SLOT_BITS | slot as u64)
    }

    /// Schedules `payload` at `time` minutes (finite, >= 0) in slot `slot`,
    /// which must be empty.
    #[inline(always)]
    pub fn set_slot(&mut self, slot: usize, time: f64, payload: T) {
        debug_assert_eq!(self.tree[self.leaves + slot], EMPTY, "slot {slot} holds an event");
        let key = self.key(time, slot);
        self.tree[self.leaves + slot] = key;
        self.slot_payload[slot] = Some(payload);
        self.in_slots += 1;
        if self.stale == Some(slot) {
            self.stale = None;
        } else {
            self.settle();
        }
        self.replay(slot);
    }

    /// Replays the stale slot's path, if any.
    #[inline(always)]
    fn settle(&mut self) {
        if let Some(slot) = self.stale.take() {
            self.replay(slot);
        }
    }

    /// Replays the matches on slot `slot`'s path to the root.
    #[inline(always)]
    fn replay(&mut self, slot: usize) {
        let mut m = self.leaves + slot;
        while m > 1 {
            let v = self.tree[m].min(self.tree[m ^ 1]);
            m /= 2;
            self.tree[m] = v;
        }
    }

    /// Schedules `payload` at `time` minutes (finite, >= 0).
    #[inline(always)]
    pub fn push(&mut self, time: f64, payload: T) {
        let e = Entry {
            key: self.key(time, 0),
            payload,
        };
        // Keep ARITY - 1 empty entries past the last (any payload will do:
        // it is never read), so a node's children are always four.
        while self.heap.len() < self.n + ARITY {
            self.heap.push(Entry { key: EMPTY, payload });
        }
        // Sift up: move parents down into the hole until `e` fits.
        let mut i = self.n;
        self.n += 1;
        while i > 0 {
            let parent = (i - 1) / ARITY;
            let p = self.heap[parent];
            if !e.before(&p) {
                break;
            }
            self.heap[i] = p;
            i = parent;
        }
        self.heap[i] = e;
    }

    /// The earliest event (first scheduled among equal times).
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, T)> {
        self.settle();
        let key = self.tree[1];
        if key != EMPTY && (self.n == 0 || key < self.heap[0].key) {
            let slot = (key as usize) & ((1 << SLOT_BITS) - 1);
            self.tree[self.leaves + slot] = EMPTY;
            self.stale = Some(slot);
            self.in_slots -= 1;
            let payload = self.slot_payload[slot]
                .take()
                .expect("a slot with a key has a payload");
            return Some((f64::from_bits((key >> 64) as u64), payload));
        }
        self.pop_heap()
    }

    /// The earliest event of the heap.
    #[inline(always)]
    fn pop_heap(&mut self) -> Option<(f64, T)> {
        if self.n == 0 {
            return None;
        }
        let top = self.heap[0];
        self.n -= 1;
        let n = self.n;
        let last = self.heap[n];
        self.heap[n].key = EMPTY;
        // Sift `last` down from the root: move the earliest child up into
        // the hole until `last` comes before all children. The earliest of
        // the four is chosen without branches (issue 18: which child is
        // earliest is a coin toss to the branch predictor); the empty
        // entries past the last never win.
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let k = &self.heap[first..first + ARITY];
            let a = usize::from(k[1].key < k[0].key);
            let b = 2 + usize::from(k[3].key < k[2].key);
            let c = first + if k[b].key < k[a].key { b } else { a };
            if !self.heap[c].before(&last) {
                break;
            }
            self.heap[i] = self.heap[c];
            i = c;
        }
        if n > 0 {
            self.heap[i] = last;
        }
        Some((top.time(), top.payload))
    }

    /// Number of scheduled events.
    pub fn len(&self) -> usize {
        self.n + self.in_slots
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn time_order_then_first_in_first_out() {
        let mut q = EventQueue::with_capacity(4);
        q.push(5.0, 'a');
        q.push(1.0, 'b');
        q.push(5.0, 'c');
        q.push(0.0, 'd');
        q.push(5.0, 'e');
        let out: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, p)| p)).collect();
        assert_eq!(out, ['d', 'b', 'a', 'c', 'e']);
        assert!(q.is_empty());
    }

    #[test]
    fn slots_and_heap_share_one_order() {
        let mut q = EventQueue::with_slots(3, 4);
        q.set_slot(1, 5.0, 'a');
        q.push(1.0, 'b');
        q.push(5.0, 'c');
        q.set_slot(0, 0.0, 'd');
        q.set_slot(2, 5.0, 'e');
        assert_eq!(q.len(), 5);
        let out: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, p)| p)).collect();
        assert_eq!(out, ['d', 'b', 'a', 'c', 'e']);
        assert!(q.is_empty());
    }

    proptest! {
        /// Pushes to the heap, settings of empty slots and pops, in any
        /// order and with any number of slots, come out as a sorted list of
        /// (time, push order) would, wherever each event was kept.
        #[test]
        fn slots_pop_in_time_then_push_order(
            slots in 1usize..7,
            ops in proptest::collection::vec((0u8..4, 0u32..40, 0usize..7), 0..400),
        ) {
            let mut q = EventQueue::with_slots(slots, 0);
            let mut held = vec![false; slots];
            // (time, push order, slot, or usize::MAX for the heap)
            let mut model: Vec<(u32, usize, usize)> = Vec::new();
            for (k, (op, t, s)) in ops.into_iter().enumerate() {
                match op {
                    0 => {
                        q.push(f64::from(t) * 0.5, k);
                        model.push((t, k, usize::MAX));
                    }
                    1 | 2 if !held[s % slots] => {
                        let s = s % slots;
                        q.set_slot(s, f64::from(t) * 0.5, k);
                        held[s] = true;
                        model.push((t, k, s));
                    }
                    _ => {
                        model.sort();
                        let want = (!model.is_empty()).then(|| model.remove(0));
                        if let Some((_, _, s)) = want
                            && s != usize::MAX
                        {
                            held[s] = false;
                        }
                        let got = q.pop();
                        prop_assert_eq!(got.map(|(t, k)| ((t * 2.0) as u32, k)), want.map(|w| (w.0, w.1)));
                    }
                }
                prop_assert_eq!(q.len(), model.len());
            }
            model.sort();
            for want in model {
                let (t, k) = q.pop().expect("as many as pushed");
                prop_assert_eq!(((t * 2.0) as u32, k), (want.0, want.1));
            }
            prop_assert!(q.is_empty());
        }

        /// Any interleaving of pushes and pops returns what a sorted list
        /// of (time, push order) would: the earliest, first pushed first.
        #[test]
        fn pops_in_time_then_push_order(ops in proptest::collection::vec((0u8..3, 0u32..40), 0..400)) {
            let mut q = EventQueue::with_capacity(0);
            let mut model: Vec<(u32, usize)> = Vec::new();
            for (k, (op, t)) in ops.into_iter().enumerate() {
                if op < 2 {
                    q.push(f64::from(t) * 0.5, k);
                    model.push((t, k));
                } else {
                    model.sort();
                    let want = (!model.is_empty()).then(|| model.remove(0));
                    let got = q.pop();
                    prop_assert_eq!(got.map(|(t, k)| ((t * 2.0) as u32, k)), want);
                }
                prop_assert_eq!(q.len(), model.len());
            }
            model.sort();
            for want in model {
                let (t, k) = q.pop().expect("as many as pushed");
                prop_assert_eq!(((t * 2.0) as u32, k), want);
            }
            prop_assert!(q.is_empty());
        }
    }
}
