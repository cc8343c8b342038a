//! The event queue: a 4-ary min-heap ordered by (time, insertion sequence),
//! so events at the same instant come out first in, first out. Time is
//! `f64` minutes, always >= 0 and finite, whose bit pattern then orders
//! like the number. The heap keeps its allocation, so a replication in
//! steady state allocates nothing per event.
//!
//! Why 4-ary (issue 18): a pop is the commonest operation (about two per
//! call) and moves an entry down the heap; with four children a level the
//! heap is half as deep as a binary one, and the four keys compared at a
//! level sit in one or two cache lines. Entries move through a "hole"
//! (each level copies one entry, no swaps).

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

/// A priority queue of events with payload `T`.
#[derive(Debug, Clone)]
pub struct EventQueue<T> {
    heap: Vec<Entry<T>>,
    seq: u64,
}

impl<T: Copy> EventQueue<T> {
    /// An empty queue with room for `n` events.
    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: Vec::with_capacity(n),
            seq: 0,
        }
    }

    /// Schedules `payload` at `time` minutes (finite, >= 0).
    #[inline]
    pub fn push(&mut self, time: f64, payload: T) {
        debug_assert!(time >= 0.0 && time.is_finite(), "event time {time}");
        self.seq += 1;
        let e = Entry {
            key: u128::from(time.to_bits()) << 64 | u128::from(self.seq),
            payload,
        };
        // Sift up: move parents down into the hole until `e` fits.
        let mut i = self.heap.len();
        self.heap.push(e);
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
        let last = self.heap.pop()?;
        let n = self.heap.len();
        if n == 0 {
            return Some((last.time(), last.payload));
        }
        let top = self.heap[0];
        // Sift `last` down from the root: move the earliest child up into
        // the hole until `last` comes before all children.
        let mut i = 0;
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let end = (first + ARITY).min(n);
            let mut c = first;
            for k in first + 1..end {
                if self.heap[k].before(&self.heap[c]) {
                    c = k;
                }
            }
            if !self.heap[c].before(&last) {
                break;
            }
            self.heap[i] = self.heap[c];
            i = c;
        }
        self.heap[i] = last;
        Some((top.time(), top.payload))
    }

    /// Number of scheduled events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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

    proptest! {
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
