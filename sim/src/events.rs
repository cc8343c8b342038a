//! The event queue: a binary heap ordered by (time, insertion sequence), so
//! events at the same instant come out first in, first out. Time is `f64`
//! minutes, always >= 0 and finite, whose bit pattern then orders like the
//! number. The heap keeps its allocation, so a replication in steady state
//! allocates nothing per event.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One entry: compared by time, then sequence (unique), never by payload.
#[derive(Debug, Clone, Copy)]
struct Entry<T> {
    time_bits: u64,
    seq: u64,
    payload: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.time_bits, self.seq).cmp(&(other.time_bits, other.seq))
    }
}

/// A priority queue of events with payload `T`.
#[derive(Debug, Clone)]
pub struct EventQueue<T> {
    heap: BinaryHeap<Reverse<Entry<T>>>,
    seq: u64,
}

impl<T> EventQueue<T> {
    /// An empty queue with room for `n` events.
    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(n),
            seq: 0,
        }
    }

    /// Schedules `payload` at `time` minutes (finite, >= 0).
    #[inline]
    pub fn push(&mut self, time: f64, payload: T) {
        debug_assert!(time >= 0.0 && time.is_finite(), "event time {time}");
        self.seq += 1;
        self.heap.push(Reverse(Entry {
            time_bits: time.to_bits(),
            seq: self.seq,
            payload,
        }));
    }

    /// The earliest event (first scheduled among equal times).
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, T)> {
        self.heap
            .pop()
            .map(|Reverse(e)| (f64::from_bits(e.time_bits), e.payload))
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
}
